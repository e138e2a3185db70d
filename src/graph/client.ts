// Microsoft Graph client: one keep-alive agent, per-attempt deadlines, throttling-aware retries that never
// re-send a POST the service may already have accepted.

import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { silentLogger, type Logger } from '../log.js';
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
  url: string;
  /** Path below the versioned root, without query: what logs and errors show. */
  logPath: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onThrottle?: (notice: ThrottleNotice) => void;
}

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

async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const remaining = limit - size;
    if (chunk.length > remaining) {
      chunks.push(chunk.subarray(0, remaining));
      // Leaving the loop early destroys the stream, which releases the connection.
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

const BEARER_VALUE = /\b(bearer)\s+[^\s"'<>,;]{16,}/gi;
const JWT = /\beyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/g;

/**
 * A proxy or a hostile endpoint may echo the request's Authorization header into its error body; what it says is
 * shown to the admin and the model, so the token (and anything shaped like one) is cut out first.
 */
function withoutCredentials(text: string, token: string): string {
  return (token ? text.split(token).join('[redacted]') : text).replace(BEARER_VALUE, '$1 [redacted]').replace(JWT, '[redacted]');
}

function discard(body: Dispatcher.ResponseData['body'] | undefined): void {
  if (!body) return;
  body.on('error', () => {});
  body.destroy();
}

function unsafePath(path: string): boolean {
  if (!path.startsWith('/') || path.startsWith('//')) return true;
  if (/[?#\\\s]/.test(path) || /[\u0000-\u001f\u007f]/.test(path)) return true;
  // The URL parser treats %2e%2e like '..', so check the decoded form of dots too.
  return path
    .split('/')
    .slice(1)
    .some((seg) => {
      const s = seg.replace(/%2e/gi, '.');
      return s === '.' || s === '..';
    });
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
  private readonly versionRoot: string;
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

  constructor(opts: GraphClientOptions) {
    const root = new URL(opts.graphRoot);
    if (root.search || root.hash || root.username || root.password) {
      throw new Error('graphRoot must be a bare origin such as https://graph.microsoft.com');
    }
    const basePath = root.pathname.replace(/\/+$/, '');
    this.rootOrigin = root.origin;
    this.host = root.host;
    this.versionPathPrefix = `${basePath}/${GRAPH_VERSION}/`;
    this.versionRoot = `${root.origin}${basePath}/${GRAPH_VERSION}`;
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
      // Idle sockets are dropped well before typical front-door idle limits, so a reused socket is rarely
      // reset under a POST (which would leave the retry in doubt).
      this.dispatcher = new Agent({
        keepAliveTimeout: 10_000,
        keepAliveMaxTimeout: 60_000,
        connections: 16,
        connect: { timeout: 10_000 },
      });
      this.ownsDispatcher = true;
    }
  }

  async request<T>(req: GraphRequest): Promise<GraphResponse<T>> {
    if (typeof req.path !== 'string' || unsafePath(req.path)) {
      throw this.refused(req.method, 'unsafe Graph path', String(req.path).split('?')[0] ?? '');
    }
    const url = `${this.versionRoot}${req.path}${encodeQuery(req.query)}`;
    const parsed = new URL(url);
    if (parsed.origin !== this.rootOrigin || !parsed.pathname.startsWith(this.versionPathPrefix)) {
      throw this.refused(req.method, 'path escapes the Graph root', req.path);
    }
    return (await this.execute({ ...req, url, logPath: req.path })) as GraphResponse<T>;
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
      url: parsed.href,
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
      let token: string;
      try {
        token = await this.tokenProvider.getToken(call.signal);
      } catch (e) {
        if (call.signal?.aborted) throw this.aborted(call, attempt - 1, lastClientRequestId, false);
        throw e;
      }
      if (call.signal?.aborted) throw this.aborted(call, attempt - 1, lastClientRequestId, false);

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
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`Graph request deadline of ${this.timeoutMs} ms exceeded`));
    }, this.timeoutMs);
    const onCallerAbort = () => controller.abort(call.signal?.reason);
    call.signal?.addEventListener('abort', onCallerAbort, { once: true });

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(call.headers ?? {})) {
      if (!RESERVED_HEADERS.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
    }
    headers['accept'] = 'application/json';
    headers['user-agent'] = this.userAgent;
    headers['client-request-id'] = clientRequestId;
    headers['return-client-request-id'] = 'true';
    headers['authorization'] = `Bearer ${token}`;
    const hasBody = call.body !== undefined;
    if (hasBody) headers['content-type'] = 'application/json';

    const base = { method: call.method, path: call.logPath, clientRequestId, attempts: attempt };
    const logDone = (status: number | string, requestId?: string) =>
      this.log.debug('Graph request', {
        method: call.method,
        path: call.logPath,
        status,
        requestId,
        clientRequestId,
        attempt,
        ms: this.now() - started,
      });

    let res: Dispatcher.ResponseData | undefined;
    let status: number | undefined;
    let requestId: string | undefined;
    let date: string | undefined;
    let headerDate: string | undefined;
    try {
      res = await request(call.url, {
        dispatcher: this.dispatcher,
        method: call.method,
        headers,
        body: hasBody ? JSON.stringify(call.body) : undefined,
        signal: controller.signal,
      });
      status = res.statusCode;
      requestId = headerValue(res.headers, 'request-id');
      headerDate = this.isoDate(headerValue(res.headers, 'date'), false);
      date = headerDate ?? this.isoDate(undefined);
      const contentType = headerValue(res.headers, 'content-type');
      const ids = { requestId, date };

      if (status >= 200 && status < 300) {
        const { text, truncated } = await readCapped(res.body, MAX_OK_BODY);
        logDone(status, requestId);
        if (status === 202 || status === 204 || text.trim() === '') {
          return { ok: true, response: { status, body: undefined, clientRequestId, attempts: attempt, ...ids } };
        }
        try {
          if (truncated) throw new Error('response body too large');
          return { ok: true, response: { status, body: JSON.parse(text), clientRequestId, attempts: attempt, ...ids } };
        } catch (e) {
          return {
            ok: false,
            decision: 'fail',
            error: { ...base, ...ids, kind: 'invalidResponse', status, message: `Graph ${call.method} ${call.logPath} returned an unreadable body (HTTP ${status})`, cause: e },
          };
        }
      }

      // The error body only adds detail; a failure to read it must not hide the status.
      const { text } = await readCapped(res.body, MAX_ERROR_BODY).catch(() => ({ text: '' }));
      logDone(status, requestId);
      if (call.signal?.aborted) return this.abortedResult(call, base, status);
      // Before parsing, so the cap on message length cannot cut a token into a piece that no longer matches; and
      // after, for a token spelled with JSON escapes.
      const raw = parseGraphErrorBody(withoutCredentials(text, token), contentType);
      const parsed = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [k, typeof v === 'string' ? withoutCredentials(v, token) : v]),
      ) as typeof raw;
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
          date: headerDate ?? parsed.date ?? date,
          retryAfterMs,
          ambiguous: decision === 'ambiguous',
          message:
            `Graph ${call.method} ${call.logPath} failed: HTTP ${status}` +
            (parsed.code ? ` ${parsed.code}` : '') +
            (parsed.message ? `: ${parsed.message}` : ''),
        },
      };
    } catch (e) {
      discard(res?.body);
      logDone(timedOut ? 'timeout' : call.signal?.aborted ? 'aborted' : 'error', requestId);
      if (call.signal?.aborted && !timedOut) return this.abortedResult(call, base, status);
      const code = errorCode(e);
      // Once headers arrived the request was certainly sent; before that, only connect-phase codes prove it was not.
      const networkPhase = status !== undefined || timedOut ? 'afterSend' : networkPhaseOf(code);
      const decision = classifyFailure({ method: call.method, networkPhase, aborted: false, timedOut });
      const ambiguous = decision === 'ambiguous';
      if (timedOut) {
        return {
          ok: false,
          decision,
          error: { ...base, kind: 'timeout', status, requestId, date, ambiguous, timeoutMs: this.timeoutMs, cause: e, message: `Graph ${call.method} ${call.logPath} timed out after ${this.timeoutMs} ms` },
        };
      }
      return {
        ok: false,
        decision,
        error: { ...base, kind: 'network', status, requestId, date, ambiguous, host: this.host, cause: e, message: `Graph ${call.method} ${call.logPath} failed: ${code ?? (e instanceof Error ? e.message : String(e))}` },
      };
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private abortedResult(call: Call, base: Pick<GraphErrorInit, 'method' | 'path' | 'clientRequestId' | 'attempts'>, status: number | undefined): AttemptResult {
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
    const t = raw ? Date.parse(raw) : NaN;
    if (!Number.isNaN(t)) return new Date(t).toISOString();
    return fallback ? new Date(this.now()).toISOString() : undefined;
  }
}
