// Each caller's budget of tool calls: a token bucket (burst, then a steady rate), one per caller, with a Retry-After
// that says when the next call will be taken.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/transports/http/rateLimit.js';

function limiter(perMinute: number, burst: number, maxCallers?: number) {
  let t = 1_000_000;
  const l = new RateLimiter({ perMinute, burst, now: () => t, ...(maxCallers ? { maxCallers } : {}) });
  return { take: (who: string) => l.take(who), advance: (ms: number) => (t += ms) };
}

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the seconds until the next token', () => {
    const l = limiter(6, 3); // one token every 10 s
    expect([l.take('a'), l.take('a'), l.take('a')]).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(l.take('a')).toEqual({ ok: false, retryAfterS: 10 });
    l.advance(4_000);
    expect(l.take('a')).toEqual({ ok: false, retryAfterS: 6 });
    l.advance(6_000);
    expect(l.take('a')).toEqual({ ok: true });
    expect(l.take('a')).toEqual({ ok: false, retryAfterS: 10 });
  });

  it('refills steadily up to the burst, never beyond', () => {
    const l = limiter(60, 2);
    l.take('a');
    l.take('a');
    l.advance(3_600_000);
    expect([l.take('a'), l.take('a'), l.take('a')].map((c) => c.ok)).toEqual([true, true, false]);
  });

  it('keeps one bucket per caller: one caller spending its budget does not touch another', () => {
    const l = limiter(1, 1);
    expect(l.take('tenant/alice').ok).toBe(true);
    expect(l.take('tenant/alice').ok).toBe(false);
    expect(l.take('tenant/bob').ok).toBe(true);
  });

  it('Retry-After is at least one second', () => {
    const l = limiter(600_000, 1);
    l.take('a');
    expect(l.take('a')).toEqual({ ok: false, retryAfterS: 1 });
  });

  it('0 per minute turns the limit off', () => {
    const l = limiter(0, 1);
    expect(Array.from({ length: 100 }, () => l.take('a').ok).every(Boolean)).toBe(true);
  });

  it('remembers a bounded number of callers, forgetting the least recently seen', () => {
    const l = limiter(1, 1, 2);
    l.take('a');
    l.take('b');
    l.take('a'); // refused, but seen: b is now the least recent
    l.take('c'); // forgets b, keeps a's spent bucket
    expect(l.take('a').ok).toBe(false);
    expect(l.take('b').ok).toBe(true);
  });
});
