// Every shape real Graph is documented to answer in, through the built server over stdio: the tools tell the truth
// on each simulator variant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { baseEnv, connect, textOf, type Connected } from './harness.js';

const sim = useSimulator({}, { resetEach: true });
let conn: Connected;
const s = (r: CallToolResult) => r.structuredContent as Record<string, any>;
async function call(
  name: string,
  args: Record<string, unknown>,
  opts?: Parameters<Connected['client']['callTool']>[2],
  c: Connected = conn,
) {
  const r = (await c.client.callTool({ name, arguments: args }, undefined, opts)) as CallToolResult;
  return r;
}
/** Table text with its wrapped cells joined back, for matching a sentence that wraps. */
const flat = (t: string) => t.replace(/\s*\|\s*/g, ' ').replace(/\s+/g, ' ');
const failedOf = (r: CallToolResult) => (s(r).devices as any[]).filter((d) => d.state === 'failed');

beforeAll(async () => {
  conn = await connect({
    env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_MAX_THROTTLE_WAIT_MS: '5000' }),
  });
});
afterAll(async () => {
  await conn?.close();
});

describe('thinListItems', () => {
  it('counts Graph left out are read by id (in a batch), never shown as 0', async () => {
    sim.setVariants(['thinListItems']);
    const r = await call('list_cloudpc_bulk_actions', { status: 'failed' });
    const restart = (s(r).bulkActions as any[]).find((a) => a.id === DEMO_IDS.failedRestart);
    expect(restart).toMatchObject({ cloudPcCount: 8, summary: { successfulCount: 5, failedCount: 3 } });
    expect(sim.requests.some((q) => q.path === '/beta/$batch')).toBe(true);
  });

  it('counts that cannot be read are "?" and absent, not 0', async () => {
    sim.setVariants(['thinListItems']);
    sim.faults.add({ kind: 'status', status: 500, times: Infinity, match: { method: 'POST', path: '/beta/$batch' } });
    const r = await call('list_cloudpc_bulk_actions', { status: 'failed', limit: 3 });
    expect(r.isError).toBeFalsy();
    const rows = s(r).bulkActions as any[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((a) => a.summary === undefined && a.cloudPcCount === undefined)).toBe(true);
    expect(textOf(r)).toMatch(/\| \? +\| \? +\|/);
  });
});

describe('wrappedEntities', () => {
  it('reads an entity wrapped in "value" as the same entity', async () => {
    sim.setVariants(['wrappedEntities']);
    const r = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(s(r).bulkAction).toMatchObject({ id: DEMO_IDS.failedRestart, summary: { failedCount: 3 } });
    expect(failedOf(r).every((d) => d.reasonStatus === 'found')).toBe(true);
  });

  it('a body with no id is a clear error, never an empty record', async () => {
    sim.faults.add({
      kind: 'status',
      status: 200,
      body: { '@odata.context': 'x', value: [] },
      match: { method: 'GET', path: `/beta/deviceManagement/virtualEndpoint/bulkActions/${DEMO_IDS.failedRestart}` },
    });
    const r = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/answered HTTP 200 with no bulk action in it/);
  });
});

describe('statusDetails', () => {
  it('reasons in the deprecated property are read the same', async () => {
    sim.setVariants(['statusDetails']);
    const r = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(
      failedOf(r)
        .map((d) => d.reasonCode)
        .sort(),
    ).toEqual(['cloudPcInGracePeriod', 'cloudPcNotRunning', 'operationTimeout']);
  });
});

describe('duplicateReportRows', () => {
  it('a device retried since is one row, in its latest state', async () => {
    sim.setVariants(['duplicateReportRows']);
    await call('retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.bobPc] });
    sim.advance(5000);
    const r = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(s(r).devices).toHaveLength(8);
    expect((s(r).devices as any[]).find((d) => d.cloudPcId === DEMO_IDS.bobPc).state).toBe('succeeded');
    expect(
      failedOf(r)
        .map((d) => d.userPrincipalName)
        .sort(),
    ).toEqual(['carol@contoso.com', 'dave@contoso.com']);
  });
});

describe('enumsNeedPrefer', () => {
  it('finds Cloud PCs by a status Graph added after the sentinel', async () => {
    sim.setVariants(['enumsNeedPrefer']);
    const r = await call('list_cloud_pcs', { status: 'movingRegion' });
    expect(r.isError).toBeFalsy();
    expect((s(r).cloudPcs as any[]).map((p) => [p.userPrincipalName, p.status])).toEqual([['heidi@contoso.com', 'movingRegion']]);
    const all = await call('list_cloud_pcs', { limit: 60 });
    expect((s(all).cloudPcs as any[]).some((p) => p.status === 'unknownFutureValue')).toBe(false);
    expect(sim.requests.every((q) => q.headers.prefer === 'include-unknown-enum-members')).toBe(true);
  });
});

describe('unsupportedQuery', () => {
  it('filters and sorts here when Graph refuses $filter and $orderby: the same answer', async () => {
    const tidy = s(await call('list_cloudpc_bulk_actions', { status: 'failed' })).bulkActions as any[];
    sim.setVariants(['unsupportedQuery']);
    const r = await call('list_cloudpc_bulk_actions', { status: 'failed' });
    expect(r.isError).toBeFalsy();
    expect((s(r).bulkActions as any[]).map((a) => a.id)).toEqual(tidy.map((a) => a.id));
    expect(conn.stderr()).toMatch(/Graph refused the query options; reading without them/);
  });
});

describe('offRootNextLink', () => {
  it('returns what was read and says more exists, without following the link', async () => {
    sim.setVariants(['offRootNextLink']);
    const r = await call('list_cloud_pcs', { limit: 50 });
    expect(r.isError).toBeFalsy();
    expect(s(r)).toMatchObject({ more: true });
    expect(s(r).cloudPcs).toHaveLength(10);
    expect(textOf(r)).toMatch(
      /more exist, but Graph's link to the next page points outside the Graph root \(http:\/\/127\.0\.0\.1:\d+\/testppebeta\//,
    );
    expect(sim.requests.filter((q) => q.path.includes('testppebeta'))).toHaveLength(0);
  });
});

describe('reasons from this action only', () => {
  it('remoteActionHistory: an older unrelated failure in the history is not the reason', async () => {
    sim.setVariants(['remoteActionHistory', 'staleLastRemoteAction']);
    const r = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision });
    const frank = failedOf(r).find((d) => d.cloudPcId === DEMO_IDS.frankPc);
    expect(frank).toMatchObject({ reasonCode: 'resourceAvailabilityCheckNoSubnetIP', failureClass: 'fixFirst' });
    expect(textOf(r)).not.toMatch(/not running/);
  });

  it("readOnlyPermissions + staleLastRemoteAction: the PC's last action is older, so the reason is unknown, and said so", async () => {
    sim.setVariants(['readOnlyPermissions', 'staleLastRemoteAction']);
    const r = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision });
    const frank = failedOf(r).find((d) => d.cloudPcId === DEMO_IDS.frankPc);
    expect(frank).toMatchObject({
      reasonStatus: 'lookupFailed',
      failureClass: 'unknown',
      pcStatus: expect.stringMatching(/^failed: .*no free IP addresses/),
    });
    expect(frank.reason).toBeUndefined();
    expect(s(r).reasons).toMatchObject({ historyForbidden: true });
    expect(textOf(r)).toMatch(/refused the PCs' remote action history \(it needs CloudPC\.ReadWrite\.All\)/);
    expect(flat(textOf(r))).toMatch(
      /unknown: the lookup failed \(HTTP 403 accessDenied\)\. The PC's current status \(not this action's reason\): failed/,
    );
  });

  it('readOnlyPermissions alone: a last remote action that belongs to this action is the reason', async () => {
    sim.setVariants(['readOnlyPermissions']);
    const r = await call('get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(failedOf(r).every((d) => d.reasonStatus === 'found')).toBe(true);
    const retry = await call('retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(retry.isError).toBe(true);
    expect(textOf(retry)).toMatch(/403[\s\S]*CloudPC\.ReadWrite\.All/);
  });
});

describe('batchThrottling', () => {
  it('parts throttled on their own are sent again after their Retry-After, and every reason arrives', async () => {
    sim.setVariants(['batchThrottling']);
    const progress: string[] = [];
    const r = await call(
      'get_cloudpc_bulk_action',
      { bulkActionId: DEMO_IDS.failedRestart },
      { onprogress: (p) => progress.push(p.message ?? '') },
    );
    expect(failedOf(r).every((d) => d.reasonStatus === 'found')).toBe(true);
    expect(sim.requests.filter((q) => q.path === '/beta/$batch').map((q) => q.parts!.length)).toEqual([3, 1]);
    expect(progress.join()).toMatch(/throttling part of the reason lookup \(HTTP 429\); waiting 1 s/);
  });
});

describe('partlyFailedNotFailed', () => {
  it('"failed" finds an action with failed devices whatever its status says', async () => {
    sim.setVariants(['partlyFailedNotFailed']);
    const rows = s(await call('list_cloudpc_bulk_actions', { status: 'failed' })).bulkActions as any[];
    expect(rows.find((a) => a.id === DEMO_IDS.failedRestart)).toMatchObject({ status: 'succeeded', summary: { failedCount: 3 } });
    const succeeded = s(await call('list_cloudpc_bulk_actions', { status: 'succeeded' })).bulkActions as any[];
    expect(succeeded.some((a) => a.id === DEMO_IDS.failedRestart)).toBe(true);
  });
});

describe('--simulate-variants', () => {
  it("the server setting switches the embedded simulator's variants on", async () => {
    const c = await connect({ env: baseEnv(), args: ['--simulate', '--simulate-variants', 'thinListItems,wrappedEntities'] });
    try {
      const r = (await c.client.callTool({
        name: 'list_cloudpc_bulk_actions',
        arguments: { status: 'failed', limit: 2 },
      })) as CallToolResult;
      expect((s(r).bulkActions as any[]).every((a) => typeof a.summary?.failedCount === 'number')).toBe(true);
      expect(c.stderr()).toMatch(/variants: thinListItems, wrappedEntities/);
    } finally {
      await c.close();
    }
  });

  it('an unknown variant is a configuration mistake the chat sees, naming the known ones', async () => {
    const c = await connect({ env: baseEnv(), args: ['--simulate', '--simulate-variants', 'thin'] });
    try {
      const r = (await c.client.callTool({ name: 'list_cloudpc_bulk_actions', arguments: {} })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(
        /CLOUDPC_MCP_SIMULATE_VARIANTS \(--simulate-variants\): not simulator variants: "thin"; known: thinListItems/,
      );
    } finally {
      await c.close();
    }
  });
});
