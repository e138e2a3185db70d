// Pure retry/throttling decisions for the Graph client. No I/O, no clocks: callers pass time and randomness in.

import type { HttpMethod } from './types.js';

export interface ThrottlePolicy {
  /** Total attempts, including the first. */
  maxAttempts: number;
  /** Upper bound on the sum of all waits between attempts. */
  maxTotalWaitMs: number;
  /** First backoff step when the server gives no Retry-After. */
  baseDelayMs: number;
}

export const DEFAULT_THROTTLE_POLICY: Readonly<ThrottlePolicy> = Object.freeze({
  maxAttempts: 4,
  maxTotalWaitMs: 60_000,
  baseDelayMs: 1_000,
});

export function resolveThrottlePolicy(p?: Partial<ThrottlePolicy>): ThrottlePolicy {
  const pick = (v: number | undefined, d: number, min: number) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min ? Math.floor(v) : d;
  return {
    maxAttempts: pick(p?.maxAttempts, DEFAULT_THROTTLE_POLICY.maxAttempts, 1),
    maxTotalWaitMs: pick(p?.maxTotalWaitMs, DEFAULT_THROTTLE_POLICY.maxTotalWaitMs, 0),
    baseDelayMs: pick(p?.baseDelayMs, DEFAULT_THROTTLE_POLICY.baseDelayMs, 0),
  };
}

export type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const rec = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : rec[key];
  return Array.isArray(v) ? v[0] : v;
}

// Strict: "12abc" or "1e3" must not be read as a number of seconds.
const DECIMAL = /^\d+(\.\d+)?$/;

function parseNumber(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim();
  if (!DECIMAL.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * How long the server asked us to wait, in ms. The millisecond headers are preferred because they are more
 * precise than Retry-After's whole seconds; an HTTP-date in the past means "now" (0).
 */
export function parseRetryAfter(headers: HeaderSource, nowMs: number): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = parseNumber(header(headers, name));
    if (ms !== undefined) return Math.ceil(ms);
  }
  const raw = header(headers, 'retry-after')?.trim();
  if (!raw) return undefined;
  const secs = parseNumber(raw);
  if (secs !== undefined) return Math.ceil(secs * 1000);
  // Only an HTTP-date is acceptable here; a bare number that failed the strict check (e.g. "-5") is garbage.
  if (/^[+-]?\d/.test(raw)) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** 429 and 503 mean the service did not process the request, so re-sending is safe even for POST. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/** Statuses after which a GET is worth repeating: gateway/transient server failures. */
const GET_RETRY_STATUSES = new Set([500, 502, 504]);
/** 5xx that say the request was not handled at all, so a POST is not in doubt. */
const POST_NOT_PROCESSED_5XX = new Set([501, 503, 505]);

export interface FailureInfo {
  method: HttpMethod;
  status?: number;
  /**
   * 'connect': failed before any byte of the request was written (refused, DNS, connect timeout).
   * 'afterSend': the request may have been written (reset, socket closed, deadline while waiting).
   */
  networkPhase?: 'connect' | 'afterSend';
  /** The caller cancelled. */
  aborted: boolean;
  /** The per-attempt deadline fired. */
  timedOut: boolean;
  /** A proxy refused to open the tunnel to Graph, with this status: nothing reached Graph. */
  proxyStatus?: number;
}

/**
 * 'retry': safe to send again. 'fail': stop, and the request certainly had no effect (or was a plain rejection).
 * 'ambiguous': stop and never re-send — a POST may already have been accepted by the service.
 */
export type FailureDecision = 'retry' | 'fail' | 'ambiguous';

export function classifyFailure(f: FailureInfo): FailureDecision {
  // 407 or a policy refusal stays until someone changes the settings; a 5xx from the proxy may pass.
  if (f.proxyStatus !== undefined) return f.proxyStatus >= 500 ? 'retry' : 'fail';
  const post = f.method !== 'GET';
  if (f.status !== undefined) {
    if (isRetryableStatus(f.status)) return 'retry';
    if (!post) return GET_RETRY_STATUSES.has(f.status) ? 'retry' : 'fail';
    return f.status >= 500 && !POST_NOT_PROCESSED_5XX.has(f.status) ? 'ambiguous' : 'fail';
  }
  if (f.aborted) {
    // A cancelled request is never repeated; it is only in doubt if it may have gone out.
    return post && f.networkPhase !== 'connect' ? 'ambiguous' : 'fail';
  }
  if (f.networkPhase === 'connect') return 'retry';
  // Timeouts and resets without a known phase are treated as "maybe sent": the safe side for POST.
  return post ? 'ambiguous' : 'retry';
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Maps a Node/undici error code to the phase in which the request failed; unknown codes count as after-send. */
export function networkPhaseOf(code: string | undefined): 'connect' | 'afterSend' {
  return code !== undefined && CONNECT_CODES.has(code) ? 'connect' : 'afterSend';
}

/**
 * Exponential backoff with full jitter (uniform in [floor, cap]), so many clients throttled at once do not
 * come back in lockstep. The floor (a tenth of the step) keeps an unlucky draw from retrying instantly.
 * `attempt` is 1-based: the wait after the first failed attempt uses attempt = 1.
 */
export function backoffDelayMs(attempt: number, opts: { baseMs?: number; maxMs: number }, random: () => number = Math.random): number {
  const base = Math.max(0, opts.baseMs ?? DEFAULT_THROTTLE_POLICY.baseDelayMs);
  const n = Math.max(1, Math.floor(attempt));
  const step = Math.min(Math.max(0, opts.maxMs), base * 2 ** Math.min(n - 1, 30));
  const r = Math.min(1, Math.max(0, random()));
  const floor = step / 10;
  return Math.round(floor + r * (step - floor));
}

export interface RetryWaitInput {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** Time already spent waiting between earlier attempts. */
  waitedMs: number;
  /** What the server asked for (Retry-After and friends), if it said. */
  retryAfterMs?: number;
}

/**
 * How long to wait before sending again, or undefined to give up now: attempts are spent, the wait budget is, or the
 * server asked for more than is left (its requested wait is never shortened).
 */
export function nextRetryWait(policy: ThrottlePolicy, input: RetryWaitInput, random: () => number = Math.random): number | undefined {
  if (input.attempt >= policy.maxAttempts) return undefined;
  const remaining = policy.maxTotalWaitMs - input.waitedMs;
  if (input.retryAfterMs !== undefined) return input.retryAfterMs > remaining ? undefined : input.retryAfterMs;
  if (remaining <= 0) return undefined;
  return Math.min(remaining, backoffDelayMs(input.attempt, { baseMs: policy.baseDelayMs, maxMs: policy.maxTotalWaitMs }, random));
}
