// The retry workflow end to end: find, inspect, resolve names, dry-run, confirm, retry, watch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { baseEnv, connect, textOf, type Connected } from './harness.js';

const sim = useSimulator({ progressMs: 1500 }, { resetEach: true });
const opened: Connected[] = [];

async function server(extra: Record<string, string> = {}, capabilities?: Parameters<typeof connect>[0]['capabilities']) {
  const c = await connect({
    env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_POLL_INTERVAL_MS: '200', ...extra }),
    capabilities,
  });
  opened.push(c);
  return c;
}
async function call(c: Connected, name: string, args: Record<string, unknown>, opts?: Parameters<Connected['client']['callTool']>[2]) {
  return (await c.client.callTool({ name, arguments: args }, undefined, opts)) as CallToolResult;
}
const s = (r: CallToolResult) => r.structuredContent as Record<string, any>;
const posts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/retry'));

let plain: Connected;
beforeAll(async () => {
  plain = await server();
});
afterAll(async () => {
  for (const c of opened) await c.close();
});

describe('list_cloudpc_bulk_actions', () => {
  it('lists newest first, filtered by status, with counts from actionSummary', async () => {
    const r = await call(plain, 'list_cloudpc_bulk_actions', { status: 'failed' });
    const rows = s(r).bulkActions as any[];
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.every((a) => a.status === 'failed')).toBe(true);
    expect(rows.map((a) => a.createdDateTime)).toEqual([...rows.map((a) => a.createdDateTime)].sort().reverse());
    const restart = rows.find((a) => a.id === DEMO_IDS.failedRestart);
    expect(restart).toMatchObject({ actionType: 'restart', cloudPcCount: 8, summary: { successfulCount: 5, failedCount: 3 } });
    expect(textOf(r)).toContain(DEMO_IDS.failedRestart);
  });

  it('filters by action type', async () => {
    const rows = s(await call(plain, 'list_cloudpc_bulk_actions', { actionType: 'reprovision' })).bulkActions as any[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((a) => a.actionType === 'reprovision')).toBe(true);
  });

  it('follows nextLink across pages and says when more exist beyond the limit', async () => {
    const all = s(await call(plain, 'list_cloudpc_bulk_actions', { limit: 100 }));
    expect(all.more).toBe(false);
    expect(all.bulkActions.length).toBe(sim.state.bulkActions().length);
    expect(sim.requests.filter((r) => r.path.endsWith('/bulkActions')).length).toBeGreaterThan(1);
    const some = s(await call(plain, 'list_cloudpc_bulk_actions', { limit: 3 }));
    expect(some.bulkActions).toHaveLength(3);
    expect(some.more).toBe(true);
  });

  it('refuses a limit over the cap without calling Graph', async () => {
    const r = await call(plain, 'list_cloudpc_bulk_actions', { limit: 5000 });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/limit must be at most 100/);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('get_cloudpc_bulk_action', () => {
  it('names the failed devices, their users and why they failed', async () => {
    const r = await call(plain, 'get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    const failed = (s(r).devices as any[]).filter((d) => d.state === 'failed');
    expect(failed.map((d) => d.userPrincipalName).sort()).toEqual(['bob@contoso.com', 'carol@contoso.com', 'dave@contoso.com']);
    expect(failed.every((d) => typeof d.reason === 'string' && d.reason.length > 0 && d.reasonStatus === 'found')).toBe(true);
    expect(textOf(r)).toMatch(/bob@contoso\.com/);
  });
});

describe('list_cloud_pcs', () => {
  it('turns a user into Cloud PC ids', async () => {
    const r = await call(plain, 'list_cloud_pcs', { userPrincipalName: 'bob@contoso.com' });
    expect((s(r).cloudPcs as any[]).map((p) => p.id)).toEqual([DEMO_IDS.bobPc]);
  });

  it('pages and caps large results', async () => {
    const r = s(await call(plain, 'list_cloud_pcs', { limit: 15 }));
    expect(r.cloudPcs).toHaveLength(15);
    expect(r.more).toBe(true);
  });

  it('keeps a quote in user text inside the OData literal', async () => {
    const r = await call(plain, 'list_cloud_pcs', { userPrincipalName: "x' or userPrincipalName ne 'y" });
    const sent = sim.requests.find((q) => q.path.endsWith('/cloudPCs'));
    expect(sent?.query.$filter).toBe("userPrincipalName eq 'x'' or userPrincipalName ne ''y'");
    if (!r.isError) expect(s(r).cloudPcs).toHaveLength(0);
  });
});

describe('retry safety', () => {
  it('dryRun lists the devices that would be retried and the ids that are not part of the action, and sends nothing', async () => {
    const stranger = '12345678-1234-1234-1234-123456789abc';
    const r = await call(plain, 'retry_cloudpc_bulk_action', {
      bulkActionId: DEMO_IDS.failedRestart,
      cloudPcIds: [DEMO_IDS.bobPc, stranger],
      dryRun: true,
    });
    expect(s(r)).toMatchObject({ status: 'dryRun', notInBulkAction: [stranger] });
    expect((s(r).devices as any[]).map((d) => d.cloudPcId)).toEqual([DEMO_IDS.bobPc]);
    const all = await call(plain, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, dryRun: true });
    expect((s(all).devices as any[]).map((d) => d.userPrincipalName).sort()).toEqual([
      'bob@contoso.com',
      'carol@contoso.com',
      'dave@contoso.com',
    ]);
    expect(posts()).toHaveLength(0);
    expect(sim.retries).toHaveLength(0);
  });

  it("a client without elicitation: a destructive retry waits for a person, and the model's confirm: true changes nothing", async () => {
    for (const confirm of [undefined, true]) {
      const r = await call(plain, 'retry_cloudpc_bulk_action', {
        bulkActionId: DEMO_IDS.failedReprovision,
        ...(confirm ? { confirm } : {}),
      });
      expect(s(r).status).toBe('approvalPending');
      expect(textOf(r)).toMatch(/Not sent yet.*You cannot approve it yourself/s);
      // The one-time link reaches the person (log notification, stderr), never the model.
      expect(textOf(r)).not.toMatch(/token=/);
    }
    expect(posts()).toHaveLength(0);
  });

  it('policy "model": the model may approve with confirm: true, and the plan\'s exact ids are sent, never {}', async () => {
    const c = await server({ CLOUDPC_MCP_CONFIRM_POLICY: 'model' });
    const first = await call(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision });
    expect(s(first).status).toBe('confirmationRequired');
    expect(textOf(first)).toMatch(/Not sent.*confirm: true/s);
    expect(posts()).toHaveLength(0);
    const second = await call(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision, confirm: true });
    expect(s(second)).toMatchObject({ status: 'accepted', approval: { via: 'model' } });
    expect(sim.retries).toHaveLength(1);
    expect(posts()[0]!.body).toEqual({ cloudPcIds: s(second).cloudPcIds });
    expect(s(second).cloudPcIds).toHaveLength(2);
    expect(c.stderr()).toMatch(/lets the AI model approve destructive retries itself/);
  });

  it('a restart needs no confirmation', async () => {
    const r = await call(plain, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(s(r)).toMatchObject({ status: 'accepted', destructive: false });
  });

  it('policy "refuse": a destructive retry from a client that cannot ask is refused even with confirm: true', async () => {
    const c = await server({ CLOUDPC_MCP_CONFIRM_POLICY: 'refuse' });
    const r = await call(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision, confirm: true });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/CLOUDPC_MCP_CONFIRM_POLICY=refuse/);
    expect(posts()).toHaveLength(0);
  });

  it('the operator can make restarts need confirmation too', async () => {
    const c = await server({ CLOUDPC_MCP_DESTRUCTIVE_ACTIONS: 'restart' });
    const r = await call(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(s(r).status).toBe('approvalPending');
    expect(posts()).toHaveLength(0);
  });

  it('with elicitation: the user is asked; declining sends nothing, accepting sends the retry once', async () => {
    let answer: 'decline' | 'accept' = 'decline';
    const asked: string[] = [];
    const c = await server({}, { elicitation: { form: {} } });
    c.client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
    });
    const declined = await call(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision, confirm: true });
    expect(s(declined).status).toBe('declined');
    expect(textOf(declined)).toMatch(/Not sent: the user declined/);
    expect(posts()).toHaveLength(0);
    expect(asked[0]).toMatch(/reprovision/);
    answer = 'accept';
    const accepted = await call(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedReprovision });
    expect(s(accepted)).toMatchObject({ status: 'accepted', approval: { via: 'elicitation' } });
    expect(sim.retries).toHaveLength(1);
    expect(sim.retries[0]!.cloudPcIds).toEqual(s(accepted).plan?.cloudPcIds ?? s(accepted).cloudPcIds);
  });

  it('--read-only: the retry tool is not listed and cannot be called; reads still work', async () => {
    const c = await server({ CLOUDPC_MCP_READ_ONLY: 'true' });
    const { tools } = await c.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'auth_status',
      'get_cloudpc_bulk_action',
      'list_cloud_pcs',
      'list_cloudpc_bulk_actions',
    ]);
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    await expect(call(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart })).rejects.toThrow(/read-only/);
    expect(s(await call(c, 'list_cloudpc_bulk_actions', {})).bulkActions.length).toBeGreaterThan(0);
    expect(posts()).toHaveLength(0);
  });
});

describe('watching the outcome', () => {
  it('waits until the action leaves pending, with progress notifications carrying the counts', async () => {
    await call(plain, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const r = await call(
      plain,
      'get_cloudpc_bulk_action',
      { bulkActionId: DEMO_IDS.failedRestart, waitSeconds: 60 },
      { onprogress: (p) => progress.push(p) },
    );
    expect(s(r).waited.finished).toBe(true);
    expect(s(r).bulkAction.status).not.toBe('pending');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]!.message).toMatch(/^pending: .*in progress/);
    expect(progress[0]!.total).toBe(8);
    // dave's Cloud PC is in its grace period: the retry fails again, so the action ends failed with one device.
    expect(s(r).bulkAction.summary.failedCount).toBe(1);
  });

  it('cancellation stops the wait at once and the server keeps serving', async () => {
    const ac = new AbortController();
    let sawProgress!: () => void;
    const progressed = new Promise<void>((r) => (sawProgress = r));
    const pending = call(
      plain,
      'get_cloudpc_bulk_action',
      { bulkActionId: DEMO_IDS.pendingPowerOn, waitSeconds: 600 },
      { signal: ac.signal, onprogress: () => sawProgress() },
    );
    await progressed;
    ac.abort();
    await expect(pending).rejects.toThrow();
    const gets = () => sim.requests.filter((q) => q.path.endsWith(DEMO_IDS.pendingPowerOn)).length;
    const before = gets();
    await new Promise((r) => setTimeout(r, 600));
    expect(gets()).toBe(before);
    expect(s(await call(plain, 'list_cloud_pcs', { limit: 1 })).cloudPcs).toHaveLength(1);
  });
});
