// Per-user Graph tokens from the on-behalf-of exchange: one exchange per user while the token lasts, shared by
// concurrent calls, never shared between users, bounded in how many users are kept.
import { describe, expect, it } from 'vitest';
import { UserSessions } from '../../src/auth/obo.js';
import { silentLogger } from '../../src/core/log.js';

const HOUR = 3_600_000;
const caller = (oid: string, assertion = `assertion-of-${oid}`, tid = 'tenant') => ({ oid, tid, assertion, expiresAt: Date.now() + HOUR, upn: `${oid}@contoso.com` });

function fakeExchange(now: () => number) {
  const calls: string[] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  return {
    calls,
    hold() {
      gate = new Promise((r) => (release = r));
    },
    release: () => release?.(),
    exchange: async (assertion: string) => {
      calls.push(assertion);
      if (gate) await gate;
      return { token: `graph-for-${assertion}-${calls.length}`, expiresOnTimestamp: now() + HOUR };
    },
  };
}

describe('UserSessions', () => {
  it('exchanges once per user while the Graph token lasts, and again shortly before it expires', async () => {
    let t = 1_000_000;
    const fx = fakeExchange(() => t);
    const sessions = new UserSessions({ exchange: fx.exchange, logger: silentLogger, now: () => t });
    const first = await sessions.forCaller(caller('alice', 'a1')).tokens.getToken();
    expect(await sessions.forCaller(caller('alice', 'a2')).tokens.getToken()).toBe(first);
    expect(fx.calls).toEqual(['a1']);
    t += HOUR - 4 * 60_000; // inside the 5-minute refresh margin
    const renewed = await sessions.forCaller(caller('alice', 'a3')).tokens.getToken();
    expect(renewed).not.toBe(first);
    // The renewal used the caller's latest token, not the first one (which may have expired by then).
    expect(fx.calls).toEqual(['a1', 'a3']);
  });

  it('concurrent calls of one user share one exchange; another user (or the same oid in another tenant) gets their own', async () => {
    const fx = fakeExchange(Date.now);
    const sessions = new UserSessions({ exchange: fx.exchange, logger: silentLogger });
    fx.hold();
    const alice = sessions.forCaller(caller('alice'));
    const both = Promise.all([alice.tokens.getToken(), alice.tokens.getToken()]);
    fx.release();
    const [x, y] = await both;
    expect(x).toBe(y);
    const bob = await sessions.forCaller(caller('bob')).tokens.getToken();
    const otherTenant = await sessions.forCaller(caller('alice', 'alice-elsewhere', 'tenant-2')).tokens.getToken();
    expect(new Set([x, bob, otherTenant]).size).toBe(3);
    expect(fx.calls).toEqual(['assertion-of-alice', 'assertion-of-bob', 'alice-elsewhere']);
    expect(sessions.forCaller(caller('bob')).bulkActionCache).not.toBe(alice.bulkActionCache);
  });

  it('keeps at most maxUsers, dropping the least recently seen', async () => {
    const fx = fakeExchange(Date.now);
    const sessions = new UserSessions({ exchange: fx.exchange, logger: silentLogger, maxUsers: 2 });
    await sessions.forCaller(caller('u1')).tokens.getToken();
    await sessions.forCaller(caller('u2')).tokens.getToken();
    await sessions.forCaller(caller('u1')).tokens.getToken();
    await sessions.forCaller(caller('u3')).tokens.getToken(); // u2 is dropped, u1 was seen more recently
    expect(sessions.size).toBe(2);
    await sessions.forCaller(caller('u1')).tokens.getToken();
    await sessions.forCaller(caller('u2')).tokens.getToken();
    expect(fx.calls).toEqual(['assertion-of-u1', 'assertion-of-u2', 'assertion-of-u3', 'assertion-of-u2']);
  });

  it('a failed exchange is not cached: the next call tries again', async () => {
    let fail = true;
    const sessions = new UserSessions({
      logger: silentLogger,
      exchange: async () => {
        if (fail) throw new Error('AADSTS50013: assertion invalid');
        return { token: 'ok', expiresOnTimestamp: Date.now() + HOUR };
      },
    });
    await expect(sessions.forCaller(caller('alice')).tokens.getToken()).rejects.toThrow(/AADSTS50013/);
    fail = false;
    expect(await sessions.forCaller(caller('alice')).tokens.getToken()).toBe('ok');
  });
});
