// A token bucket per caller (tenant + object id; one for the whole server without sign-in), charged one token per
// tools/call: the requests that spend the tenant's Graph budget, which Graph throttles per tenant and app, not per
// user. Without it one caller's agent loop could get every other user of the tenant throttled. The buckets live in
// the state store, so with Redis a caller has one budget across all replicas.
import { StoreUnavailableError } from '../../store/errors.js';
import type { Budget, Charge, StateStore } from '../../store/types.js';

export type { Charge } from '../../store/types.js';

/** What a charge came to: a charge, or the store could not be asked (the caller decides: closed for sends, open for reads). */
export type LimitAnswer = Charge | { ok: 'unknown'; error: StoreUnavailableError };

export class RateLimiter {
  constructor(
    private readonly store: StateStore,
    private readonly budget: Budget,
  ) {}

  async take(caller: string): Promise<LimitAnswer> {
    try {
      return await this.store.take(`caller:${caller}`, this.budget);
    } catch (err) {
      if (err instanceof StoreUnavailableError) return { ok: 'unknown', error: err };
      throw err;
    }
  }
}
