// The approval page under abuse, on both stores (memory, and a real redis-server): requests without a page session
// are limited per client address, and one address flooding sign-ins cannot push out another person's sign-in in
// progress. The routes run on a real loopback HTTP server; the Entra side is a stand-in SignIn that records redeems.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, type RedisClientType } from 'redis';
import { createRoutes, SIGN_INS_PER_ADDRESS, UNAUTHENTICATED_BUDGET, type SignIn } from '../../src/approval/routes.js';
import { clientAddressOf } from '../../src/approval/clientAddress.js';
import type { Logger } from '../../src/core/log.js';
import { MemoryStore } from '../../src/store/memory.js';
import { RedisStore } from '../../src/store/redis.js';
import type { StateStore } from '../../src/store/types.js';
import { PlanStore } from '../../src/tools/retry/plans.js';
import { request, type HttpAnswer } from '../support/approval-browser.js';
import { startRedis, type TestRedis } from '../support/redisServer.js';

describe('clientAddressOf', () => {
  it.each<[string, string | undefined, string | undefined, number, string]>([
    ['no proxy trusted: the connection', '10.0.0.9', '1.2.3.4', 0, '10.0.0.9'],
    ['one proxy: the address it saw (the last entry)', '10.0.0.9', '6.6.6.6, 1.2.3.4', 1, '1.2.3.4'],
    ['two proxies: one further back', '10.0.0.9', '6.6.6.6, 1.2.3.4, 10.1.1.1', 2, '1.2.3.4'],
    ['a client-written entry further left is never used', '10.0.0.9', 'forged, 1.2.3.4', 1, '1.2.3.4'],
    ['no header: the connection', '10.0.0.9', undefined, 1, '10.0.0.9'],
  ])('%s', (_what, remote, xff, hops, expected) => {
    expect(clientAddressOf(remote, xff, hops)).toBe(expected);
  });
});

let redis: TestRedis;
let redisClient: RedisClientType;
beforeAll(async () => {
  redis = await startRedis();
  redisClient = createClient({ url: redis.url });
  await redisClient.connect();
});
afterAll(async () => {
  await redisClient?.close();
  await redis?.stop();
});

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const STORES: [string, () => StateStore][] = [
  // A small total, so the flood below fills it: new sign-ins are then refused, old ones are not pushed out.
  ['memory', () => new MemoryStore({ maxSignIns: 8 })],
  ['redis', () => new RedisStore({ client: redisClient, prefix: 'abuse:', where: 'test' })],
];

describe.each(STORES)('approval page abuse (%s store)', (_name, make) => {
  let server: http.Server;
  let base: string;
  const redeemed: string[] = [];
  beforeEach(async () => {
    await redis.flush();
    redeemed.length = 0;
    const signIn: SignIn = {
      authorizeUrl: async ({ state }) => `https://login.invalid/authorize?state=${state}`,
      redeem: async ({ codeVerifier }) => {
        redeemed.push(codeVerifier);
        return { tid: 't', oid: 'victim' };
      },
    };
    const routes = createRoutes({
      plans: new PlanStore({ ttlMs: 60_000, store: make() }),
      logger: quiet,
      origins: () => [base],
      signIn,
      secure: false,
      trustedProxyHops: 1,
    });
    server = http.createServer((req, res) => void routes(req, res).then((done) => done || res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return () => new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const open = (address: string) => request(`${base}/approve/plan-${'a'.repeat(32)}`, { headers: { 'x-forwarded-for': address } });

  it('limits requests without a session per address: 429 with Retry-After once the burst is spent; other addresses go on', async () => {
    const statuses: number[] = [];
    let last: HttpAnswer | undefined;
    for (let i = 0; i < UNAUTHENTICATED_BUDGET.burst + 3; i++) statuses.push((last = await open('203.0.113.1')).status);
    expect(statuses.slice(0, UNAUTHENTICATED_BUDGET.burst).every((s) => s === 303)).toBe(true);
    expect(statuses.slice(UNAUTHENTICATED_BUDGET.burst)).toEqual([429, 429, 429]);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await open('203.0.113.2')).status).toBe(303);
  });

  it("one address starting many sign-ins cannot cancel another person's sign-in in progress", async () => {
    const victim = await open('198.51.100.7');
    expect(victim.status).toBe(303);
    const state = new URL(victim.headers.location!).searchParams.get('state')!;
    const cookie = String(victim.headers['set-cookie']?.[0]).split(';')[0]!;
    // The attacker spends every request its addresses may make, each one a new sign-in.
    const answers: number[] = [];
    for (const address of ['203.0.113.66', '203.0.113.67', '203.0.113.68']) {
      for (let i = 0; i < UNAUTHENTICATED_BUDGET.burst; i++) answers.push((await open(address)).status);
    }
    expect(UNAUTHENTICATED_BUDGET.burst).toBeGreaterThan(SIGN_INS_PER_ADDRESS);
    // Memory (8 in all): once full, new sign-ins are refused (503), never made room for by dropping the victim's.
    if (_name === 'memory') expect(answers).toContain(503);
    const back = await request(`${base}/approve/callback?code=c&state=${encodeURIComponent(state)}`, {
      headers: { cookie, 'x-forwarded-for': '198.51.100.7' },
    });
    expect(back.status, back.body.slice(0, 300)).toBe(303);
    expect(back.headers.location).toBe(`/approve/plan-${'a'.repeat(32)}`);
    expect(redeemed).toHaveLength(1);
  });
});
