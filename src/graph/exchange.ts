// One HTTP exchange on an undici dispatcher, read into a string: a deadline, the caller's abort and a body cap, and
// nothing else. undici's request() wraps every response in a Readable stream, an async resource and abort-signal
// listeners; Graph's answers are small JSON documents, and `npm run bench` measured that machinery as a visible part
// of a call's cost. dispatch() with a plain handler skips it; the caller still classifies every outcome itself.
import type { Dispatcher } from 'undici';

type IncomingHttpHeaders = Record<string, string | string[] | undefined>;

export interface ExchangeRequest {
  dispatcher: Dispatcher;
  origin: string;
  /** Path and query, starting with '/'. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** Covers the whole exchange: connection, response headers and body. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Bytes of body kept for a status; beyond that the body is cut off, the connection dropped, and `truncated` set. */
  bodyLimit(status: number): number;
}

export interface ExchangeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  truncated: boolean;
}

/** The exchange did not complete. `status` is set when response headers had already arrived. */
export class ExchangeFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly timedOut: boolean,
    readonly callerAborted: boolean,
    readonly status?: number,
    readonly headers?: IncomingHttpHeaders,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export function exchange(req: ExchangeRequest): Promise<ExchangeResponse> {
  return new Promise((resolve, reject) => new Exchange(req, resolve, reject).start());
}

/** One object per request, its own dispatch handler: fewer allocations per call than a handler of closures. */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private pendingAbort: Error | undefined;
  private settled = false;
  private status: number | undefined;
  private headers: IncomingHttpHeaders | undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private limit = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly req: ExchangeRequest,
    private readonly resolve: (r: ExchangeResponse) => void,
    private readonly reject: (f: ExchangeFailure) => void,
  ) {}

  start(): void {
    const { req } = this;
    if (req.signal?.aborted) return this.onCallerAbort();
    this.timer = setTimeout(this.onDeadline, req.timeoutMs);
    req.signal?.addEventListener('abort', this.onCallerAbort, { once: true });
    try {
      req.dispatcher.dispatch({ origin: req.origin, path: req.path, method: req.method, headers: req.headers, body: req.body }, this);
    } catch (error) {
      this.finish(new ExchangeFailure(error, false, false));
    }
  }

  onRequestStart(c: Dispatcher.DispatchController): void {
    this.controller = c;
    if (this.pendingAbort || this.settled) c.abort(this.pendingAbort ?? new Error('exchange already settled'));
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // informational (100 Continue): the real answer follows
    this.status = statusCode;
    this.headers = headers;
    this.limit = this.req.bodyLimit(statusCode);
  }

  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    if (this.size + chunk.length > this.limit) {
      this.chunks.push(chunk.subarray(0, this.limit - this.size));
      this.finish({ status: this.status!, headers: this.headers!, body: Buffer.concat(this.chunks).toString('utf8'), truncated: true });
      // Reading on would let a hostile endpoint stream without end; dropping the connection is the cheap way out.
      c.abort(new Error('response body over the limit'));
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  onResponseEnd(): void {
    const { chunks } = this;
    const body =
      chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, this.size).toString('utf8');
    this.chunks = [];
    this.finish({ status: this.status!, headers: this.headers ?? {}, body, truncated: false });
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    this.finish(new ExchangeFailure(error, false, false, this.status, this.headers));
  }

  private readonly onDeadline = (): void => {
    const reason = new Error(`deadline of ${this.req.timeoutMs} ms exceeded`);
    this.stop(new ExchangeFailure(reason, true, false, this.status, this.headers), reason);
  };

  private readonly onCallerAbort = (): void => {
    const signal = this.req.signal;
    const reason = signal?.reason instanceof Error ? signal.reason : new Error('aborted');
    this.stop(new ExchangeFailure(reason, false, true, this.status, this.headers), reason);
  };

  private stop(why: ExchangeFailure, reason: Error): void {
    this.finish(why);
    // Before the request starts there is no controller yet; it is aborted as soon as it starts.
    if (this.controller) this.controller.abort(reason);
    else this.pendingAbort = reason;
  }

  private finish(outcome: ExchangeResponse | ExchangeFailure): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.req.signal?.removeEventListener('abort', this.onCallerAbort);
    if (outcome instanceof ExchangeFailure) this.reject(outcome);
    else this.resolve(outcome);
  }
}
