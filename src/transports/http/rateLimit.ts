// A token bucket per caller (tenant + object id; one for the whole server without sign-in), charged one token per
// tools/call: the requests that spend the tenant's Graph budget, which Graph throttles per tenant and app, not per
// user. Without it one caller's agent loop could get every other user of the tenant throttled.

export interface RateLimitOptions {
  /** Tokens added per minute, continuously; 0 turns the limit off. */
  perMinute: number;
  /** Bucket size: calls a caller may make at once. */
  burst: number;
  /** Callers remembered at most; the least recently seen are forgotten first (their bucket has refilled, as a rule). */
  maxCallers?: number;
  now?: () => number;
}

export type Charge = { ok: true } | { ok: false; retryAfterS: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly maxCallers: number;
  private readonly now: () => number;

  constructor(opts: RateLimitOptions) {
    this.perMs = opts.perMinute / 60_000;
    this.burst = opts.burst;
    this.maxCallers = opts.maxCallers ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Takes one token from the caller's bucket, or says how many whole seconds until one is there. */
  take(caller: string): Charge {
    if (this.perMs === 0) return { ok: true };
    const now = this.now();
    const bucket = this.buckets.get(caller) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
    bucket.at = now;
    // Re-inserted, so the map's order is least recently seen first.
    this.buckets.delete(caller);
    this.buckets.set(caller, bucket);
    if (this.buckets.size > this.maxCallers) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }
}
