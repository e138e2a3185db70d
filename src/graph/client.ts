// Microsoft Graph client: one keep-alive agent, per-attempt deadlines, throttling-aware retries that never
// re-send a POST the service may already have accepted.

import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { createGraphAgent, GRAPH_CONNECTIONS, proxyOf } from './dispatcher.js';
import { exchange, ExchangeFailure } from './exchange.js';
import { silentLogger, type Logger } from '../core/log.js';
import { GraphError, type GraphErrorInit } from './errors.js';
import { failureOutcome, headerValue, HttpDates, responseOutcome, type AttemptResult, type OutcomeContext } from './outcome.js';
import type { ProxyChoice } from './proxy.js';
import { nextLinkTarget, requestHeaders, requestTarget } from './requestTarget.js';
import { isRetryableStatus, nextRetryWait, resolveThrottlePolicy, type ThrottlePolicy } from './retryPolicy.js';
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
  /** Injected dispatcher (a shared GraphPool, tests). The client never closes one it did not create. Default: its own GraphPool, proxied as the environment says. */
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
  /** Named in network errors; never its credentials. */
  private readonly proxy: ProxyChoice | undefined;
  private readonly dates = new HttpDates();
  private readonly isoDate = (raw: string | undefined) => this.dates.iso(raw);
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
      this.dispatcher = createGraphAgent({ connections: GRAPH_CONNECTIONS.stdio });
      this.ownsDispatcher = true;
    }
    this.proxy = proxyOf(this.dispatcher, this.rootOrigin);
    this.log.debug(
      this.proxy
        ? `Graph requests go through the proxy ${this.proxy.shown} (${this.proxy.variable})`
        : 'Graph requests go straight to Graph',
      { graph: this.rootOrigin },
    );
  }

  async request<T>(req: GraphRequest): Promise<GraphResponse<T>> {
    const target = requestTarget(this.versionPathPrefix, req.path, req.query);
    if (target === undefined) throw this.refused(req.method, 'unsafe Graph path', String(req.path).split('?')[0] ?? '');
    const call: Call = {
      method: req.method,
      target,
      logPath: req.path,
      body: req.body,
      headers: req.headers,
      signal: req.signal,
      onThrottle: req.onThrottle,
    };
    return (await this.execute(call)) as GraphResponse<T>;
  }

  /** Follows an @odata.nextLink; refuses anything outside this client's versioned Graph root so the token never leaves it. */
  async getNextLink<T>(req: GraphNextLinkRequest): Promise<GraphResponse<T>> {
    const link = nextLinkTarget(this.rootOrigin, this.versionPathPrefix, req.url);
    if (!link.ok) throw this.refused('GET', 'nextLink outside the Graph root', link.shownPath);
    const call: Call = {
      method: 'GET',
      target: link.target,
      logPath: link.logPath,
      headers: req.headers,
      signal: req.signal,
      onThrottle: req.onThrottle,
    };
    return (await this.execute(call)) as GraphResponse<T>;
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
      const token = await this.tokenFor(call, attempt - 1, lastClientRequestId);
      lastClientRequestId = this.newId();
      const result = await this.attempt(call, token, lastClientRequestId, attempt);
      if (result.ok) return result.response;

      const err = result.error;
      const waitMs =
        result.decision === 'retry'
          ? nextRetryWait(this.policy, { attempt, waitedMs, retryAfterMs: result.retryAfterMs }, this.random)
          : undefined;
      if (waitMs === undefined) throw new GraphError(finalError(err));
      this.announceRetry(call, err, attempt, waitMs);
      try {
        await this.sleep(waitMs, call.signal);
      } catch {
        throw this.aborted(call, attempt, lastClientRequestId, false);
      }
      if (call.signal?.aborted) throw this.aborted(call, attempt, lastClientRequestId, false);
      waitedMs += waitMs;
    }
  }

  /** A token for the next attempt; a cancelled call stops here with nothing in doubt. */
  private async tokenFor(call: Call, attemptsSoFar: number, lastClientRequestId: string): Promise<string> {
    if (call.signal?.aborted) throw this.aborted(call, attemptsSoFar, lastClientRequestId, false);
    const ready = this.tokenProvider.readyToken?.();
    if (ready !== undefined) return ready;
    let token: string;
    try {
      token = await this.tokenProvider.getToken(call.signal);
    } catch (e) {
      if (call.signal?.aborted) throw this.aborted(call, attemptsSoFar, lastClientRequestId, false);
      throw e;
    }
    if (call.signal?.aborted) throw this.aborted(call, attemptsSoFar, lastClientRequestId, false);
    return token;
  }

  private announceRetry(call: Call, err: GraphErrorInit, attempt: number, waitMs: number): void {
    const throttled = err.status !== undefined && isRetryableStatus(err.status);
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
  }

  private async attempt(call: Call, token: string, clientRequestId: string, attempt: number): Promise<AttemptResult> {
    const started = this.now();
    if (token !== this.lastAuth[0]) this.lastAuth = [token, `Bearer ${token}`];
    const hasBody = call.body !== undefined;
    const headers = requestHeaders(
      { userAgent: this.userAgent, clientRequestId, authorization: this.lastAuth[1], json: hasBody },
      call.headers,
    );

    const logDone = (status: number | string, requestId?: string) => {
      this.log.debug('Graph request', {
        method: call.method,
        path: call.logPath,
        status,
        requestId,
        clientRequestId,
        attempt,
        ms: this.now() - started,
      });
    };
    try {
      const res = await exchange({
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
      logDone(res.status, headerValue(res.headers, 'request-id'));
      return responseOutcome(this.outcomeContext(call, token, clientRequestId, attempt), res);
    } catch (e) {
      const failure = e instanceof ExchangeFailure ? e : new ExchangeFailure(e, false, false);
      logDone(
        failure.timedOut ? 'timeout' : failure.callerAborted ? 'aborted' : 'error',
        failure.headers ? headerValue(failure.headers, 'request-id') : undefined,
      );
      return failureOutcome(this.outcomeContext(call, token, clientRequestId, attempt), failure);
    }
  }

  /** Built once the exchange is over: the clock and the cancel reason are read then. */
  private outcomeContext(call: Call, token: string, clientRequestId: string, attempt: number): OutcomeContext {
    return {
      base: { method: call.method, path: call.logPath, clientRequestId, attempts: attempt },
      token,
      timeoutMs: this.timeoutMs,
      host: this.host,
      nowMs: this.now(),
      isoDate: this.isoDate,
      cancelReason: call.signal?.reason,
      ...(this.proxy ? { proxy: this.proxy } : {}),
    };
  }
}

/** Exhausted 429/503 becomes 'throttled'; everything else keeps its kind. */
function finalError(err: GraphErrorInit): GraphErrorInit {
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
