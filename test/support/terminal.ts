// A real pseudo-terminal for end-to-end tests: the command runs as an admin's shell would run it (stdin, stdout and
// stderr are a terminal, Ctrl+C is SIGINT), through Python's pty module (test/support/pty_run.py).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RELAY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pty_run.py');

export class Terminal {
  private readonly child: ChildProcessWithoutNullStreams;
  private shown = '';
  private readonly exited: Promise<number | null>;
  private readonly watchers = new Set<() => void>();

  /** Runs `command args…` in a new terminal, with exactly `env`. */
  constructor(command: string, args: string[], env: Record<string, string>, cwd?: string) {
    this.child = spawn('python3', [RELAY, command, ...args], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d: Buffer) => {
      // The terminal ends lines with CR LF; tests read them as plain lines.
      this.shown += d.toString('utf8').replace(/\r\n/g, '\n');
      for (const w of this.watchers) w();
    });
    this.child.stderr.on('data', (d: Buffer) => (this.shown += `[pty_run.py] ${d.toString('utf8')}`));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** Everything the terminal has shown so far. */
  get output(): string {
    return this.shown;
  }

  /** Resolves with the output once it matches; fails if the command ends first. */
  waitFor(pattern: RegExp): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pattern.test(this.shown)) return false;
        this.watchers.delete(check);
        resolve(this.shown);
        return true;
      };
      if (check()) return;
      this.watchers.add(check);
      void this.exited.then(() => {
        if (this.watchers.delete(check))
          reject(new Error(`the command ended before the terminal showed ${pattern}; it showed:\n${this.shown}`));
      });
    });
  }

  /** Types into the terminal (a line needs its "\n"; "\x03" is Ctrl+C). */
  type(text: string): void {
    this.child.stdin.write(text);
  }

  /** The command's exit code, once it has ended. */
  exitCode(): Promise<number | null> {
    return this.exited;
  }

  close(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
