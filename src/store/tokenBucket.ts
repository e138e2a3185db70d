// Pure: one token bucket step. The Redis store runs the same arithmetic in a script (redisScripts.ts), so a caller's
// budget is one across replicas; keep the two in step.
import type { Budget, Charge } from './types.js';

export interface Bucket {
  tokens: number;
  at: number;
}

/** The bucket after one call at `now`, and whether the call may go. A missing bucket is full. */
export function takeToken(bucket: Bucket | undefined, budget: Budget, now: number): { bucket: Bucket; charge: Charge } {
  const perMs = budget.perMinute / 60_000;
  const start = bucket ?? { tokens: budget.burst, at: now };
  const tokens = Math.min(budget.burst, start.tokens + Math.max(0, now - start.at) * perMs);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, charge: { ok: true } };
  return { bucket: { tokens, at: now }, charge: { ok: false, retryAfterS: retryAfterS(tokens, perMs) } };
}

export function retryAfterS(tokens: number, perMs: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
}

/** How long an untouched bucket matters: after this it has refilled and can be forgotten. */
export function bucketLifeMs(budget: Budget): number {
  return Math.ceil((budget.burst / budget.perMinute) * 60_000) + 1_000;
}
