// What a retry sends is what failed, and what a dry run says is what a real call does: nothingToRetry sends nothing,
// chosen devices that did not fail are named and left out (unless the admin insists), only: "retryable" sends exactly
// the retryable ones, and a destructive confirmation describes the action by its own properties.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS, FAILURES } from '../../src/simulator/index.js';
import { baseEnv, connect, textOf, type Connected } from './harness.js';

const sim = useSimulator({}, { resetEach: true });
let conn: Connected;
const s = (r: CallToolResult) => r.structuredContent as Record<string, any>;
const retry = async (args: Record<string, unknown>, c: Connected = conn) =>
  (await c.client.callTool({ name: 'retry_cloudpc_bulk_action', arguments: args })) as CallToolResult;
const posts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/retry'));
const flat = (t: string) => t.replace(/\s+/g, ' ');

beforeAll(async () => {
  conn = await connect({ env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token }) });
});
afterAll(async () => {
  await conn?.close();
});

describe('nothing to retry: nothing is sent', () => {
  it('an action with 0 failed devices', async () => {
    const r = await retry({ bulkActionId: DEMO_IDS.succeededRestart });
    expect(r.isError).toBeFalsy();
    expect(s(r)).toMatchObject({ status: 'nothingToRetry', counts: { failed: 0, leftOut: 0 } });
    expect(textOf(r)).toMatch(/Nothing to retry, nothing sent: Graph reports 0 failed devices for this action/);
    expect(posts()).toHaveLength(0);
  });

  it('chosen devices that did not fail are named and left out; sent only when the admin insists', async () => {
    const mixed = await retry({ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.alicePc] });
    expect(s(mixed)).toMatchObject({
      status: 'accepted',
      cloudPcIds: [DEMO_IDS.bobPc],
      counts: { failed: 3, chosen: 2, toSend: 1, leftOut: 1 },
    });
    expect(s(mixed).leftOut).toEqual([{ cloudPcId: DEMO_IDS.alicePc, why: expect.stringMatching(/did not fail in this action/) }]);
    expect(textOf(mixed)).toMatch(new RegExp(`Left out \\(1\\):\\n- ${DEMO_IDS.alicePc}: did not fail`));
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: [DEMO_IDS.bobPc] }]);

    const none = await retry({ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.alicePc] });
    expect(s(none)).toMatchObject({ status: 'nothingToRetry', cloudPcIds: [], counts: { chosen: 1, toSend: 0, leftOut: 1 } });
    expect(textOf(none)).toMatch(/none of the 1 chosen Cloud PC failed[\s\S]*includeNotFailed: true/);
    expect(posts()).toHaveLength(1);

    const insist = await retry({ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.alicePc], includeNotFailed: true });
    expect(s(insist)).toMatchObject({ status: 'accepted', cloudPcIds: [DEMO_IDS.alicePc] });
    expect(posts().at(-1)!.body).toEqual({ cloudPcIds: [DEMO_IDS.alicePc] });
  });
});

describe('only: "retryable"', () => {
  it('sends exactly the retryable failed devices; the dry run names them and who is left out, and why', async () => {
    const dry = await retry({ bulkActionId: DEMO_IDS.failedRestart, only: 'retryable', dryRun: true });
    expect(s(dry)).toMatchObject({
      status: 'dryRun',
      target: 'selected',
      cloudPcIds: [DEMO_IDS.carolPc],
      counts: { failed: 3, toSend: 1, leftOut: 2 },
    });
    expect((s(dry).leftOut as any[]).map((l) => [l.cloudPcId, l.failureClass])).toEqual([
      [DEMO_IDS.bobPc, 'fixFirst'],
      [DEMO_IDS.davePc, 'fixFirst'],
    ]);
    expect(flat(textOf(dry))).toMatch(/Executing plan plan-\w+ sends exactly this Cloud PC id: b2e7c4a9-1f3d-5e86-c0b7-4d9a2e6f1c83\./);
    expect(flat(textOf(dry))).toMatch(
      /Left out \(2\): - bob@contoso\.com .*fix first: The Cloud PC is not running.*; fix: Start the Cloud PC/,
    );
    expect(posts()).toHaveLength(0);

    const real = await retry({ bulkActionId: DEMO_IDS.failedRestart, only: 'retryable' });
    expect(s(real)).toMatchObject({ status: 'accepted', cloudPcIds: [DEMO_IDS.carolPc] });
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: [DEMO_IDS.carolPc] }]);
  });

  it('among chosen ids only', async () => {
    const r = await retry({ bulkActionId: DEMO_IDS.failedRestart, only: 'retryable', cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.carolPc] });
    expect(s(r)).toMatchObject({ status: 'accepted', cloudPcIds: [DEMO_IDS.carolPc], counts: { chosen: 2, toSend: 1, leftOut: 1 } });
  });

  it('none retryable: nothing to retry, with the counts', async () => {
    const r = await retry({ bulkActionId: DEMO_IDS.failedTroubleshoot, only: 'retryable' });
    expect(s(r)).toMatchObject({ status: 'nothingToRetry', counts: { failed: 1, toSend: 0, leftOut: 1 } });
    expect(textOf(r)).toMatch(/none of the 1 failed device is retryable/);
    expect(posts()).toHaveLength(0);
  });

  it('without the report, refuses rather than guess which devices are retryable', async () => {
    sim.faults.add({
      kind: 'status',
      status: 403,
      match: { path: '/beta/deviceManagement/virtualEndpoint/reports/getActionStatusReports' },
    });
    const r = await retry({ bulkActionId: DEMO_IDS.failedRestart, only: 'retryable' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(
      /Not sent: only: "retryable" needs to know which devices failed and why, but the action status report could not be read \(HTTP 403/,
    );
    expect(posts()).toHaveLength(0);
  });
});

describe('the dry run never contradicts the real call', () => {
  it.each([
    ['all failed', { bulkActionId: DEMO_IDS.failedRestart }],
    ['nothing failed', { bulkActionId: DEMO_IDS.succeededRestart }],
    ['chosen, some not failed', { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.alicePc] }],
    ['chosen, none failed', { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.alicePc] }],
    ['chosen, insisting', { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.alicePc], includeNotFailed: true }],
    ['only retryable', { bulkActionId: DEMO_IDS.failedRestart, only: 'retryable' }],
    ['only retryable, none', { bulkActionId: DEMO_IDS.failedTroubleshoot, only: 'retryable' }],
  ])('%s', async (_why, args) => {
    const dry = s(await retry({ ...args, dryRun: true }));
    expect(posts()).toHaveLength(0);
    const real = s(await retry(args));
    const sent = posts().map((p) => p.body as { cloudPcIds?: string[] });
    if (real.status === 'nothingToRetry') {
      expect(sent).toHaveLength(0);
      expect(dry.cloudPcIds).toEqual(real.cloudPcIds);
      expect(dry.counts).toEqual(real.counts);
    } else {
      expect(real.status).toBe('accepted');
      expect(sent).toEqual([dry.target === 'allFailed' ? {} : { cloudPcIds: dry.cloudPcIds }]);
      expect(dry.leftOut).toEqual(real.leftOut);
    }
  });

  it('the dry run says nothing would be sent exactly when the real call sends nothing', async () => {
    const dry = await retry({ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.alicePc], dryRun: true });
    expect(textOf(dry)).toMatch(/Nothing to retry: none of the 1 chosen Cloud PC failed\. A real call would send nothing\./);
    expect(textOf(dry)).not.toMatch(/would send (\d|no ids)/);
  });
});

describe('the action described by its own properties', () => {
  const failOne = (actionId: string) => {
    const run = sim.state.tenant.bulkActions.find((a) => a.id === actionId)!.runs[0]!;
    run.state = 'failed';
    run.detail = FAILURES.internal;
    return run.cloudPcId;
  };

  /** What the person is asked to approve (a client with form elicitation), declined so nothing is sent. */
  async function approvalQuestion(args: Record<string, unknown>): Promise<string> {
    const asking = await connect({
      env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token }),
      capabilities: { elicitation: { form: {} } },
    });
    try {
      let question = '';
      asking.client.setRequestHandler(ElicitRequestSchema, async (req) => {
        question = req.params.message;
        return { action: 'decline' };
      });
      const r = await retry(args, asking);
      expect(s(r).status).toBe('declined');
      expect(posts()).toHaveLength(0);
      return question;
    } finally {
      await asking.close();
    }
  }

  it('restore: the restore point and time range, in the dry run and in the approval question', async () => {
    failOne(DEMO_IDS.restore);
    const point = sim.state.bulkAction(DEMO_IDS.restore)!.restorePointDateTime as string;
    const dry = await retry({ bulkActionId: DEMO_IDS.restore, dryRun: true });
    expect(textOf(dry)).toContain(`; restore point ${point}, time range before, unhealthy snapshots not ignored.`);
    expect(s(dry).plan.actionDetails).toBe(`restore point ${point}, time range before, unhealthy snapshots not ignored`);
    expect(await approvalQuestion({ bulkActionId: DEMO_IDS.restore })).toContain(
      `the restore bulk action "Restore to before the failed driver update" (${DEMO_IDS.restore}) (restore point ${point}, time range before`,
    );
  });

  it('resize: the target service plan', async () => {
    failOne(DEMO_IDS.resize);
    expect(await approvalQuestion({ bulkActionId: DEMO_IDS.resize })).toContain(
      `target service plan ${DEMO_IDS.servicePlans.enterprise8x32}`,
    );
  });

  it('disk encryption type and snapshot storage account of the older actions', async () => {
    const actions = sim.state.bulkActions();
    const encrypt = actions.find((a) => a.diskEncryptionType)!;
    const snapshot = actions.find((a) => a.storageAccountId)!;
    failOne(encrypt.id as string);
    failOne(snapshot.id as string);
    expect(textOf(await retry({ bulkActionId: encrypt.id, dryRun: true }))).toContain('disk encryption type customerManagedKey');
    expect(textOf(await retry({ bulkActionId: snapshot.id, dryRun: true }))).toMatch(
      /snapshot storage account \/subscriptions\/.*contosocpcsnapshots, access tier cool/,
    );
  });

  it('disaster recovery: failover or failback and the licence, in the dry run and in the approval question', async () => {
    failOne(DEMO_IDS.disasterRecovery);
    const dry = await retry({ bulkActionId: DEMO_IDS.disasterRecovery, dryRun: true });
    expect(flat(textOf(dry))).toContain(
      `Action: disasterRecovery bulk action "Fail over Standard Workers to West US" (${DEMO_IDS.disasterRecovery}); disaster-recovery step failover, disaster-recovery licence standard.`,
    );
    expect(flat(textOf(dry))).toContain('What a retry does: it switches each Cloud PC to or from its disaster-recovery copy');
    expect(s(dry).plan.actionDetails).toBe('disaster-recovery step failover, disaster-recovery licence standard');
    const question = flat(await approvalQuestion({ bulkActionId: DEMO_IDS.disasterRecovery }));
    expect(question).toContain('(disaster-recovery step failover, disaster-recovery licence standard)');
    expect(question).toContain('Retrying a disasterRecovery switches each Cloud PC to or from its disaster-recovery copy');
  });

  it('set review status: the review status Graph sends as an object, read to what it means', async () => {
    const review = sim.state.bulkActions().find((a) => a['@odata.type'] === '#microsoft.graph.cloudPcBulkSetReviewStatus')!;
    failOne(review.id as string);
    const dry = await retry({ bulkActionId: review.id, dryRun: true });
    expect(flat(textOf(dry))).toContain('; review status under review, snapshot saved to storage account contosocpcsnapshots.');
  });
});

describe('the reason-lookup cap', () => {
  it('is a setting, and the answer says how far it went', async () => {
    const capped = await connect({
      env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_MAX_REASON_LOOKUPS: '1' }),
    });
    try {
      const r = (await capped.client.callTool({
        name: 'get_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedRestart },
      })) as CallToolResult;
      expect(s(r).reasons).toEqual({ lookedUp: 1, failed: 3, cap: 1, historyForbidden: false });
      expect(textOf(r)).toMatch(/Reasons for the first 1 of 3 failed devices \(CLOUDPC_MCP_MAX_REASON_LOOKUPS=1\)/);
      // Not looked up is not classified: only: "retryable" leaves those out, and says why.
      const only = await retry({ bulkActionId: DEMO_IDS.failedRestart, only: 'retryable', dryRun: true }, capped);
      expect((s(only).leftOut as any[]).filter((l) => /not looked up/.test(l.why))).toHaveLength(2);
    } finally {
      await capped.close();
    }
  });
});
