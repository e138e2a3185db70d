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
  return new Promise((resolve, reject) => {
    let controller: Dispatcher.DispatchController | undefined;
    let pendingAbort: Error | undefined;
    let settled = false;
    let status: number | undefined;
    let headers: IncomingHttpHeaders | undefined;
    let chunks: Buffer[] = [];
    let size = 0;
    let limit = 0;

    const finish = (outcome: ExchangeResponse | ExchangeFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
      if (outcome instanceof ExchangeFailure) reject(outcome);
      else resolve(outcome);
    };
    const stop = (why: ExchangeFailure | undefined, reason: Error): void => {
      if (why) finish(why);
      // Before the request starts there is no controller yet; it is aborted as soon as it starts.
      if (controller) controller.abort(reason);
      else pendingAbort = reason;
    };
    const timer = setTimeout(() => {
      const reason = new Error(`deadline of ${req.timeoutMs} ms exceeded`);
      stop(new ExchangeFailure(reason, true, false, status, headers), reason);
    }, req.timeoutMs);
    const onCallerAbort = (): void => {
      const reason = req.signal?.reason instanceof Error ? req.signal.reason : new Error('aborted');
      stop(new ExchangeFailure(reason, false, true, status, headers), reason);
    };
    if (req.signal?.aborted) return onCallerAbort();
    req.signal?.addEventListener('abort', onCallerAbort, { once: true });

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (pendingAbort || settled) c.abort(pendingAbort ?? new Error('exchange already settled'));
      },
      onResponseStart(_c, statusCode, responseHeaders) {
        if (statusCode < 200) return; // informational (100 Continue): the real answer follows
        status = statusCode;
        headers = responseHeaders;
        limit = req.bodyLimit(statusCode);
      },
      onResponseData(c, chunk) {
        if (settled) return;
        if (size + chunk.length > limit) {
          chunks.push(chunk.subarray(0, limit - size));
          finish({ status: status!, headers: headers!, body: Buffer.concat(chunks).toString('utf8'), truncated: true });
          // Reading on would let a hostile endpoint stream without end; dropping the connection is the cheap way out.
          c.abort(new Error('response body over the limit'));
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      },
      onResponseEnd() {
        const body = chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
        chunks = [];
        finish({ status: status!, headers: headers ?? {}, body, truncated: false });
      },
      onResponseError(_c, error) {
        finish(new ExchangeFailure(error, false, false, status, headers));
      },
    };
    try {
      req.dispatcher.dispatch({ origin: req.origin, path: req.path, method: req.method as Dispatcher.HttpMethod, headers: req.headers, body: req.body }, handler);
    } catch (error) {
      finish(new ExchangeFailure(error, false, false));
    }
  });
}
