// The one owner of the process's end: signals, the end of the client's stream, and the exit itself. Everything else
// only says what to close (setShutdown) or asks to stop (stop).

export interface Lifecycle {
  /**
   * What to close on the way out. `capMs` bounds it: a stalled socket or a call that ignores its abort must never keep
   * the process alive, so the process exits when the cap is over whatever is still running.
   */
  setShutdown(close: (why: string) => Promise<void>, capMs: number): void;
  /** Runs the shutdown once (later calls are ignored) and exits with `code`. */
  stop(why: string, code?: number): void;
  readonly stopping: boolean;
}

/** Without a shutdown set, stop exits at once: nothing can be in flight before the server is up. */
export function processLifecycle(exit: (code: number) => never = (code) => process.exit(code)): Lifecycle {
  let close: ((why: string) => Promise<void>) | undefined;
  let cap = 0;
  let stopping = false;
  const life: Lifecycle = {
    setShutdown(fn, capMs) {
      close = fn;
      cap = capMs;
    },
    stop(why, code = 0) {
      if (stopping) return;
      stopping = true;
      if (!close) exit(code);
      setTimeout(() => exit(code), cap).unref();
      void close(why)
        .catch(() => {})
        .then(() => exit(code));
    },
    get stopping() {
      return stopping;
    },
  };
  process.on('SIGTERM', () => life.stop('SIGTERM'));
  process.on('SIGINT', () => life.stop('SIGINT'));
  return life;
}
