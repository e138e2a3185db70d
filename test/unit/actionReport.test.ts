// The action status report of one action, through the real Graph client against the simulator over loopback HTTP:
// every row once across parallel pages, the round trips it takes (counted structurally as request waves through a
// delaying stand-in, never by timing), the BulkActionId fallback within its bound, and the POST body guard.
import { afterAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import { beginReport, MAX_REPORT_PAGES, PAGE_CONCURRENCY } from '../../src/graph/outcomes/actionReport.js';
import { EmptyIdListError, postRetry } from '../../src/graph/bulkActions.js';
import { GraphClient } from '../../src/graph/client.js';
import { devicesOf } from '../../src/graph/outcomes/deviceOutcomes.js';
import { DEMO_IDS, type DeviceRun, type SimulatorVariant } from '../../src/simulator/index.js';
import { waveStandIn } from '../support/waveStandIn.mjs';

const sim = useSimulator({}, { resetEach: true });
const clients: GraphClient[] = [];
const client = (root: string) => {
  const g = new GraphClient({
    graphRoot: root,
    tokenProvider: { description: 'test', delegated: true, getToken: async () => sim.token },
    timeoutMs: 10_000,
    throttle: { maxAttempts: 2, maxTotalWaitMs: 0 },
  });
  clients.push(g);
  return g;
};
const reports = () =>
  sim.requests.filter((r) => r.path.endsWith('/getActionStatusReports')).map((r) => r.body as { filter?: string; skip: number });

/** Adds n devices to last night's restart, each in the given state (ids sort after the demo's own). */
function addDevices(n: number, state: DeviceRun['state']): string[] {
  const action = sim.state.tenant.bulkActions.find((a) => a.id === DEMO_IDS.failedRestart)!;
  const ids = Array.from({ length: n }, (_, i) => `${state.slice(0, 2)}${i.toString(16).padStart(6, '0')}-5a5a-4b4b-8c8c-000000000000`);
  for (const id of ids) action.runs.push({ ...action.runs[0]!, cloudPcId: id, state, reportId: `r-${id}`, attempts: [] });
  return ids;
}

afterAll(async () => {
  for (const g of clients) await g.close();
});

describe('reading the report of one action', () => {
  it('a small action: the first page of all its rows answers it whole, in one round trip', async () => {
    const standIn = await waveStandIn(sim.url, 30);
    try {
      const reading = await beginReport(client(standIn.url), DEMO_IDS.failedRestart, undefined).finish(true);
      expect(
        devicesOf(reading, true)
          .map((d) => d.cloudPcId)
          .sort(),
      ).toEqual([DEMO_IDS.bobPc, DEMO_IDS.carolPc, DEMO_IDS.davePc].sort());
      expect(standIn.waves()).toBe(1);
    } finally {
      await standIn.close();
    }
  });

  it('many failed rows: every row exactly once, the later pages together (one round trip for up to 4 pages)', async () => {
    const failed = addDevices(250, 'failed');
    addDevices(150, 'done');
    const standIn = await waveStandIn(sim.url, 30);
    try {
      const reading = await beginReport(client(standIn.url), DEMO_IDS.failedRestart, true).finish(true);
      const ids = devicesOf(reading, true).map((d) => d.cloudPcId);
      expect(ids).toHaveLength(253);
      expect(new Set(ids).size).toBe(253);
      expect(ids).toEqual(expect.arrayContaining(failed));
      // Wave 1: all rows' page 0 and failed rows' page 0. Wave 2: failed pages 1 and 2, and the rows requested after
      // the earliest failure (none here: nothing was retried).
      expect(standIn.waves()).toBe(2);
      const failedSkips = reports()
        .filter((b) => b.filter?.includes("ActionState eq 'failed'"))
        .map((b) => b.skip)
        .sort((a, b) => a - b);
      expect(failedSkips).toEqual([0, 100, 200]);
      expect(PAGE_CONCURRENCY).toBe(4);
    } finally {
      await standIn.close();
    }
  });

  it("reportFilterRefused: the rows of this action are picked out of the documented filter's rows, and the answer says so", async () => {
    sim.setVariants(['reportFilterRefused']);
    const reading = await beginReport(client(sim.url), DEMO_IDS.failedRestart, true).finish(true);
    expect(reading.localFilter).toMatch(/refused the report filter on BulkActionId/);
    expect(
      devicesOf(reading, true)
        .map((d) => d.cloudPcId)
        .sort(),
    ).toEqual([DEMO_IDS.bobPc, DEMO_IDS.carolPc, DEMO_IDS.davePc].sort());
    // Rows of other actions (the older restart where Carol's PC failed too) are not this action's.
    expect(reading.rows.every((r) => r.BulkActionId === DEMO_IDS.failedRestart)).toBe(true);
    expect(reports().filter((b) => b.filter === undefined || !b.filter.includes('BulkActionId')).length).toBeGreaterThan(0);
    expect(MAX_REPORT_PAGES).toBe(100);
  });

  // Past one page, the rows requested after the earliest failure are read by a filter on RequestDateTime (which tells
  // which failed devices recovered); where Graph refuses that filter, every row of the action is read instead.
  it.each([[['duplicateReportRows']], [[]], [['duplicateReportRows', 'requestTimeFilterRefused']], [['requestTimeFilterRefused']]] as [
    SimulatorVariant[],
  ][])('%j, an action over two pages: a failed device that recovered is not failed', async (variants) => {
    sim.setVariants(variants);
    addDevices(150, 'done');
    const retried = await fetch(`${sim.url}/beta/deviceManagement/virtualEndpoint/bulkActions/${DEMO_IDS.failedRestart}/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ cloudPcIds: [DEMO_IDS.carolPc] }),
    });
    expect(retried.status).toBe(202);
    sim.advance(5000);
    sim.requests.length = 0;
    const reading = await beginReport(client(sim.url), DEMO_IDS.failedRestart, true).finish(true);
    expect(
      devicesOf(reading, true)
        .map((d) => d.cloudPcId)
        .sort(),
    ).toEqual([DEMO_IDS.bobPc, DEMO_IDS.davePc].sort());
    expect(reports().some((b) => b.filter?.includes('RequestDateTime gt'))).toBe(true);
    const allRowsPageTwo = reports().some((b) => b.filter === `BulkActionId eq '${DEMO_IDS.failedRestart}'` && b.skip === 100);
    expect(allRowsPageTwo).toBe(variants.includes('requestTimeFilterRefused'));
  });

  it('a 403: unavailable, said as such, no device named', async () => {
    sim.setVariants(['reportForbidden']);
    const reading = await beginReport(client(sim.url), DEMO_IDS.failedRestart, true).finish(true);
    expect(reading).toMatchObject({ rows: [], unavailable: 'the action status report could not be read (HTTP 403 accessDenied)' });
  });
});

describe('the retry POST body', () => {
  it('never {"cloudPcIds": []}: refused before anything is sent', async () => {
    await expect(postRetry(client(sim.url), { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [] })).rejects.toBeInstanceOf(
      EmptyIdListError,
    );
    const posts = () => sim.requests.filter((r) => r.path.endsWith('/retry'));
    expect(posts()).toHaveLength(0);
    await postRetry(client(sim.url), { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.bobPc] });
    expect(posts().map((r) => r.body)).toEqual([{ cloudPcIds: [DEMO_IDS.bobPc] }]);
  });
});
