// The shared store on a Redis Cluster (Azure Managed Redis's default OSS clustering policy), against real
// redis-servers on 127.0.0.1: the server finds a cluster by itself and a single server stays single (a refused
// CLUSTER command included); the keys of each atomic step share one slot while the store as a whole spreads over the
// shards; credentials reach every shard connection. The contract itself runs on the cluster in store.contract.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createCluster, type RedisClusterType } from 'redis';
import { openStore } from '../../src/store/open.js';
import { RedisStore } from '../../src/store/redis.js';
import { newSignInState, redisKeys, tagOfState } from '../../src/store/keys.js';
import { clusterOptions, saysCluster, shardIdentity } from '../../src/store/cluster.js';
import { prefixTagProblem, type RedisConfig } from '../../src/config/store.js';
import type { Logger } from '../../src/core/log.js';
import type { StateStore } from '../../src/store/types.js';
import { makeTestTls, OPENSSL, startRedis, startRedisCluster, type TestRedis, type TestRedisCluster } from '../support/redisServer.js';

const PASSWORD = 'cluster-access-key';
let cluster: TestRedisCluster;
let single: TestRedis;
const open: { close(): Promise<void> | void }[] = [];
beforeAll(async () => {
  [cluster, single] = await Promise.all([startRedisCluster({ password: PASSWORD }), startRedis()]);
});
afterAll(async () => {
  for (const c of open) await c.close();
  await Promise.all([cluster?.stop(), single?.stop()]);
});

function config(url: string): RedisConfig {
  const u = new URL(url);
  return {
    url,
    auth: 'password',
    prefix: 'cloudpc-mcp:',
    where: `${u.hostname}:${u.port}`,
    authority: { host: 'https://login.microsoftonline.com', disableInstanceDiscovery: false },
  };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (m: string) => void lines.push(m);
  return { lines, info: log, warn: log, error: log, debug: log };
}

async function opened(url: string, logger = recordingLogger()): Promise<StateStore> {
  const r = await openStore({ redis: config(url) }, logger);
  if (!r.ok) throw new Error(`${r.problem.setting}: ${r.problem.message}`);
  open.push(r.store);
  return r.store;
}

/** A client on one node, to ask it things (CLUSTER KEYSLOT, DBSIZE) directly. */
async function node(port: number) {
  const c = createClient({ url: `redis://127.0.0.1:${port}`, password: PASSWORD });
  await c.connect();
  open.push(c);
  return c;
}

/** Until some node counts a subscriber on the channel (the store subscribes on its first watch, in the background). */
async function subscribed(channel: string): Promise<void> {
  const nodes = await Promise.all(cluster.ports.map(node));
  for (;;) {
    const counts = await Promise.all(nodes.map((n) => n.pubSubNumSub(channel)));
    if (counts.some((c) => Number(c[channel]) > 0)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const plan = (id: string) => ({ id, expiresAt: Date.now() + 60_000, state: 'pending' as const, bulkActionId: 'ba-1' });

describe('finding a cluster on connect', () => {
  it('a cluster URL with an access key: the store runs on every shard (the key reached each shard connection), and says so', async () => {
    const logger = recordingLogger();
    const store = await opened(cluster.url, logger);
    expect(logger.lines.join('\n')).toMatch(/Redis at 127\.0\.0\.1:\d+, a cluster of 3 shards/);
    const ids = Array.from({ length: 30 }, (_, i) => `plan-${i}`);
    for (const id of ids) await store.putPlan(plan(id));
    expect(await store.decidePlan(ids[0]!, { approved: true, how: 'page', by: 'me', at: Date.now() })).toMatchObject({ state: 'approved' });
    for (const id of ids) expect((await store.getPlan(id))?.id).toBe(id);
    await store.ping();
  });

  it('one redis-server stays one connection (CLUSTER INFO refused: "cluster support disabled")', async () => {
    const logger = recordingLogger();
    const store = await opened(single.url, logger);
    expect(logger.lines.join('\n')).toMatch(/Redis at 127\.0\.0\.1:\d+ \(keys under/);
    await store.putPlan(plan('plan-1'));
    expect((await store.getPlan('plan-1'))?.id).toBe('plan-1');
  });

  it('a server that refuses CLUSTER commands (as the Enterprise policy does) is one endpoint, not a start-up error', async () => {
    const admin = createClient({ url: single.url });
    await admin.connect();
    open.push(admin);
    await admin.sendCommand(['ACL', 'SETUSER', 'default', '-cluster']);
    try {
      await expect(admin.clusterInfo()).rejects.toThrow(/NOPERM/);
      const store = await opened(single.url);
      await store.putPlan(plan('plan-2'));
      expect((await store.getPlan('plan-2'))?.id).toBe('plan-2');
    } finally {
      await admin.sendCommand(['ACL', 'SETUSER', 'default', '+cluster']);
    }
  });

  it("a shard that cannot be reached at start-up: a start-up problem that names the shards' ports, not the URL's", async () => {
    const broken = await startRedisCluster();
    try {
      await broken.killNode(2);
      const r = await openStore({ redis: config(broken.url) }, recordingLogger());
      expect(r.ok).toBe(false);
      expect(r.ok ? '' : `${r.problem.setting}: ${r.problem.message}`).toMatch(
        /^CLOUDPC_MCP_REDIS_URL: Redis at 127\.0\.0\.1:\d+ is a Redis Cluster .*a shard of it could not be reached \(.*ECONNREFUSED.*shards' ports too \(85xx/,
      );
    } finally {
      await broken.stop();
    }
  });

  it('one plain connection to a cluster node (had CLUSTER INFO been refused): a redirection names that cause and the fix', async () => {
    const one = createClient({ url: `redis://127.0.0.1:${cluster.ports[0]}`, password: PASSWORD, disableOfflineQueue: true });
    one.on('error', () => {});
    await one.connect();
    open.push(one);
    const store = new RedisStore({ client: one, prefix: 'one:', where: `127.0.0.1:${cluster.ports[0]}` });
    const errors = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.getPlan(`plan-${i}`).then(
          () => undefined,
          (e: Error) => e,
        ),
      ),
    );
    const moved = errors.filter(Boolean);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved[0]!.message).toMatch(
      /\(MOVED \d+ 127\.0\.0\.1:\d+\).*is a Redis Cluster, but it refused the CLUSTER INFO command.*allow CLUSTER INFO/,
    );
  });

  it('reads CLUSTER INFO as a cluster only when it reports a cluster state', () => {
    expect(saysCluster('cluster_state:ok\r\ncluster_slots_assigned:16384\r\n')).toBe(true);
    expect(saysCluster('cluster_state:fail\r\n')).toBe(true);
    expect(saysCluster('')).toBe(false);
    expect(saysCluster(undefined)).toBe(false);
  });
});

describe('keys on a cluster', () => {
  let client: RedisClusterType;
  beforeAll(async () => {
    client = createCluster(clusterOptions({ url: cluster.url, disableOfflineQueue: true }));
    client.on('error', () => {});
    await client.connect();
    open.push(client);
  });

  it("spread over every shard: a plan's keys live on the shard that owns the plan's slot, not all on one", async () => {
    await cluster.flush();
    const store = new RedisStore({ client, prefix: 'spread:', where: 'the test cluster' });
    for (let i = 0; i < 30; i++) {
      await store.putPlan(plan(`plan-${i}`));
      await store.pageToken(`plan-${i}`);
      await store.putSession(`session-${i}`, { csrf: 'c', expiresAt: Date.now() + 60_000 });
    }
    const sizes = await Promise.all(cluster.ports.map(async (p) => (await node(p)).dbSize()));
    expect(sizes.filter((n) => n > 0)).toHaveLength(3);
    expect(sizes.reduce((a, b) => a + b)).toBe(90);
  });

  it("a decision on one replica reaches a watcher on another, whichever shard holds the plan (a script's PUBLISH goes to every node)", async () => {
    const other = createCluster(clusterOptions({ url: cluster.url, disableOfflineQueue: true }));
    other.on('error', () => {});
    await other.connect();
    open.push(other);
    const [a, b] = [client, other].map((c) => new RedisStore({ client: c, prefix: 'pubsub:', where: 'the test cluster' }));
    const ids = Array.from({ length: 6 }, (_, i) => `plan-${i}`);
    const at = await node(cluster.ports[0]!);
    const slots = await Promise.all(ids.map(async (id) => Number(await at.sendCommand(['CLUSTER', 'KEYSLOT', `pubsub:plan:{${id}}`]))));
    const shards = new Set(slots.map((slot) => client.slots[slot]!.master.address));
    expect(shards.size).toBeGreaterThan(1);
    for (const id of ids) await a!.putPlan(plan(id));
    const told = ids.map((id) => new Promise<void>((resolve) => a!.watchPlan(id, resolve)));
    await subscribed('pubsub:plan-events');
    for (const id of ids) await b!.decidePlan(id, { approved: true, how: 'page', by: 'me', at: Date.now() });
    await Promise.all(told);
  });

  it('the cluster refuses a script or a transaction whose keys span slots, so the contract passing on it proves each step stays in one', async () => {
    // Two keys in different slots of one shard: the shard itself refuses, no redirection involved.
    const at = await node(cluster.ports[0]!);
    const shardOf = async (key: string) => {
      const slot = Number(await at.sendCommand(['CLUSTER', 'KEYSLOT', key]));
      return { slot, shard: client.slots[slot]!.master.address };
    };
    const first = await shardOf('{k0}x');
    let other = '';
    for (let i = 1; !other; i++) {
      const o = await shardOf(`{k${i}}x`);
      if (o.shard === first.shard && o.slot !== first.slot) other = `{k${i}}x`;
    }
    await expect(client.eval('return 1', { keys: ['{k0}x', other], arguments: [] })).rejects.toThrow(/CROSSSLOT/);
    await expect(client.multi().set('{k0}x', '1').set(other, '1').exec()).rejects.toThrow(/CROSSSLOT/);
  });

  it.each(['cloudpc-mcp:', '{tenant-a}:', 'team}:', 'x{y}z:'])(
    'with prefix %j, every key of every atomic step hashes to one slot (CLUSTER KEYSLOT)',
    async (prefix) => {
      const k = redisKeys(prefix);
      const at = await node(cluster.ports[0]!);
      const slot = async (key: string) => Number(await at.sendCommand(['CLUSTER', 'KEYSLOT', key]));
      const sameSlot = async (keys: string[]) => expect(new Set(await Promise.all(keys.map(slot))).size, keys.join(' ')).toBe(1);
      const slots = new Set<number>();
      for (let i = 0; i < 20; i++) {
        const id = `plan-${i.toString(16).padStart(32, '0')}`;
        await sameSlot([k.plan(id), k.pageToken(id)]); // DECIDE, PAGE_TOKEN; USE, SPEND_PAGE_TOKEN and putPlan's MULTI touch one of them
        slots.add(await slot(k.plan(id)));
        const state = newSignInState(`10.0.0.${i}`);
        const older = newSignInState(`10.0.0.${i}`);
        const s = k.signIns(tagOfState(state)!);
        await sameSlot([`${s.each}${state}`, s.index, s.seq, `${s.each}${older}`]); // START_SIGN_IN (it drops `older`), takeSignIn's MULTI
      }
      expect(prefixTagProblem(prefix)).toBeUndefined();
      // Without a whole tag in the prefix, plans spread over slots (with one, the prefix puts the store in one slot).
      expect(slots.size > 1).toBe(!/\{[^}]+\}/.test(prefix));
    },
  );

  it.each([
    ['a{', /a "\{" without a "\}"/],
    ['a{}:', /an empty "\{\}"/],
  ])('refuses prefix %j, which would split a step over slots', (prefix, message) => {
    expect(prefixTagProblem(prefix)).toMatch(message);
  });
});

describe("the cluster client's options (node-redis: shard connections are made from `defaults` only)", () => {
  it("a streaming credentials provider (the interface @redis/entraid's Entra provider implements) signs in every shard connection", async () => {
    const listeners = new Set<unknown>();
    const provider = {
      type: 'streaming-credentials-provider' as const,
      subscribe: async (listener: unknown) => {
        listeners.add(listener);
        return [{ password: PASSWORD }, { dispose: () => listeners.delete(listener) }] as [{ password: string }, { dispose(): void }];
      },
      onReAuthenticationError: () => {},
    };
    const url = cluster.url.replace(`:${PASSWORD}@`, '');
    expect(url).not.toContain(PASSWORD);
    const client = createCluster(clusterOptions({ url, disableOfflineQueue: true, credentialsProvider: provider }));
    client.on('error', () => {});
    await client.connect();
    open.push(client);
    expect(listeners.size).toBeGreaterThanOrEqual(3);
    const store = new RedisStore({ client, prefix: 'entra:', where: 'the test cluster' });
    for (let i = 0; i < 12; i++) await store.putPlan(plan(`plan-${i}`));
    for (let i = 0; i < 12; i++) expect((await store.getPlan(`plan-${i}`))?.id).toBe(`plan-${i}`);
  });

  it('carry the URL credentials, TLS, the Entra provider, the no-offline-queue rule and the reconnect strategy to every shard', () => {
    const provider = { type: 'streaming-credentials-provider' } as never;
    const reconnectStrategy = () => 100;
    const o = clusterOptions({
      url: 'rediss://user:p%40ss@cache.redis.azure.net:10000',
      disableOfflineQueue: true,
      credentialsProvider: provider,
      socket: { connectTimeout: 10_000, reconnectStrategy },
    });
    expect(o.rootNodes).toEqual([{ url: 'rediss://user:p%40ss@cache.redis.azure.net:10000' }]);
    expect(o.defaults).toMatchObject({
      username: 'user',
      password: 'p@ss',
      disableOfflineQueue: true,
      socket: { tls: true, connectTimeout: 10_000 },
    });
    expect(o.defaults?.credentialsProvider).toBe(provider);
    expect((o.defaults?.socket as { reconnectStrategy: unknown }).reconnectStrategy).toBe(reconnectStrategy);
    expect(clusterOptions({ url: 'redis://127.0.0.1:7000' }).defaults?.socket).toMatchObject({ tls: false });
  });
});

describe.skipIf(!OPENSSL)('a TLS cluster that announces its shards by IP address (Azure Managed Redis behind a private endpoint)', () => {
  let tls: ReturnType<typeof makeTestTls>;
  let secure: TestRedisCluster;
  beforeAll(async () => {
    tls = makeTestTls('localhost');
    secure = await startRedisCluster({ tls });
  });
  afterAll(async () => {
    await secure?.stop();
    tls?.remove();
  });

  type ShardSocket = NonNullable<NonNullable<ReturnType<typeof clusterOptions>['defaults']>['socket']>;
  const options = (checked: boolean): ReturnType<typeof clusterOptions> => {
    const o = clusterOptions({ url: secure.url, disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    const socket = { ...o.defaults!.socket, ca: tls.ca } as ShardSocket;
    if (!checked) delete (socket as { checkServerIdentity?: unknown }).checkServerIdentity;
    return { ...o, defaults: { ...o.defaults, socket } };
  };

  it('every shard connection is TLS, its certificate checked against the configured host name when the address is an IP', async () => {
    expect(secure.url).toMatch(/^rediss:\/\/localhost:\d+$/);
    const client = createCluster(options(true));
    client.on('error', () => {});
    await client.connect();
    open.push(client);
    expect(client.masters.map((m) => m.host)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    const store = new RedisStore({ client, prefix: 'tls:', where: 'the TLS test cluster' });
    for (let i = 0; i < 12; i++) await store.putPlan(plan(`plan-${i}`));
    for (let i = 0; i < 12; i++) expect((await store.getPlan(`plan-${i}`))?.id).toBe(`plan-${i}`);
  });

  it('(the same cluster with only the announced address checked: the certificate does not name 127.0.0.1)', async () => {
    const client = createCluster(options(false));
    const errors: Error[] = [];
    client.on('error', (e: Error) => errors.push(e));
    await expect(client.connect()).rejects.toThrow();
    expect(errors.map((e) => `${(e as { code?: string }).code} ${e.message}`).join('\n')).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  it('a certificate that names neither the address nor the configured host is refused', () => {
    const cert = { subject: { CN: 'elsewhere.example' }, subjectaltname: 'DNS:elsewhere.example' } as never;
    expect(shardIdentity('localhost')('127.0.0.1', cert)).toBeInstanceOf(Error);
    expect(
      shardIdentity('localhost')('127.0.0.1', { subject: { CN: 'localhost' }, subjectaltname: 'DNS:localhost' } as never),
    ).toBeUndefined();
    expect(shardIdentity('10.0.0.4')('10.0.0.5', { subject: {}, subjectaltname: 'IP Address:10.0.0.4' } as never)).toBeInstanceOf(Error);
  });
});
