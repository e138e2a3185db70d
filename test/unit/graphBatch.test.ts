// JSON batching and the reason lookup, through the real Graph client against the simulator over loopback HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import { runBatch, type BatchOptions } from '../../src/graph/batch.js';
import { getBulkAction } from '../../src/graph/bulkActions.js';
import { GraphClient } from '../../src/graph/client.js';
import { deviceOutcomesOf } from '../../src/graph/outcomes/deviceOutcomes.js';
import { lookUpReasons } from '../../src/graph/outcomes/remoteActions.js';
import { graphPath } from '../../src/graph/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';

const sim = useSimulator();
let graph: GraphClient;
const waits: number[] = [];
const opts = (over: Partial<BatchOptions> = {}): BatchOptions => ({
  maxWaitMs: 10_000,
  // Instant, but recorded: the test checks the wait each part asked for, not the clock.
  sleep: async (ms) => {
    waits.push(ms);
  },
  ...over,
});
const batches = () => sim.requests.filter((r) => r.path === '/beta/$batch');
const history = (id: string) => ({
  id,
  url: graphPath`/deviceManagement/virtualEndpoint/cloudPCs/${id}/retrieveCloudPcRemoteActionResults`,
});
const PCS = [DEMO_IDS.bobPc, DEMO_IDS.carolPc, DEMO_IDS.davePc, DEMO_IDS.erinPc, DEMO_IDS.frankPc, DEMO_IDS.alicePc];

beforeAll(async () => {
  graph = new GraphClient({
    graphRoot: sim.url,
    tokenProvider: { description: 'test', delegated: true, getToken: async () => sim.token },
    timeoutMs: 10_000,
    throttle: { maxAttempts: 2, maxTotalWaitMs: 0 },
  });
});
afterAll(async () => {
  await graph.close();
});
beforeEach(() => {
  sim.reset();
  waits.length = 0;
});

describe('runBatch', () => {
  it('sends at most 20 requests a batch and answers every part by its id', async () => {
    const parts = Array.from({ length: 45 }, (_, i) => history(PCS[i % PCS.length]!)).map((p, i) => ({ ...p, id: `p${i}` }));
    const answers = await runBatch(graph, parts, opts());
    expect(batches().map((b) => b.parts!.length)).toEqual([20, 20, 5]);
    expect(answers.size).toBe(45);
    expect([...answers.values()].every((a) => a.status === 200 && Array.isArray((a.body as { value: unknown[] }).value))).toBe(true);
  });

  it('sends a part throttled on its own again after its own Retry-After, and only that part', async () => {
    sim.setVariants(['batchThrottling']);
    const answers = await runBatch(graph, PCS.map(history), opts());
    expect(batches().map((b) => b.parts!.map((p) => p.status))).toEqual([
      [200, 429, 200, 429, 200, 429],
      [200, 200, 200],
    ]);
    expect(waits).toEqual([1000]);
    expect([...answers.values()].every((a) => a.status === 200)).toBe(true);
  });

  it("never cuts a part's wait short: past the budget the part stays throttled", async () => {
    sim.setVariants(['batchThrottling']);
    const answers = await runBatch(graph, PCS.map(history), opts({ maxWaitMs: 500 }));
    expect(batches()).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(answers.get(DEMO_IDS.carolPc)).toMatchObject({ status: 429, code: 'throttled' });
    expect(answers.get(DEMO_IDS.bobPc)?.status).toBe(200);
  });

  it('a status fault on a part path answers that part only', async () => {
    sim.faults.add({
      kind: 'status',
      status: 404,
      match: { path: `/beta/deviceManagement/virtualEndpoint/cloudPCs/${DEMO_IDS.carolPc}/retrieveCloudPcRemoteActionResults` },
    });
    const answers = await runBatch(graph, PCS.map(history), opts());
    expect(answers.get(DEMO_IDS.carolPc)).toMatchObject({ status: 404, code: 'ResourceNotFound' });
    expect(answers.get(DEMO_IDS.bobPc)?.status).toBe(200);
  });

  it('where $batch itself is refused (a gateway without it), sends the same GETs one by one', async () => {
    sim.faults.add({ kind: 'status', status: 404, match: { method: 'POST', path: '/beta/$batch' } });
    const answers = await runBatch(graph, PCS.slice(0, 3).map(history), opts());
    expect(sim.requests.filter((r) => r.method === 'GET').map((r) => r.path.split('/')[5])).toEqual(
      expect.arrayContaining(PCS.slice(0, 3)),
    );
    expect([...answers.values()].map((a) => a.status)).toEqual([200, 200, 200]);
  });

  it('a batch that fails as a whole fails each of its parts, and sends no GETs', async () => {
    sim.faults.add({ kind: 'status', status: 500, match: { method: 'POST', path: '/beta/$batch' } });
    const answers = await runBatch(graph, PCS.slice(0, 2).map(history), opts());
    expect([...answers.values()]).toEqual([
      { status: 500, body: undefined, code: 'InternalServerError' },
      { status: 500, body: undefined, code: 'InternalServerError' },
    ]);
    expect(sim.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
  });
});

describe('reasons from this action only', () => {
  it('takes the newest history entry of this action, not an older unrelated one', async () => {
    sim.setVariants(['remoteActionHistory', 'staleLastRemoteAction']);
    const action = await getBulkAction(graph, DEMO_IDS.failedReprovision);
    const { reasons } = await lookUpReasons(graph, action, [{ cloudPcId: DEMO_IDS.frankPc }, { cloudPcId: DEMO_IDS.erinPc }], opts());
    expect(reasons.get(DEMO_IDS.frankPc)?.entry?.statusDetail?.code).toBe('resourceAvailabilityCheckNoSubnetIP');
    expect(reasons.get(DEMO_IDS.erinPc)?.entry?.statusDetail?.code).toBe('internalServerError');
  });

  it('read-only (history refused): falls back to lastRemoteActionResult only when it belongs to this action', async () => {
    sim.setVariants(['readOnlyPermissions']);
    const action = await getBulkAction(graph, DEMO_IDS.failedRestart);
    const ok = await lookUpReasons(graph, action, [{ cloudPcId: DEMO_IDS.bobPc }], opts());
    expect(ok.historyForbidden).toBe(true);
    expect(ok.reasons.get(DEMO_IDS.bobPc)).toMatchObject({
      source: 'lastRemoteActionResult',
      entry: { statusDetail: { code: 'cloudPcNotRunning' } },
    });

    sim.setVariants(['readOnlyPermissions', 'staleLastRemoteAction']);
    const stale = await lookUpReasons(graph, action, [{ cloudPcId: DEMO_IDS.bobPc }], opts());
    // The PC's last remote action is a 2023 reboot: never this action's reason.
    expect(stale.reasons.get(DEMO_IDS.bobPc)?.entry).toBeUndefined();
    expect(stale.reasons.get(DEMO_IDS.bobPc)).toMatchObject({ lookupFailed: 'HTTP 403 accessDenied', pcStatus: 'provisioned' });
  });

  it("no entry of this action: unknown, with the PC's own status read and kept apart", async () => {
    const action = await getBulkAction(graph, DEMO_IDS.failedRestart);
    const { reasons } = await lookUpReasons(graph, action, [{ cloudPcId: DEMO_IDS.erinPc }], opts());
    expect(reasons.get(DEMO_IDS.erinPc)).toEqual({
      pcStatus: 'failed',
      pcStatusDetail: { code: 'internalServerError', message: expect.any(String), retriable: true },
    });
  });
});

describe('deviceOutcomesOf', () => {
  const read = (onlyFailed: boolean, reasonCap = 100) => ({ onlyFailed, reasonCap, batch: opts() });

  it("reads the action's rows and its failed rows at once, sorted on a unique key, with the Accept the SDKs send, and classifies each failure", async () => {
    const action = await getBulkAction(graph, DEMO_IDS.failedRestart);
    const o = await deviceOutcomesOf(graph, action, read(true));
    const reports = sim.requests.filter((r) => r.path.endsWith('/getActionStatusReports'));
    const report = reports[0]!;
    expect(reports.map((r) => (r.body as { filter: string }).filter)).toEqual([
      `BulkActionId eq '${DEMO_IDS.failedRestart}'`,
      `BulkActionId eq '${DEMO_IDS.failedRestart}' and ActionState eq 'failed'`,
    ]);
    expect((report.body as { orderBy: string[] }).orderBy).toEqual(['RequestDateTime', 'CloudPcId', 'Id']);
    expect((report.body as { select: string[] }).select).toContain('RequestDateTime');
    expect(report.headers.accept).toBe('application/octet-stream, application/json');
    expect(o.devices.map((d) => [d.userPrincipalName, d.failureClass, d.classRule]).sort()).toEqual([
      ['bob@contoso.com', 'fixFirst', 'pcNotRunning'],
      ['carol@contoso.com', 'retryable', 'timeout'],
      ['dave@contoso.com', 'fixFirst', 'gracePeriod'],
    ]);
    expect(o.reasons).toEqual({ lookedUp: 3, failed: 3, cap: 100, historyForbidden: false });
    expect(batches()).toHaveLength(1);
  });

  it('looks up reasons only within the cap, and says how many', async () => {
    const action = await getBulkAction(graph, DEMO_IDS.failedRestart);
    const o = await deviceOutcomesOf(graph, action, read(true, 2));
    expect(o.reasons).toMatchObject({ lookedUp: 2, failed: 3, cap: 2 });
    expect(o.devices.map((d) => d.reasonStatus)).toEqual(['found', 'found', 'notLookedUp']);
    expect(o.devices[2]!.failureClass).toBe('unknown');
  });

  it('duplicated report rows: one outcome per device, the latest; a device retried since is not failed', async () => {
    sim.setVariants(['duplicateReportRows']);
    await graph.request({
      method: 'POST',
      path: graphPath`/deviceManagement/virtualEndpoint/bulkActions/${DEMO_IDS.failedRestart}/retry`,
      body: { cloudPcIds: [DEMO_IDS.bobPc] },
    });
    sim.advance(5000);
    const action = await getBulkAction(graph, DEMO_IDS.failedRestart);
    const all = await deviceOutcomesOf(graph, action, read(false));
    expect(all.devices).toHaveLength(8);
    expect(all.devices.find((d) => d.cloudPcId === DEMO_IDS.bobPc)?.state).toBe('succeeded');
    // The failed rows still hold bob's first, failed attempt; his newer row in this action says it succeeded.
    const failed = await deviceOutcomesOf(graph, action, read(true));
    expect(failed.devices.map((d) => d.userPrincipalName).sort()).toEqual(['carol@contoso.com', 'dave@contoso.com']);
    expect(failed.reasons).toMatchObject({ failed: 2 });
  });

  it('the report unavailable: says so, and the counts still stand', async () => {
    sim.faults.add({
      kind: 'status',
      status: 403,
      match: { path: '/beta/deviceManagement/virtualEndpoint/reports/getActionStatusReports' },
    });
    const action = await getBulkAction(graph, DEMO_IDS.failedRestart);
    const o = await deviceOutcomesOf(graph, action, read(true));
    expect(o).toMatchObject({ devices: [], unavailable: 'the action status report could not be read (HTTP 403 Forbidden)' });
  });
});
