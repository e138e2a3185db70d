// What one Graph exchange came to: a response to hand back, or a failure with the decision the client acts on (send
// again, stop, or stop because a POST may already have been accepted). Pure: the client passes in the clock, the
// token to cut out of error text and a date converter; no I/O happens here, so every outcome is a table test.
import type { ExchangeFailure, ExchangeResponse } from './exchange.js';
import { parseGraphErrorBody, type GraphErrorInit, type GraphProxyFailure } from './errors.js';
import { parseWithoutCredentials } from './redact.js';
import { classifyFailure, isRetryableStatus, networkPhaseOf, parseRetryAfter, type FailureDecision } from './retryPolicy.js';
import type { ProxyChoice } from './proxy.js';
import type { GraphResponse } from './types.js';

export type AttemptBase = Pick<GraphErrorInit, 'method' | 'path' | 'clientRequestId' | 'attempts'>;

export type AttemptResult =
  { ok: true; response: GraphResponse<unknown> } | { ok: false; error: GraphErrorInit; decision: FailureDecision; retryAfterMs?: number };

export interface OutcomeContext {
  /** The attempt: method, path below the versioned root (what errors show), client-request-id, attempt number. */
  base: AttemptBase;
  /** The bearer token that was sent, cut out of anything the far end says. */
  token: string;
  /** The per-attempt deadline, named in timeout errors. */
  timeoutMs: number;
  /** Host of the Graph root, named in network errors. */
  host: string;
  nowMs: number;
  /** ISO form of an HTTP Date header value, or undefined when there is none or it cannot be read. */
  isoDate(raw: string | undefined): string | undefined;
  /** Why the caller cancelled (its signal's reason), for an aborted attempt. */
  cancelReason?: unknown;
  /** The proxy the request went through, if any: named in network errors. */
  proxy?: Pick<ProxyChoice, 'shown' | 'variable'>;
}

type Headers = Record<string, string | string[] | undefined>;

export function headerValue(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown })?.code ?? (e as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

function dateOr(ctx: OutcomeContext, raw: string | undefined): string {
  return ctx.isoDate(raw) ?? new Date(ctx.nowMs).toISOString();
}

/** A complete answer: 2xx becomes the response (202/204/empty without a body), anything else an HTTP failure. */
export function responseOutcome(ctx: OutcomeContext, res: ExchangeResponse): AttemptResult {
  const { status } = res;
  const { base } = ctx;
  if (status < 200 || status >= 300) return httpFailure(ctx, res);
  const requestId = headerValue(res.headers, 'request-id');
  const date = dateOr(ctx, headerValue(res.headers, 'date'));
  const meta = { clientRequestId: base.clientRequestId, attempts: base.attempts, requestId, date };
  if (status === 202 || status === 204 || res.body.trim() === '') return { ok: true, response: { status, body: undefined, ...meta } };
  try {
    if (res.truncated) throw new Error('response body too large');
    return { ok: true, response: { status, body: JSON.parse(res.body), ...meta } };
  } catch (e) {
    const message = `Graph ${base.method} ${base.path} returned an unreadable body (HTTP ${status})`;
    return { ok: false, decision: 'fail', error: { ...base, requestId, date, kind: 'invalidResponse', status, message, cause: e } };
  }
}

/** The exchange did not complete: cancelled, timed out, cut off, or never connected. */
export function failureOutcome(ctx: OutcomeContext, failure: ExchangeFailure): AttemptResult {
  const { status, timedOut } = failure;
  const { base } = ctx;
  if (failure.callerAborted) return abortedOutcome(ctx, status);
  if (status !== undefined && status >= 300 && !timedOut) {
    // Only the error body failed to arrive: it adds detail, and losing it must not hide the status.
    return httpFailure(ctx, { status, headers: failure.headers ?? {}, body: '', truncated: true });
  }
  const requestId = failure.headers ? headerValue(failure.headers, 'request-id') : undefined;
  const date = dateOr(ctx, failure.headers ? headerValue(failure.headers, 'date') : undefined);
  const cause = failure.cause;
  const code = errorCode(cause);
  // Once headers arrived the request was certainly sent; before that, only connect-phase codes prove it was not.
  const networkPhase = status !== undefined || timedOut ? 'afterSend' : networkPhaseOf(code);
  const proxy = ctx.proxy && status === undefined && !timedOut ? proxyFailure(ctx.proxy, cause, networkPhase) : undefined;
  const decision = classifyFailure({ method: base.method, networkPhase, aborted: false, timedOut, proxyStatus: proxy?.status });
  const shared = { ...base, status, requestId, date, ambiguous: decision === 'ambiguous', cause };
  if (timedOut) {
    return {
      ok: false,
      decision,
      error: {
        ...shared,
        kind: 'timeout',
        timeoutMs: ctx.timeoutMs,
        message: `Graph ${base.method} ${base.path} timed out after ${ctx.timeoutMs} ms`,
      },
    };
  }
  const why =
    proxy?.status !== undefined
      ? `the proxy ${proxy.shown} answered HTTP ${proxy.status}`
      : (code ?? (cause instanceof Error ? cause.message : String(cause)));
  const via = proxy && proxy.status === undefined ? ` (through the proxy ${proxy.shown})` : '';
  return {
    ok: false,
    decision,
    error: {
      ...shared,
      kind: 'network',
      host: ctx.host,
      ...(proxy ? { proxy } : {}),
      message: `Graph ${base.method} ${base.path} failed: ${why}${via}`,
    },
  };
}

// undici's ProxyAgent reports a refused tunnel only in its message, "Proxy response (407) !== 200 when HTTP Tunneling"
// (code UND_ERR_ABORTED; see nodejs/undici#2161): the status is read from there. The tunnel test in
// test/e2e/proxy.test.ts fails if a new undici says it differently.
const TUNNEL_REFUSED = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling/;

/** A failure on the way through a proxy: the proxy refused the tunnel, could not be reached, or the path broke later. */
function proxyFailure(proxy: Pick<ProxyChoice, 'shown' | 'variable'>, cause: unknown, phase: 'connect' | 'afterSend'): GraphProxyFailure {
  const named = { shown: proxy.shown, variable: proxy.variable };
  const refused = cause instanceof Error ? TUNNEL_REFUSED.exec(cause.message) : null;
  if (refused) return { ...named, status: Number(refused[1]) };
  // With a proxy, the only connection this side opens is to the proxy: a connect-phase failure is the proxy's.
  return phase === 'connect' ? { ...named, unreachable: true } : named;
}

function httpFailure(ctx: OutcomeContext, res: ExchangeResponse): AttemptResult {
  const { status } = res;
  const { base } = ctx;
  const requestId = headerValue(res.headers, 'request-id');
  const parsed = parseWithoutCredentials(res.body, ctx.token, (text) =>
    parseGraphErrorBody(text, headerValue(res.headers, 'content-type')),
  );
  const retryAfterMs = parseRetryAfter(res.headers, ctx.nowMs);
  const decision = classifyFailure({ method: base.method, status, aborted: false, timedOut: false });
  const detail = (parsed.code ? ` ${parsed.code}` : '') + (parsed.message ? `: ${parsed.message}` : '');
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
      date: ctx.isoDate(headerValue(res.headers, 'date')) ?? parsed.date ?? new Date(ctx.nowMs).toISOString(),
      retryAfterMs,
      ambiguous: decision === 'ambiguous',
      message: `Graph ${base.method} ${base.path} failed: HTTP ${status}${detail}`,
    },
  };
}

function abortedOutcome(ctx: OutcomeContext, status: number | undefined): AttemptResult {
  const { method } = ctx.base;
  // With a status in hand the answer decides (a 429 was not processed, a 500 may have been);
  // without one, an in-flight POST may have gone out.
  const verdict =
    status !== undefined
      ? classifyFailure({ method, status, aborted: false, timedOut: false })
      : classifyFailure({ method, networkPhase: 'afterSend', aborted: true, timedOut: false });
  const ambiguous = verdict === 'ambiguous' || (status !== undefined && status < 300 && method !== 'GET');
  return {
    ok: false,
    decision: 'fail',
    error: {
      ...ctx.base,
      kind: 'aborted',
      status,
      ambiguous,
      cause: ctx.cancelReason,
      message: `Graph ${method} ${ctx.base.path} cancelled by the client`,
    },
  };
}

/** Remembers the last Date header it converted: the value changes once a second, so a burst of calls shares one parse. */
export class HttpDates {
  #last: [string, string] = ['', ''];

  iso(raw: string | undefined): string | undefined {
    if (!raw) return undefined;
    if (raw === this.#last[0]) return this.#last[1];
    const t = Date.parse(raw);
    if (Number.isNaN(t)) return undefined;
    const iso = new Date(t).toISOString();
    this.#last = [raw, iso];
    return iso;
  }
}
