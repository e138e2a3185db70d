// Failure truth on Graph's own contract, not only on the simulator's tidy shape (issue 17 §1, §2, §5): each finding
// against the simulator switched to the behaviour real Graph may have, through the built server over stdio.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS, SAME_TYPE_AGAIN_ID, type SimulatorVariant } from '../../src/simulator/index.js';
import { baseEnv, connect, textOf, type Connected } from './harness.js';
import { waveStandIn } from '../support/waveStandIn.mjs';

const sim = useSimulator({}, { resetEach: true });
let conn: Connected;
const s = (r: CallToolResult) => r.structuredContent as Record<string, any>;
const call = async (name: string, args: Record<string, unknown>, c: Connected = conn) =>
  (await c.client.callTool({ name, arguments: args })) as CallToolResult;
const device = (r: CallToolResult, id: string) => (s(r).devices as any[]).find((d) => d.cloudPcId === id);
const posts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/retry'));
const flat = (t: string) => t.replace(/\s*\|\s*/g, ' ').replace(/\s+/g, ' ');

/** A retry sent straight to Graph (by someone else, or a moment ago), then given time to finish. */
async function retriedElsewhere(bulkActionId: string, cloudPcIds: string[]): Promise<void> {
  const res = await fetch(`${sim.url}/beta/deviceManagement/virtualEndpoint/bulkActions/${bulkActionId}/retry`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ cloudPcIds }),
  });
  expect(res.status).toBe(202);
  sim.advance(5000);
  sim.requests.length = 0;
}

beforeAll(async () => {
  conn = await connect({ env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token }) });
});
afterAll(async () => {
  await conn?.close();
});

describe('a PC in two actions of one type (sameTypeAgain): each action shows its own reason and state', () => {
  beforeEach(() => sim.setVariants(['sameTypeAgain']));

  it("last night's restart keeps its own reasons; the later restart's success and reason are not lent to it", async () => {
    const monday = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(device(monday, DEMO_IDS.bobPc)).toMatchObject({ state: 'failed', reasonCode: 'cloudPcNotRunning' });
    expect(device(monday, DEMO_IDS.carolPc)).toMatchObject({ state: 'failed', reasonCode: 'operationTimeout' });
    const tuesday = await call('get_cloudpc_bulk_action', { bulkActionId: SAME_TYPE_AGAIN_ID });
    expect(device(tuesday, DEMO_IDS.bobPc)).toMatchObject({ state: 'succeeded' });
    expect(device(tuesday, DEMO_IDS.carolPc)).toMatchObject({ state: 'failed', reasonCode: 'cloudPcNotRunning' });
  });

  it('a retry of the earlier action sends the PC that failed in it, and the dry run says the same', async () => {
    const dry = await call('retry_cloudpc_bulk_action', {
      bulkActionId: DEMO_IDS.failedRestart,
      cloudPcIds: [DEMO_IDS.bobPc],
      dryRun: true,
    });
    expect(s(dry)).toMatchObject({ status: 'dryRun', cloudPcIds: [DEMO_IDS.bobPc] });
    expect(s(dry).leftOut).toBeUndefined();
    const real = await call('retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.bobPc] });
    expect(s(real)).toMatchObject({ status: 'accepted', cloudPcIds: [DEMO_IDS.bobPc] });
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: [DEMO_IDS.bobPc] }]);
  });
});

describe('a device that failed and then succeeded in this action is not failed, on every path', () => {
  for (const rows of [['duplicateReportRows'], []] as SimulatorVariant[][]) {
    const shape = rows.length ? 'one report row per attempt' : 'one report row per device';
    it(`${shape}: the answer, the dry run, the real call and only: "retryable" agree`, async () => {
      sim.setVariants(rows);
      await retriedElsewhere(DEMO_IDS.failedRestart, [DEMO_IDS.carolPc]);
      const get = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, onlyFailed: true });
      expect((s(get).devices as any[]).map((d) => d.cloudPcId).sort()).toEqual([DEMO_IDS.bobPc, DEMO_IDS.davePc].sort());
      const chosen = [DEMO_IDS.bobPc, DEMO_IDS.carolPc];
      const dry = await call('retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: chosen, dryRun: true });
      expect(s(dry)).toMatchObject({
        cloudPcIds: [DEMO_IDS.bobPc],
        leftOut: [{ cloudPcId: DEMO_IDS.carolPc, why: expect.stringMatching(/did not fail/) }],
      });
      const retryable = await call('retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, only: 'retryable', dryRun: true });
      expect(s(retryable).cloudPcIds).toEqual([]);
      const real = await call('retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: chosen });
      expect(s(real)).toMatchObject({ status: 'accepted', cloudPcIds: [DEMO_IDS.bobPc] });
      expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: [DEMO_IDS.bobPc] }]);
    });
  }

  it("a plan's re-check before sending sees the recovery: nothing is sent, a new plan is offered", async () => {
    sim.setVariants(['duplicateReportRows']);
    const c = await connect({
      env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_CONFIRM_POLICY: 'model' }),
    });
    try {
      const plan = s(await call('retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true }, c))
        .planId as string;
      await retriedElsewhere(DEMO_IDS.failedReprovision, [DEMO_IDS.erinPc]);
      const r = await call('retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision, planId: plan, confirm: true }, c);
      expect(s(r)).toMatchObject({ status: 'planChanged', changes: { noLongerFailed: [DEMO_IDS.erinPc] } });
      expect(posts()).toHaveLength(0);
    } finally {
      await c.close();
    }
  });
});

describe('createdDateTime null (nullCreatedDateTime)', () => {
  it("the report row's RequestDateTime places the attempt: reasons are found", async () => {
    sim.setVariants(['nullCreatedDateTime']);
    const r = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(
      (s(r).devices as any[])
        .filter((d) => d.state === 'failed')
        .map((d) => d.reasonCode)
        .sort(),
    ).toEqual(['cloudPcInGracePeriod', 'cloudPcNotRunning', 'operationTimeout']);
  });
});

describe('the report, as documented', () => {
  it("reportFilterRefused: reads by the documented filter and keeps this action's rows, and says so", async () => {
    sim.setVariants(['reportFilterRefused']);
    const r = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(s(r).devicesUnavailable).toBeUndefined();
    expect(s(r).devices).toHaveLength(8);
    expect(
      (s(r).devices as any[])
        .filter((d) => d.state === 'failed')
        .map((d) => d.cloudPcId)
        .sort(),
    ).toEqual([DEMO_IDS.bobPc, DEMO_IDS.carolPc, DEMO_IDS.davePc].sort());
    expect(textOf(r)).toMatch(/Graph refused the report filter on BulkActionId \(HTTP 400\)/);
    const real = await call('retry_cloudpc_bulk_action', {
      bulkActionId: DEMO_IDS.failedRestart,
      cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.alicePc],
    });
    expect(s(real)).toMatchObject({ status: 'accepted', cloudPcIds: [DEMO_IDS.bobPc] });
  });

  for (const variant of ['reportForbidden', 'reportMissing'] as const) {
    it(`${variant}: says the report is unavailable, keeps the action's own counts, and names no device as failed`, async () => {
      sim.setVariants([variant]);
      const r = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
      expect(r.isError).toBeFalsy();
      expect(s(r)).toMatchObject({
        devices: [],
        bulkAction: { summary: { failedCount: 3 } },
        devicesUnavailable: expect.stringMatching(/could not be read \(HTTP (403|400)/),
      });
      expect(flat(textOf(r))).toMatch(
        /The counts above are the action's own; which of its 8 Cloud PCs failed is not known, so none is named as failed here/,
      );
      const dry = await call('retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, dryRun: true });
      expect(s(dry).planId).toBeUndefined();
      expect(textOf(dry)).toMatch(/No plan was made: which Cloud PCs failed could not be read/);
    });
  }

  it('a national cloud without the reports: the answer names the cloud', async () => {
    sim.setVariants(['reportMissing']);
    const c = await connect({
      env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_CLOUD: 'china' }),
    });
    try {
      const r = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart }, c);
      expect(s(r).devicesUnavailable).toMatch(/Graph documents no Cloud PC reports in China/);
    } finally {
      await c.close();
    }
  });
});

describe('query options Graph may ignore or refuse', () => {
  it('orderbyIgnored: the newest actions are still the newest, though Graph answered oldest first without a word', async () => {
    const tidy = (s(await call('list_cloudpc_bulk_actions', { limit: 3 })).bulkActions as any[]).map((a) => a.id);
    sim.setVariants(['orderbyIgnored']);
    const r = await call('list_cloudpc_bulk_actions', { limit: 3 });
    expect((s(r).bulkActions as any[]).map((a) => a.id)).toEqual(tidy);
  });

  it('startswithRefused: names are matched here, and the answer says Graph refused the filter', async () => {
    sim.setVariants(['startswithRefused']);
    const r = await call('list_cloud_pcs', { nameStartsWith: 'CPC-bob' });
    expect(r.isError).toBeFalsy();
    expect((s(r).cloudPcs as any[]).map((p) => p.userPrincipalName)).toEqual(['bob@contoso.com']);
    expect(flat(textOf(r))).toMatch(/Graph refused the startswith filter \(HTTP 400/);
  });
});

describe('round trips (counted as request waves through a stand-in that answers every request after a fixed delay)', () => {
  it('"which PCs failed" is one round trip, "and why" two, a retry of chosen ids two (read, then send)', async () => {
    const standIn = await waveStandIn(sim.url, 100);
    const env = { CLOUDPC_MCP_GRAPH_URL: standIn.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token };
    const noReasons = await connect({ env: baseEnv({ ...env, CLOUDPC_MCP_MAX_REASON_LOOKUPS: '0' }) });
    const c = await connect({ env: baseEnv(env) });
    try {
      const waves = async (conn: Connected, name: string, args: Record<string, unknown>) => {
        standIn.reset();
        const r = await call(name, args, conn);
        expect(r.isError).toBeFalsy();
        return standIn.waves();
      };
      expect(await waves(noReasons, 'get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart })).toBe(1);
      expect(await waves(c, 'get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart })).toBe(2);
      expect(await waves(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.carolPc] })).toBe(2);
    } finally {
      await noReasons.close();
      await c.close();
      await standIn.close();
    }
  });
});
