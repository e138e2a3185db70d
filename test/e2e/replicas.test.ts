// Several replicas behave as one: the built server in remote mode, twice, sharing a real redis-server on 127.0.0.1,
// behind a round-robin balancer in this process, both calling one simulator (the tenant). Plans made on one replica
// are approved on the page through the other and executed on either, exactly once; a replica or Redis going away
// is survived; a caller's budget is one across replicas.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { textOf } from './harness.js';
import { httpEnv, raw, runToExit, startHttpServer, type HttpServerProcess } from '../support/http-server.js';
import { decide, linkIn, openLink, request, waitFor } from '../support/approval-browser.js';
import { startBalancer, type Balancer } from '../support/balancer.js';
import { startRedis, startRedisCluster, type TestRedis, type TestRedisCluster } from '../support/redisServer.js';
import { authorityEnv, startEntraStandIn } from '../support/entra/standIn.js';
import { CLIENT_ID, CLIENT_SECRET, TENANT_ID } from '../support/entra/tenant.js';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumAvailable } from '../support/chromium.js';

interface Replica extends HttpServerProcess {
  /** This replica's own port and MCP endpoint (its "ready on" line names the public URL, the balancer). */
  own: number;
  mcpUrl: string;
}

let sim: Simulator;
let redis: TestRedis;
let lb: Balancer;
const replicas: Replica[] = [];
const clients: Client[] = [];
const s = (r: CallToolResult) => r.structuredContent as Record<string, any>;
const posts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/retry'));

// Two trusted hops: the balancer, and before it the test's own requests, which play an outer proxy (a CDN) that names
// the client in X-Forwarded-For; that is how one test process can be several client addresses.
async function replica(extra: Record<string, string> = {}): Promise<Replica> {
  const env = httpEnv({
    CLOUDPC_MCP_GRAPH_URL: sim.url,
    CLOUDPC_MCP_ACCESS_TOKEN: sim.token,
    CLOUDPC_MCP_REDIS_URL: redis.url,
    CLOUDPC_MCP_PUBLIC_URL: lb.base,
    CLOUDPC_MCP_TRUSTED_PROXY_HOPS: '2',
    ...extra,
  });
  const p = await startHttpServer(env);
  const own = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(p.stderr())![1]);
  const r = Object.assign(p, { own, mcpUrl: `http://127.0.0.1:${own}/mcp` });
  replicas.push(r);
  return r;
}

async function mcp(url: string, logs: string[] = []): Promise<Client> {
  const client = new Client({ name: 'replica-client', version: '1' });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  clients.push(client);
  return client;
}

const retry = async (c: Client, args: Record<string, unknown>) =>
  (await c.callTool({ name: 'retry_cloudpc_bulk_action', arguments: args })) as CallToolResult;

/** A tool call's text, whether the server answered with an error result or refused the HTTP request. */
async function answerText(
  c: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ isError: boolean; text: string; status?: string }> {
  try {
    const r = (await c.callTool({ name, arguments: args })) as CallToolResult;
    return { isError: r.isError === true, text: textOf(r), ...(r.structuredContent ? { status: String(s(r).status) } : {}) };
  } catch (err) {
    return { isError: true, text: (err as Error).message };
  }
}

/** A dry run on `maker`, then its approval on the page through the balancer (pinned to `pageOn`, or in turn). */
async function approvedPlan(maker: Client, logs: string[], pageOn?: number): Promise<{ id: string; cloudPcIds: string[] }> {
  const plan = s(await retry(maker, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true })).plan;
  logs.length = 0;
  expect(s(await retry(maker, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id })).status).toBe('approvalPending');
  const link = await waitFor(() => linkIn(logs), 'the approval link');
  expect(link.startsWith(`${lb.base}/approve/${plan.id}?token=`)).toBe(true);
  lb.pin = pageOn;
  const page = await openLink(link);
  expect((await decide(page, 'approve')).status).toBe(200);
  lb.pin = undefined;
  return plan;
}

beforeAll(async () => {
  sim = await startSimulator();
  redis = await startRedis();
  lb = await startBalancer();
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  for (const r of replicas) await r.stop().catch(() => {});
  await lb?.close();
  await redis?.stop();
  await sim?.close();
});
beforeEach(() => {
  sim.reset();
  lb.served.length = 0;
});

describe('two replicas sharing Redis behind a round-robin balancer', () => {
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    [a, b] = await Promise.all([replica(), replica()]);
    lb.targets = [a.own, b.own];
  });

  it.skipIf(!chromiumAvailable)(
    'dry run on one, approve on the page in Chromium with every page request on the other, execute on the first: exactly the planned ids, once',
    async () => {
      const logs: string[] = [];
      const onA = await mcp(a.mcpUrl, logs);
      const plan = s(await retry(onA, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true })).plan;
      expect(s(await retry(onA, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id })).status).toBe('approvalPending');
      const link = await waitFor(() => linkIn(logs), 'the approval link');
      expect(link.startsWith(`${lb.base}/approve/${plan.id}?token=`)).toBe(true);
      const profile = mkdtempSync(path.join(tmpdir(), 'cloudpc-chromium-'));
      let browser: BrowserContext | undefined;
      try {
        browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
        lb.pin = b.own;
        const page = await browser.newPage();
        await page.goto(link);
        expect(page.url()).not.toContain('token=');
        expect(await page.locator('table.devices tbody tr').count()).toBe(plan.cloudPcIds.length);
        await page.locator('button.approve').click();
        await page.waitForSelector('.plan-approved');
      } finally {
        lb.pin = undefined;
        await browser?.close();
        rmSync(profile, { recursive: true, force: true });
      }
      expect(lb.served.length).toBeGreaterThanOrEqual(3);
      expect(new Set(lb.served.map((x) => x.port))).toEqual(new Set([b.own]));
      const sent = await retry(onA, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
      expect(s(sent)).toMatchObject({ status: 'accepted', approval: { via: 'page', by: 'the local user' } });
      expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: plan.cloudPcIds }]);
    },
  );

  it('six concurrent executions of one approved plan, three through each replica: one POST', async () => {
    const logs: string[] = [];
    const onA = await mcp(a.mcpUrl, logs);
    const onB = await mcp(b.mcpUrl);
    const plan = await approvedPlan(onA, logs, b.own);
    const results = await Promise.all(
      [onA, onB, onA, onB, onA, onB].map((c) =>
        answerText(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id }),
      ),
    );
    // One is sent. Each other call either finds the plan used, or read it before that and finds the action changed by
    // the retry just sent: either way it sends nothing and says so.
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 'accepted'))
      expect(r.isError ? r.text : r.status).toMatch(/^Not sent|^planChanged$/);
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: plan.cloudPcIds }]);
  });

  it('a plan made and approved through one replica is executed on the other after the first stopped (SIGTERM)', async () => {
    const c = await replica();
    lb.targets = [a.own, c.own];
    const logs: string[] = [];
    const onC = await mcp(c.mcpUrl, logs);
    const plan = await approvedPlan(onC, logs);
    await c.stop();
    lb.targets = [a.own, b.own];
    const sent = await retry(await mcp(a.mcpUrl), { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(sent).status).toBe('accepted');
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: plan.cloudPcIds }]);
  });

  it('Redis down: plans are refused naming the store, reads are answered, both replicas stay up; Redis back: plans work without a restart', async () => {
    const logs: string[] = [];
    const onA = await mcp(a.mcpUrl, logs);
    const onB = await mcp(b.mcpUrl);
    const before = s(await retry(onA, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true })).plan;
    await redis.kill();
    try {
      for (const c of [onA, onB]) {
        const made = await answerText(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true });
        expect(made.isError).toBe(true);
        expect(made.text).toMatch(new RegExp(`Redis at 127\\.0\\.0\\.1:${redis.port}.*CLOUDPC_MCP_REDIS_URL`, 's'));
        const executed = await answerText(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision, planId: before.id });
        expect(executed).toMatchObject({ isError: true });
        expect(executed.text).toMatch(/Redis/);
        const read = await answerText(c, 'list_cloudpc_bulk_actions', {});
        expect(read.isError).toBe(false);
        expect((await answerText(c, 'auth_status', {})).isError).toBe(false);
      }
      for (const r of [a, b]) {
        expect((await raw(`http://127.0.0.1:${r.own}/healthz`, { method: 'GET' })).status).toBe(200);
        const ready = await raw(`http://127.0.0.1:${r.own}/readyz`, { method: 'GET' });
        expect(ready.status).toBe(503);
        expect(JSON.parse(ready.body)).toMatchObject({ status: 'store unreachable', store: 'redis' });
      }
      expect(posts()).toEqual([]);
    } finally {
      await redis.start();
    }
    await waitForReady(a);
    await waitForReady(b);
    const plan = await approvedPlan(onA, logs);
    const sent = await retry(onB, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(sent).status).toBe('accepted');
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: plan.cloudPcIds }]);
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
  });

  it('the approval page limits requests without a session per client address, on every replica together (429 with Retry-After, logged)', async () => {
    const flood = async (address: string) => {
      const answers = [];
      for (let i = 0; i < 24; i++)
        answers.push(await request(`${lb.base}/approve/plan-${'0'.repeat(32)}`, { headers: { 'x-forwarded-for': address } }));
      return answers;
    };
    const answers = await flood('203.0.113.7');
    const limited = answers.filter((r) => r.status === 429);
    // The budget (a burst of 20) is one across both replicas, which served the requests in turn.
    expect(answers.slice(0, 20).every((r) => r.status !== 429)).toBe(true);
    expect(limited.length).toBe(4);
    expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(new Set(lb.served.map((x) => x.port))).toEqual(new Set([a.own, b.own]));
    expect(a.stderr() + b.stderr()).toMatch(/http: 429 approval page rate limit for 203\.0\.113\.7/);
    // Another address is not affected.
    expect((await flood('198.51.100.9'))[0]!.status).not.toBe(429);
  });
});

describe('one caller, one budget across replicas', () => {
  it('a burst of 4 is 4 tool calls in all, whichever replica takes them', async () => {
    const extra = {
      CLOUDPC_MCP_RATE_LIMIT_PER_MINUTE: '1',
      CLOUDPC_MCP_RATE_LIMIT_BURST: '4',
      CLOUDPC_MCP_REDIS_KEY_PREFIX: 'budget-test:',
    };
    const [x, y] = await Promise.all([replica(extra), replica(extra)]);
    const onX = await mcp(x.mcpUrl);
    const onY = await mcp(y.mcpUrl);
    const answers = [];
    for (const c of [onX, onY, onX, onY, onX, onY]) answers.push(await answerText(c, 'list_cloudpc_bulk_actions', {}));
    expect(answers.map((r) => r.isError)).toEqual([false, false, false, false, true, true]);
    expect(answers[4]!.text).toMatch(/429|Rate limit/);
    await Promise.all([x.stop(), y.stop()]);
  });
});

describe('start-up with a Redis that will not serve', () => {
  it('a refused password, an unreachable Redis and a malformed URL each exit 2 naming the setting and the fix', async () => {
    const guarded = await startRedis({ password: 'right-password' });
    try {
      const base = { CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token };
      const wrong = await runToExit(httpEnv({ ...base, CLOUDPC_MCP_REDIS_URL: `redis://:wrong-password@127.0.0.1:${guarded.port}` }));
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/CLOUDPC_MCP_REDIS_URL: Redis at 127\.0\.0\.1:\d+ refused the credentials .*access key/);
      expect(wrong.stderr).not.toContain('wrong-password');
      await guarded.kill();
      const down = await runToExit(httpEnv({ ...base, CLOUDPC_MCP_REDIS_URL: `redis://:right-password@127.0.0.1:${guarded.port}` }));
      expect(down.code).toBe(2);
      expect(down.stderr).toMatch(/CLOUDPC_MCP_REDIS_URL: Redis at 127\.0\.0\.1:\d+ could not be reached .*host and port/);
      const malformed = await runToExit(httpEnv({ ...base, CLOUDPC_MCP_REDIS_URL: 'http://127.0.0.1:6379' }));
      expect(malformed.code).toBe(2);
      expect(malformed.stderr).toMatch(/CLOUDPC_MCP_REDIS_URL.*is not redis: or rediss:/);
    } finally {
      await guarded.stop();
    }
  });
});

describe('two replicas sharing a Redis Cluster (the OSS clustering policy, the default of Azure Managed Redis)', () => {
  let cluster: TestRedisCluster;
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    cluster = await startRedisCluster({ password: 'cluster-access-key' });
    [a, b] = await Promise.all([replica({ CLOUDPC_MCP_REDIS_URL: cluster.url }), replica({ CLOUDPC_MCP_REDIS_URL: cluster.url })]);
  });
  afterAll(async () => {
    for (const r of [a, b]) await r?.stop().catch(() => {});
    await cluster?.stop();
  });

  it('each finds the cluster by itself; a plan made on one, approved on the page through the other, is sent once with exactly its ids', async () => {
    for (const r of [a, b]) expect(r.stderr()).toMatch(/shared store: Redis at 127\.0\.0\.1:\d+, a cluster of 3 shards/);
    lb.targets = [a.own, b.own];
    const logs: string[] = [];
    const onA = await mcp(a.mcpUrl, logs);
    const onB = await mcp(b.mcpUrl);
    const plan = await approvedPlan(onA, logs, b.own);
    const results = await Promise.all(
      [onA, onB, onA, onB].map((c) =>
        answerText(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id }),
      ),
    );
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(1);
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: plan.cloudPcIds }]);
  });
});

describe('start-up with Entra ID authentication to Redis (CLOUDPC_MCP_REDIS_AUTH=entra)', () => {
  it("gets a token for Redis with the server's own Azure credential (the Entra stand-in), and a Redis that refuses it exits 2 naming the setting and the fix", async () => {
    const entra = await startEntraStandIn();
    const guarded = await startRedis({ password: 'only-an-access-key' });
    try {
      const env = httpEnv({
        CLOUDPC_MCP_GRAPH_URL: sim.url,
        CLOUDPC_MCP_ACCESS_TOKEN: sim.token,
        CLOUDPC_MCP_REDIS_AUTH: 'entra',
        CLOUDPC_MCP_REDIS_URL: `redis://127.0.0.1:${guarded.port}`,
        AZURE_TENANT_ID: TENANT_ID,
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_CLIENT_SECRET: CLIENT_SECRET,
        ...authorityEnv(entra),
      });
      const run = await runToExit(env);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(
        /CLOUDPC_MCP_REDIS_AUTH \(entra\): Redis at 127\.0\.0\.1:\d+ refused the server's Microsoft Entra token .*data access on the cache/,
      );
      expect(entra.requests.some((r) => r.path.endsWith('/oauth2/v2.0/token'))).toBe(true);
    } finally {
      await guarded.stop();
      await entra.close();
    }
  });
});

async function waitForReady(r: Replica): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await raw(`http://127.0.0.1:${r.own}/readyz`, { method: 'GET' })).status === 200) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`replica on ${r.own} did not become ready again`);
}
