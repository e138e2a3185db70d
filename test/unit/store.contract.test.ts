// One contract for every state store: what holds in memory holds in Redis, one endpoint (a real redis-server on
// 127.0.0.1) or a Redis Cluster of three shards (Azure Managed Redis's OSS clustering policy), so several replicas
// behave as one. Each behaviour is asserted on all three; Redis-only facts (keys, expiry, two connections racing, a
// dead server) follow, then what only a cluster shows (keys spread over shards, each atomic step in one slot).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, createCluster, type RedisClientType, type RedisClusterType } from 'redis';
import { MemoryStore } from '../../src/store/memory.js';
import { RedisStore } from '../../src/store/redis.js';
import { StoreUnavailableError } from '../../src/store/errors.js';
import type { StateStore } from '../../src/store/types.js';
import { PlanStore, waitForDecision, type PlanInput } from '../../src/tools/retry/plans.js';
import { startRedis, startRedisCluster, type TestRedis, type TestRedisCluster } from '../support/redisServer.js';

let redis: TestRedis;
let cluster: TestRedisCluster;
const clients: (RedisClientType | RedisClusterType)[] = [];
beforeAll(async () => {
  [redis, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await Promise.all([redis?.stop(), cluster?.stop()]);
});

async function redisClient(): Promise<RedisClientType> {
  const c = createClient({ url: redis.url, disableOfflineQueue: true, socket: { reconnectStrategy: 50 } }) as RedisClientType;
  c.on('error', () => {});
  await c.connect();
  clients.push(c);
  return c;
}

/** A cluster client as the server makes one: the URL of one node as root, the rest discovered. */
async function clusterClient(): Promise<RedisClusterType> {
  const c = createCluster({
    rootNodes: [{ url: cluster.url }],
    defaults: { disableOfflineQueue: true, socket: { reconnectStrategy: 50 } },
  });
  c.on('error', () => {});
  await c.connect();
  clients.push(c);
  return c;
}

interface Clock {
  t: number;
}

type Make = (clock: Clock) => Promise<StateStore>;
const STORES: [string, Make, () => Promise<void>][] = [
  ['memory', async (clock) => new MemoryStore({ now: () => clock.t }), async () => {}],
  [
    'redis',
    async (clock) => new RedisStore({ client: await redisClient(), prefix: 'test:', where: `127.0.0.1:${redis.port}`, now: () => clock.t }),
    () => redis.flush(),
  ],
  [
    'redis cluster',
    async (clock) => new RedisStore({ client: await clusterClient(), prefix: 'test:', where: 'the test cluster', now: () => clock.t }),
    () => cluster.flush(),
  ],
];

const input = (ids = ['pc-1', 'pc-2']): PlanInput => ({
  bulkActionId: 'ba-1',
  actionType: 'reprovision',
  displayName: 'Reprovision',
  destructive: true,
  target: 'allFailed',
  cloudPcIds: ids,
  devices: ids.map((cloudPcId) => ({ cloudPcId, state: 'failed' })),
  owner: { kind: 'local' },
  insisted: [],
});

describe.each(STORES)('state store contract: %s', (_name, make, flush) => {
  let clock: Clock;
  let store: StateStore;
  let plans: PlanStore;
  beforeEach(async () => {
    await flush();
    clock = { t: Date.now() };
    store = await make(clock);
    plans = new PlanStore({ ttlMs: 60_000, store, now: () => clock.t });
  });

  it('keeps a plan as plain data, exactly as made (empty lists stay lists)', async () => {
    const p = await plans.create(input());
    expect(p.id).toMatch(/^plan-[0-9a-f]{32}$/);
    expect(await plans.get(p.id)).toEqual(p);
    expect(await plans.get('plan-00000000000000000000000000000000')).toBeUndefined();
  });

  it('approves once and uses once: a plan is never sent twice, and a decision is never overwritten', async () => {
    const p = await plans.create(input());
    expect(await plans.use(p.id)).toBe(false);
    expect(await plans.decide(p.id, true, 'page', 'the local user')).toBe(true);
    expect(await plans.decide(p.id, false, 'appTool', 'x')).toBe(false);
    expect((await plans.get(p.id))?.decision).toMatchObject({ how: 'page', by: 'the local user' });
    expect(await plans.use(p.id)).toBe(true);
    expect(await plans.use(p.id)).toBe(false);
    expect((await plans.get(p.id))?.state).toBe('used');
  });

  it('a declined plan cannot be approved or used; an expired one cannot be decided but still reads as expired', async () => {
    const p = await plans.create(input());
    await plans.decide(p.id, false, 'elicitation', 'me');
    expect(await plans.decide(p.id, true, 'page', 'x')).toBe(false);
    expect(await plans.use(p.id)).toBe(false);
    const q = await plans.create(input());
    clock.t += 60_000;
    expect(await plans.decide(q.id, true, 'page', 'x')).toBe(false);
    expect((await plans.get(q.id))?.state).toBe('pending');
  });

  it('of many decisions and uses racing on one plan, exactly one of each wins', async () => {
    const p = await plans.create(input());
    const decisions = await Promise.all(Array.from({ length: 8 }, (_, i) => plans.decide(p.id, i % 2 === 0, 'page', `person ${i}`)));
    expect(decisions.filter(Boolean)).toHaveLength(1);
    const q = await plans.create(input());
    await plans.decide(q.id, true, 'page', 'me');
    expect((await Promise.all(Array.from({ length: 6 }, () => plans.use(q.id)))).filter(Boolean)).toHaveLength(1);
  });

  it('notes fields onto a plan without touching its state', async () => {
    const p = await plans.create(input());
    await store.notePlan(p.id, { sentAt: 123, requestId: 'r-1', state: 'approved' });
    expect(await plans.get(p.id)).toMatchObject({ sentAt: 123, requestId: 'r-1', state: 'pending' });
  });

  it('tells a waiting call of a decision', async () => {
    const p = await plans.create(input());
    const waiting = waitForDecision(plans, p.id, 30_000, new AbortController().signal);
    await plans.decide(p.id, true, 'page', 'me');
    expect((await waiting)?.state).toBe('approved');
    const q = await plans.create(input());
    expect(await waitForDecision(plans, q.id, 1, new AbortController().signal)).toBeUndefined();
  });

  it('a page link token works once; a spent one is issued anew while the plan is pending, and none once decided', async () => {
    const p = await plans.create(input());
    expect(await store.hasPageToken(p.id)).toBe(false);
    const t = (await store.pageToken(p.id))!;
    expect(await store.hasPageToken(p.id)).toBe(true);
    expect(t).toMatch(/^[\w-]{32}$/);
    expect(await store.pageToken(p.id)).toBe(t);
    expect(await store.spendPageToken(p.id, 'wrong')).toBe(false);
    const spends = await Promise.all([store.spendPageToken(p.id, t), store.spendPageToken(p.id, t)]);
    expect(spends.filter(Boolean)).toHaveLength(1);
    expect(await store.hasPageToken(p.id)).toBe(false);
    const t2 = (await store.pageToken(p.id))!;
    expect(t2).not.toBe(t);
    await plans.decide(p.id, true, 'page', 'me');
    expect(await store.spendPageToken(p.id, t2)).toBe(false);
    expect(await store.pageToken(p.id)).toBeUndefined();
  });

  it('keeps page sessions until they expire', async () => {
    await store.putSession('s1', { csrf: 'c', expiresAt: clock.t + 1_000, planId: 'plan-1' });
    expect(await store.getSession('s1')).toEqual({ csrf: 'c', expiresAt: clock.t + 1_000, planId: 'plan-1' });
    expect(await store.getSession('nope')).toBeUndefined();
    clock.t += 1_000;
    expect(await store.getSession('s1')).toBeUndefined();
  });

  it('a sign-in in progress is taken once; one address flooding sign-ins drops only its own oldest', async () => {
    const signIn = () => ({ verifier: 'v', returnTo: '/approve/plan-1', expiresAt: clock.t + 600_000 });
    const victim = (await store.startSignIn('10.0.0.1', signIn(), 5))!;
    expect(victim).toMatch(/^[0-9a-f]{16}\.[\w-]{32}$/);
    const flood: string[] = [];
    for (let i = 0; i < 30; i++) flood.push((await store.startSignIn('10.6.6.6', signIn(), 5))!);
    expect(await store.takeSignIn(victim)).toEqual(signIn());
    expect(await store.takeSignIn(victim)).toBeUndefined();
    expect(await store.takeSignIn(flood[0]!)).toBeUndefined();
    expect(await store.takeSignIn(flood[29]!)).toBeDefined();
    expect(await store.takeSignIn('made-up')).toBeUndefined();
  });

  it('a rate budget: a burst, then refused with the seconds until the next token, refilled steadily', async () => {
    const budget = { perMinute: 6, burst: 3 }; // one token every 10 s
    const takes = [];
    for (let i = 0; i < 4; i++) takes.push(await store.take('a', budget));
    expect(takes).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: false, retryAfterS: 10 }]);
    clock.t += 4_000;
    expect(await store.take('a', budget)).toEqual({ ok: false, retryAfterS: 6 });
    clock.t += 6_000;
    expect(await store.take('a', budget)).toEqual({ ok: true });
    expect((await store.take('b', budget)).ok).toBe(true);
    expect(await store.take('a', { perMinute: 0, burst: 1 })).toEqual({ ok: true });
  });
});

describe('Redis store: what only Redis shows', () => {
  beforeEach(() => redis.flush());

  it('keys are namespaced and expire with what they hold', async () => {
    const c = await redisClient();
    const plans = new PlanStore({ ttlMs: 60_000, store: new RedisStore({ client: c, prefix: 'cloudpc-mcp:', where: 'test' }) });
    const p = await plans.create(input());
    await plans.store.pageToken(p.id);
    await plans.store.putSession('sid', { csrf: 'c', expiresAt: Date.now() + 30_000 });
    await plans.store.take('caller:x', { perMinute: 60, burst: 5 });
    const keys = await c.keys('*');
    expect(keys.every((k) => k.startsWith('cloudpc-mcp:'))).toBe(true);
    for (const k of keys) expect(await c.pTTL(k), k).toBeGreaterThan(0);
    expect(await c.pTTL(`cloudpc-mcp:plan:{${p.id}}`)).toBeLessThanOrEqual(60_000 + 10 * 60_000);
  });

  it('two replicas (two connections) racing to use one plan: one wins', async () => {
    const [a, b] = [await redisClient(), await redisClient()].map(
      (client) => new PlanStore({ ttlMs: 60_000, store: new RedisStore({ client, prefix: 'x:', where: 'test' }) }),
    );
    const p = await a!.create(input());
    await b!.decide(p.id, true, 'page', 'me');
    const wins = await Promise.all([a!, b!, a!, b!, a!, b!].map((s) => s.use(p.id)));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  it('a decision on one replica is pushed to a watcher on another (pub/sub, not only the waiting call re-reading)', async () => {
    const [a, b] = [await redisClient(), await redisClient()].map(
      (client) => new PlanStore({ ttlMs: 60_000, store: new RedisStore({ client, prefix: 'x:', where: 'test' }) }),
    );
    const p = await a!.create(input());
    const told = new Promise<void>((resolve) => a!.watch(p.id, resolve));
    // The subscription is made on the first watch; a decision is published once it is in place.
    await new Promise((r) => setTimeout(r, 300));
    await b!.decide(p.id, false, 'page', 'me');
    await told;
    expect((await a!.get(p.id))?.state).toBe('declined');
  });

  it('a dead Redis: every operation fails with an error naming the store and the fix', async () => {
    const c = createClient({
      url: 'redis://127.0.0.1:1',
      disableOfflineQueue: true,
      socket: { reconnectStrategy: false },
    }) as RedisClientType;
    c.on('error', () => {});
    const store = new RedisStore({ client: c, prefix: 'x:', where: '127.0.0.1:1' });
    const err = await store.getPlan('plan-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(
      /Redis at 127\.0\.0\.1:1.*CLOUDPC_MCP_REDIS_URL.*nothing was approved or sent.*reconnects by itself/s,
    );
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('memory store bounds', () => {
  it('forgets the least recently seen rate bucket first when it holds too many', async () => {
    const t = 1_000_000;
    const store = new MemoryStore({ now: () => t, maxBuckets: 2 });
    const budget = { perMinute: 1, burst: 1 };
    await store.take('a', budget);
    await store.take('b', budget);
    await store.take('a', budget); // refused, but seen: b is now the least recent
    await store.take('c', budget); // forgets b, keeps a's spent bucket
    expect((await store.take('a', budget)).ok).toBe(false);
    expect((await store.take('b', budget)).ok).toBe(true);
  });
});
