// Microsoft Graph client: one keep-alive agent, per-attempt deadlines, throttling-aware retries that never
// re-send a POST the service may already have accepted.

import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { createGraphAgent, GRAPH_CONNECTIONS } from './dispatcher.js';
import { exchange, ExchangeFailure, type ExchangeResponse } from './exchange.js';
import { redactSecrets, silentLogger, type Logger } from '../core/log.js';
import { GraphError, parseGraphErrorBody, type GraphErrorInit } from './errors.js';
import {
  backoffDelayMs,
  classifyFailure,
  isRetryableStatus,
  networkPhaseOf,
  parseRetryAfter,
  resolveThrottlePolicy,
  type ThrottlePolicy,
} from './retryPolicy.js';
import {
  GRAPH_VERSION,
  type GraphNextLinkRequest,
  type GraphRequest,
  type GraphResponse,
  type HttpMethod,
  type ThrottleNotice,
  type TokenProvider,
} from './types.js';

export interface GraphClientOptions {
  /** Scheme + host (+ port), no version, e.g. https://graph.microsoft.com. */
  graphRoot: string;
  tokenProvider: TokenProvider;
  /** Injected dispatcher (tests, proxies). The client never closes one it did not create. */
  dispatcher?: Dispatcher;
  /** Per-attempt deadline covering response headers and body. */
  timeoutMs: number;
  throttle?: Partial<ThrottlePolicy>;
  logger?: Logger;
  userAgent?: string;
  now?: () => number;
  random?: () => number;
  /** Abortable delay; must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  newId?: () => string;
}

// Success bodies are list pages; error bodies only feed a message, so they are capped hard.
const MAX_OK_BODY = 32 * 1024 * 1024;
const MAX_ERROR_BODY = 64 * 1024;

function bodyLimitFor(status: number): number {
  return status >= 200 && status < 300 ? MAX_OK_BODY : MAX_ERROR_BODY;
}

// Caller headers that would let a tool override what the client itself must control.
const RESERVED_HEADERS = new Set([
  'authorization',
  'client-request-id',
  'return-client-request-id',
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
]);

interface Call {
  method: HttpMethod;
  /** Path and query below the origin, as sent on the request line. */
  target: string;
  /** Path below the versioned root, without query: what logs and errors show. */
  logPath: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onThrottle?: (notice: ThrottleNotice) => void;
}

type AttemptBase = Pick<GraphErrorInit, 'method' | 'path' | 'clientRequestId' | 'attempts'>;

type AttemptResult =
  | { ok: true; response: GraphResponse<unknown> }
  | { ok: false; error: GraphErrorInit; decision: 'retry' | 'fail' | 'ambiguous'; retryAfterMs?: number };

function headerValue(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown })?.code ?? (e as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A proxy or a hostile endpoint may echo the request's Authorization header into its error body, whole or in part;
 * what it says is shown to the admin and the model, so the token, its parts and anything shaped like one are cut out.
 */
function withoutCredentials(text: string, token: string): string {
  return redactSecrets(text, [token]);
}

// A '.' or '..' segment, also spelled with %2e: the URL parser resolves both, which would climb out of /beta.
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?=\/|$)/i;
const UNSAFE_CHAR = /[?#\\\s\u0000-\u001f\u007f]/;

function unsafePath(path: string): boolean {
  return !path.startsWith('/') || path.startsWith('//') || UNSAFE_CHAR.test(path) || DOT_SEGMENT.test(path);
}

/**
 * The request target (path and query below the origin) of a Graph path, or undefined when the path could resolve
 * outside the versioned root. What unsafePath refuses is everything that lets a URL parser change the origin or
 * climb out of the prefix, so the result needs no second parse (a property test checks this against the URL parser).
 */
export function requestTarget(versionPathPrefix: string, path: unknown, query?: Record<string, string>): string | undefined {
  if (typeof path !== 'string' || unsafePath(path)) return undefined;
  return `${versionPathPrefix}${path.slice(1)}${encodeQuery(query)}`;
}

function encodeQuery(query: Record<string, string> | undefined): string {
  if (!query) return '';
  // %20 rather than '+' for spaces: OData $filter parsers do not all read '+' as a space.
  const enc = (s: string) => encodeURIComponent(s).replace(/%24/g, '$');
  const parts = Object.entries(query).map(([k, v]) => `${enc(k)}=${enc(v)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export class GraphClient {
  private readonly rootOrigin: string;
  private readonly versionPathPrefix: string;
  private readonly host: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly policy: ThrottlePolicy;
  private readonly log: Logger;
  private readonly userAgent: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly newId: () => string;
  private readonly tokenProvider: TokenProvider;
  private lastDate: [string, string] = ['', ''];
  /** A real token is 2 KB or more: its header value is built once, not on every request. */
  private lastAuth: [string, string] = ['', ''];

  constructor(opts: GraphClientOptions) {
    const root = new URL(opts.graphRoot);
    if (root.search || root.hash || root.username || root.password) {
      throw new Error('graphRoot must be a bare origin such as https://graph.microsoft.com');
    }
    const basePath = root.pathname.replace(/\/+$/, '');
    this.rootOrigin = root.origin;
    this.host = root.host;
    this.versionPathPrefix = `${basePath}/${GRAPH_VERSION}/`;
    if (!(opts.timeoutMs > 0)) throw new Error('timeoutMs must be positive');
    this.timeoutMs = opts.timeoutMs;
    this.tokenProvider = opts.tokenProvider;
    this.policy = resolveThrottlePolicy(opts.throttle);
    this.log = opts.logger ?? silentLogger;
    this.userAgent = opts.userAgent ?? 'cloudpc-mcp';
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
    this.newId = opts.newId ?? randomUUID;
    if (opts.dispatcher) {
      this.dispatcher = opts.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = createGraphAgent(GRAPH_CONNECTIONS.stdio);
      this.ownsDispatcher = true;
    }
  }

  async request<T>(req: GraphRequest): Promise<GraphResponse<T>> {
    const target = requestTarget(this.versionPathPrefix, req.path, req.query);
    if (target === undefined) throw this.refused(req.method, 'unsafe Graph path', String(req.path).split('?')[0] ?? '');
    const call: Call = { method: req.method, target, logPath: req.path, body: req.body, headers: req.headers, signal: req.signal, onThrottle: req.onThrottle };
    return (await this.execute(call)) as GraphResponse<T>;
  }

  /** Follows an @odata.nextLink; refuses anything outside this client's versioned Graph root so the token never leaves it. */
  async getNextLink<T>(req: GraphNextLinkRequest): Promise<GraphResponse<T>> {
    let parsed: URL | undefined;
    try {
      parsed = new URL(req.url);
    } catch {
      parsed = undefined;
    }
    const logPath = parsed ? parsed.pathname.slice(this.versionPathPrefix.length - 1) : '(invalid url)';
    if (
      !parsed ||
      parsed.origin !== this.rootOrigin ||
      !parsed.pathname.startsWith(this.versionPathPrefix) ||
      parsed.username ||
      parsed.password
    ) {
      throw this.refused('GET', 'nextLink outside the Graph root', parsed ? parsed.pathname : '(invalid url)');
    }
    return (await this.execute({
      method: 'GET',
      target: `${parsed.pathname}${parsed.search}`,
      logPath,
      headers: req.headers,
      signal: req.signal,
      onThrottle: req.onThrottle,
    })) as GraphResponse<T>;
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private refused(method: HttpMethod, why: string, path: string): GraphError {
    return new GraphError({
      kind: 'refused',
      message: `Refused to send Graph request: ${why}`,
      method,
      path,
      clientRequestId: '',
      attempts: 0,
    });
  }

  private aborted(call: Call, attempts: number, clientRequestId: string, ambiguous: boolean): GraphError {
    return new GraphError({
      kind: 'aborted',
      message: `Graph ${call.method} ${call.logPath} cancelled by the client`,
      method: call.method,
      path: call.logPath,
      clientRequestId,
      attempts,
      ambiguous,
      cause: call.signal?.reason,
    });
  }

  private async execute(call: Call): Promise<GraphResponse<unknown>> {
    let waitedMs = 0;
    let lastClientRequestId = '';
    for (let attempt = 1; ; attempt++) {
      // Earlier attempts here were all "not processed" (throttled, or retried GET), so nothing is in doubt yet.
      if (call.signal?.aborted) throw this.aborted(call, attempt - 1, lastClientRequestId, false);
      let token = this.tokenProvider.readyToken?.();
      if (token === undefined) {
        try {
          token = await this.tokenProvider.getToken(call.signal);
        } catch (e) {
          if (call.signal?.aborted) throw this.aborted(call, attempt - 1, lastClientRequestId, false);
          throw e;
        }
        if (call.signal?.aborted) throw this.aborted(call, attempt - 1, lastClientRequestId, false);
      }

      lastClientRequestId = this.newId();
      const result = await this.attempt(call, token, lastClientRequestId, attempt);
      if (result.ok) return result.response;

      const err = result.error;
      if (result.decision !== 'retry' || attempt >= this.policy.maxAttempts) {
        throw new GraphError(this.finalError(err));
      }
      const throttled = err.status !== undefined && isRetryableStatus(err.status);
      const remaining = this.policy.maxTotalWaitMs - waitedMs;
      let waitMs: number;
      if (result.retryAfterMs !== undefined) {
        // Never shorten the server's requested wait: if it does not fit, give up and report it.
        if (result.retryAfterMs > remaining) throw new GraphError(this.finalError(err));
        waitMs = result.retryAfterMs;
      } else {
        if (remaining <= 0) throw new GraphError(this.finalError(err));
        waitMs = Math.min(remaining, backoffDelayMs(attempt, { baseMs: this.policy.baseDelayMs, maxMs: this.policy.maxTotalWaitMs }, this.random));
      }
      if (throttled) {
        try {
          call.onThrottle?.({ attempt, status: err.status!, waitMs });
        } catch (e) {
          this.log.debug('onThrottle callback failed', { error: String(e) });
        }
      }
      this.log.warn(throttled ? 'Graph throttled the request; waiting before retrying' : 'Graph request failed; retrying', {
        method: call.method,
        path: call.logPath,
        attempt,
        status: err.status,
        kind: err.kind,
        waitMs,
        requestId: err.requestId,
        clientRequestId: err.clientRequestId,
      });
      try {
        await this.sleep(waitMs, call.signal);
      } catch {
        throw this.aborted(call, attempt, lastClientRequestId, false);
      }
      if (call.signal?.aborted) throw this.aborted(call, attempt, lastClientRequestId, false);
      waitedMs += waitMs;
    }
  }

  /** Exhausted 429/503 becomes 'throttled'; everything else keeps its kind. */
  private finalError(err: GraphErrorInit): GraphErrorInit {
    if (err.kind === 'http' && err.status !== undefined && isRetryableStatus(err.status)) {
      return {
        ...err,
        kind: 'throttled',
        ambiguous: false,
        message: `Graph ${err.method} ${err.path} throttled (HTTP ${err.status}) after ${err.attempts} attempt(s)`,
      };
    }
    return err;
  }

  private async attempt(call: Call, token: string, clientRequestId: string, attempt: number): Promise<AttemptResult> {
    const started = this.now();
    if (token !== this.lastAuth[0]) this.lastAuth = [token, `Bearer ${token}`];
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
      'client-request-id': clientRequestId,
      'return-client-request-id': 'true',
      authorization: this.lastAuth[1],
    };
    if (call.headers) {
      for (const [k, v] of Object.entries(call.headers)) {
        const name = k.toLowerCase();
        if (!RESERVED_HEADERS.has(name) && !(name in headers)) headers[name] = v;
      }
    }
    const hasBody = call.body !== undefined;
    if (hasBody) headers['content-type'] = 'application/json';

    const base = { method: call.method, path: call.logPath, clientRequestId, attempts: attempt };
    const logDone = (status: number | string, requestId?: string) => {
      this.log.debug('Graph request', { method: call.method, path: call.logPath, status, requestId, clientRequestId, attempt, ms: this.now() - started });
    };

    let res: ExchangeResponse;
    try {
      res = await exchange({
        dispatcher: this.dispatcher,
        origin: this.rootOrigin,
        path: call.target,
        method: call.method,
        headers,
        body: hasBody ? JSON.stringify(call.body) : undefined,
        timeoutMs: this.timeoutMs,
        signal: call.signal,
        bodyLimit: bodyLimitFor,
      });
    } catch (e) {
      const failure = e instanceof ExchangeFailure ? e : new ExchangeFailure(e, false, false);
      const { status, timedOut } = failure;
      const requestId = failure.headers ? headerValue(failure.headers, 'request-id') : undefined;
      logDone(timedOut ? 'timeout' : failure.callerAborted ? 'aborted' : 'error', requestId);
      if (failure.callerAborted) return this.abortedResult(call, base, status);
      if (status !== undefined && status >= 300 && !timedOut) {
        // Only the error body failed to arrive: it adds detail, and losing it must not hide the status.
        return this.httpFailure(call, base, token, { status, headers: failure.headers ?? {}, body: '', truncated: true });
      }
      const date = this.isoDate(failure.headers ? headerValue(failure.headers, 'date') : undefined);
      const cause = failure.cause;
      const code = errorCode(cause);
      // Once headers arrived the request was certainly sent; before that, only connect-phase codes prove it was not.
      const networkPhase = status !== undefined || timedOut ? 'afterSend' : networkPhaseOf(code);
      const decision = classifyFailure({ method: call.method, networkPhase, aborted: false, timedOut });
      const ambiguous = decision === 'ambiguous';
      if (timedOut) {
        return {
          ok: false,
          decision,
          error: { ...base, kind: 'timeout', status, requestId, date, ambiguous, timeoutMs: this.timeoutMs, cause, message: `Graph ${call.method} ${call.logPath} timed out after ${this.timeoutMs} ms` },
        };
      }
      return {
        ok: false,
        decision,
        error: { ...base, kind: 'network', status, requestId, date, ambiguous, host: this.host, cause, message: `Graph ${call.method} ${call.logPath} failed: ${code ?? (cause instanceof Error ? cause.message : String(cause))}` },
      };
    }

    const { status } = res;
    const requestId = headerValue(res.headers, 'request-id');
    logDone(status, requestId);
    if (status < 200 || status >= 300) return this.httpFailure(call, base, token, res);
    const date = this.isoDate(headerValue(res.headers, 'date'));
    if (status === 202 || status === 204 || res.body.trim() === '') {
      return { ok: true, response: { status, body: undefined, clientRequestId, attempts: attempt, requestId, date } };
    }
    try {
      if (res.truncated) throw new Error('response body too large');
      return { ok: true, response: { status, body: JSON.parse(res.body), clientRequestId, attempts: attempt, requestId, date } };
    } catch (e) {
      return {
        ok: false,
        decision: 'fail',
        error: { ...base, requestId, date, kind: 'invalidResponse', status, message: `Graph ${call.method} ${call.logPath} returned an unreadable body (HTTP ${status})`, cause: e },
      };
    }
  }

  private httpFailure(call: Call, base: AttemptBase, token: string, res: ExchangeResponse): AttemptResult {
    const { status } = res;
    const requestId = headerValue(res.headers, 'request-id');
    const headerDate = this.isoDate(headerValue(res.headers, 'date'), false);
    // Before parsing, so the cap on message length cannot cut a token into a piece that no longer matches; and
    // after, for a token spelled with JSON escapes.
    const raw = parseGraphErrorBody(withoutCredentials(res.body, token), headerValue(res.headers, 'content-type'));
    const parsed = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? withoutCredentials(v, token) : v])) as typeof raw;
    const retryAfterMs = parseRetryAfter(res.headers, this.now());
    const decision = classifyFailure({ method: call.method, status, aborted: false, timedOut: false });
    return {
      ok: false,
      decision,
      retryAfterMs: isRetryableStatus(status) ? retryAfterMs : undefined,
      error: {
        ...base,
        kind: 'http',
        status,
        code: parsed.code,
        graphMessage: parsed.message,
        requestId: requestId ?? parsed.requestId,
        date: headerDate ?? parsed.date ?? this.isoDate(undefined),
        retryAfterMs,
        ambiguous: decision === 'ambiguous',
        message: `Graph ${call.method} ${call.logPath} failed: HTTP ${status}` + (parsed.code ? ` ${parsed.code}` : '') + (parsed.message ? `: ${parsed.message}` : ''),
      },
    };
  }

  private abortedResult(call: Call, base: AttemptBase, status: number | undefined): AttemptResult {
    // With a status in hand the answer decides (a 429 was not processed, a 500 may have been);
    // without one, an in-flight POST may have gone out.
    const verdict =
      status !== undefined
        ? classifyFailure({ method: call.method, status, aborted: false, timedOut: false })
        : classifyFailure({ method: call.method, networkPhase: 'afterSend', aborted: true, timedOut: false });
    const ambiguous = verdict === 'ambiguous' || (status !== undefined && status < 300 && call.method !== 'GET');
    return {
      ok: false,
      decision: 'fail',
      error: { ...base, kind: 'aborted', status, ambiguous, cause: call.signal?.reason, message: `Graph ${call.method} ${call.logPath} cancelled by the client` },
    };
  }

  /** ISO form of an HTTP date; with no usable input, the local time now. */
  private isoDate(raw: string | undefined): string;
  private isoDate(raw: string | undefined, fallback: false): string | undefined;
  private isoDate(raw: string | undefined, fallback = true): string | undefined {
    // The Date header changes once a second, so one remembered conversion serves a burst of calls.
    if (raw !== undefined && raw === this.lastDate[0]) return this.lastDate[1];
    const t = raw ? Date.parse(raw) : NaN;
    if (!Number.isNaN(t)) {
      const iso = new Date(t).toISOString();
      this.lastDate = [raw!, iso];
      return iso;
    }
    return fallback ? new Date(this.now()).toISOString() : undefined;
  }
}
