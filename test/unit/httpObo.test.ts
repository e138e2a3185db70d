// Per-user Graph tokens from the on-behalf-of exchange: one exchange per user while the token lasts, shared by
// concurrent calls, never shared between users, bounded in how many users are kept.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserSessions, withDeadline, type OboExchange } from '../../src/auth/credentials/obo.js';
import { oboDeadlineError } from '../../src/auth/entraErrors/oboErrors.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/core/log.js';

const HOUR = 3_600_000;
const caller = (oid: string, assertion = `assertion-of-${oid}`, tid = 'tenant') => ({
  oid,
  tid,
  assertion,
  expiresAt: Date.now() + HOUR,
  upn: `${oid}@contoso.com`,
});

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

describe('the exchange deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** An exchange whose first call never answers (until aborted); later calls answer at once. */
  function hangsOnce() {
    const signals: AbortSignal[] = [];
    const exchange: OboExchange = (assertion, signal) => {
      signals.push(signal!);
      if (signals.length === 1)
        return new Promise((_, reject) => signal!.addEventListener('abort', () => reject(new Error('aborted underneath'))));
      return Promise.resolve({ token: `graph-for-${assertion}`, expiresOnTimestamp: Date.now() + HOUR });
    };
    return { exchange, signals };
  }

  it('ends a hung exchange at the deadline, aborts it, and the next call of that user starts a fresh one', async () => {
    vi.useFakeTimers();
    const fx = hangsOnce();
    const onTimeout = (ms: number) => oboDeadlineError(ms, { authorityHost: 'https://login.microsoftonline.com' });
    const sessions = new UserSessions({ exchange: withDeadline(fx.exchange, 15_000, onTimeout), logger: silentLogger });
    const first = sessions.forCaller(caller('alice')).tokens.getToken();
    const settled = expect(first).rejects.toMatchObject({
      code: 'network',
      message: expect.stringMatching(/did not answer within 15 s \(CLOUDPC_MCP_OBO_TIMEOUT_MS\)/),
    });
    await vi.advanceTimersByTimeAsync(14_999);
    expect(fx.signals[0]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    expect(fx.signals[0]!.aborted).toBe(true);
    expect(await sessions.forCaller(caller('alice')).tokens.getToken()).toBe('graph-for-assertion-of-alice');
    expect(fx.signals).toHaveLength(2);
  });

  it('an answer in time is kept, and the timer does not fire later', async () => {
    vi.useFakeTimers();
    const fx = fakeExchange(Date.now);
    let timeouts = 0;
    const exchange = withDeadline(fx.exchange, 15_000, () => {
      timeouts++;
      return new Error('late');
    });
    const sessions = new UserSessions({ exchange, logger: silentLogger });
    expect(await sessions.forCaller(caller('bob')).tokens.getToken()).toMatch(/^graph-for-assertion-of-bob/);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(timeouts).toBe(0);
  });

  it("a caller's abort reaches the exchange underneath", async () => {
    const fx = hangsOnce();
    const controller = new AbortController();
    const pending = withDeadline(fx.exchange, 15_000, () => new Error('late'))('a', controller.signal);
    controller.abort(new Error('client left'));
    await expect(pending).rejects.toThrow('aborted underneath');
    expect(fx.signals[0]!.aborted).toBe(true);
  });
});

describe('CLOUDPC_MCP_OBO_TIMEOUT_MS', () => {
  const entra = {
    CLOUDPC_MCP_TRANSPORT: 'http',
    CLOUDPC_MCP_HTTP_AUTH: 'entra',
    AZURE_TENANT_ID: '7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b',
    AZURE_CLIENT_ID: '3a8e6c1d-2b4f-4e70-9c8d-1e2f3a4b5c6d',
    AZURE_CLIENT_SECRET: 's',
  };
  it.each<[Record<string, string>, string[], number | RegExp]>([
    [{}, [], 15_000],
    [{ CLOUDPC_MCP_OBO_TIMEOUT_MS: '2500' }, [], 2_500],
    [{}, ['--obo-timeout-ms', '30000'], 30_000],
    [{ CLOUDPC_MCP_OBO_TIMEOUT_MS: '10' }, [], /CLOUDPC_MCP_OBO_TIMEOUT_MS \(--obo-timeout-ms\).*from 1000 to 300000/],
  ])('%j %j → %s', (env, argv, expected) => {
    const r = loadConfig(argv, { ...entra, ...env });
    if (typeof expected === 'number') expect(r.ok && r.config.http.entra?.oboTimeoutMs).toBe(expected);
    else expect(r.ok ? '' : JSON.stringify(r.problems)).toMatch(expected);
  });
});
