// The simulator answers in every documented shape: each variant, switched on by option, by the control surface, and
// off again after reset; and $batch.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_IDS,
  LARGE_IDS,
  LARGE_SHAPE,
  SAME_TYPE_AGAIN_ID,
  SIMULATOR_VARIANTS,
  startSimulator,
  VARIANT_NAMES,
  type Simulator,
} from '../../src/simulator/index.js';

const ROOT = '/beta/deviceManagement/virtualEndpoint';
let sim: Simulator;

async function call(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(sim.url + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${sim.token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

beforeEach(async () => {
  sim = await startSimulator();
});
afterEach(async () => {
  await sim.close();
});

describe('variants', () => {
  it('thinListItems: list items without counts or devices; GET by id is full', async () => {
    sim.setVariants(['thinListItems']);
    const list = await call(`${ROOT}/bulkActions?$filter=${encodeURIComponent("status eq 'failed'")}`);
    expect(list.json.value[0]).toMatchObject({ actionSummary: null, cloudPcIds: [] });
    // The service still filters on the full item.
    expect(list.json.value.length).toBeGreaterThan(1);
    const one = await call(`${ROOT}/bulkActions/${DEMO_IDS.failedRestart}`);
    expect(one.json.actionSummary.failedCount).toBe(3);
  });

  it('wrappedEntities: a single entity comes as {"value": {...}}', async () => {
    sim.setVariants(['wrappedEntities']);
    const a = await call(`${ROOT}/bulkActions/${DEMO_IDS.failedRestart}`);
    expect(a.json.id).toBeUndefined();
    expect(a.json.value.id).toBe(DEMO_IDS.failedRestart);
    const pc = await call(`${ROOT}/cloudPCs/${DEMO_IDS.bobPc}?$select=id,status`);
    expect(pc.json.value).toEqual({ '@odata.type': '#microsoft.graph.cloudPC', id: DEMO_IDS.bobPc, status: 'provisioned' });
  });

  it('statusDetails: history entries fill the deprecated property only (statusDetail null, as in the reference example)', async () => {
    sim.setVariants(['statusDetails']);
    const h = await call(`${ROOT}/cloudPCs/${DEMO_IDS.bobPc}/retrieveCloudPcRemoteActionResults`);
    expect(h.json.value[0].statusDetails.code).toBe('cloudPcNotRunning');
    expect(h.json.value[0].statusDetail).toBeNull();
  });

  it('duplicateReportRows: a retried device has a row per attempt', async () => {
    sim.setVariants(['duplicateReportRows']);
    await call(`${ROOT}/bulkActions/${DEMO_IDS.failedRestart}/retry`, { body: { cloudPcIds: [DEMO_IDS.bobPc] } });
    const r = await call(`${ROOT}/reports/getActionStatusReports`, {
      body: {
        filter: `BulkActionId eq '${DEMO_IDS.failedRestart}' and CloudPcId eq '${DEMO_IDS.bobPc}'`,
        select: ['CloudPcId', 'ActionState'],
      },
    });
    expect(r.json.Values).toEqual(
      expect.arrayContaining([
        [DEMO_IDS.bobPc, 'failed'],
        [DEMO_IDS.bobPc, 'active'],
      ]),
    );
    expect(r.json.TotalRowCount).toBe(2);
  });

  it('enumsNeedPrefer: later statuses only with the Prefer header, in answers and in filters', async () => {
    sim.setVariants(['enumsNeedPrefer']);
    const filter = `?$filter=${encodeURIComponent("status eq 'movingRegion'")}`;
    expect((await call(`${ROOT}/cloudPCs${filter}`)).status).toBe(400);
    const all = await call(`${ROOT}/cloudPCs?$top=10`);
    expect(all.json.value.map((p: { status: string }) => p.status)).toContain('unknownFutureValue');
    const prefer = await call(`${ROOT}/cloudPCs${filter}`, { headers: { Prefer: 'include-unknown-enum-members' } });
    expect(prefer.json.value.map((p: { userPrincipalName: string; status: string }) => [p.userPrincipalName, p.status])).toEqual([
      ['heidi@contoso.com', 'movingRegion'],
    ]);
  });

  it('unsupportedQuery: the bulk action list answers 400 to $filter and $orderby', async () => {
    sim.setVariants(['unsupportedQuery']);
    expect((await call(`${ROOT}/bulkActions?$orderby=createdDateTime%20desc`)).json.error.message).toMatch(/\$orderby/);
    expect((await call(`${ROOT}/bulkActions?$filter=${encodeURIComponent("status eq 'failed'")}`)).status).toBe(400);
    expect((await call(`${ROOT}/bulkActions?$top=5`)).status).toBe(200);
  });

  it('offRootNextLink: the next page link points outside the Graph root', async () => {
    sim.setVariants(['offRootNextLink']);
    const page = await call(`${ROOT}/bulkActions?$top=5`);
    expect(page.json['@odata.nextLink']).toMatch(new RegExp(`^${sim.url}/testppebeta/deviceManagement/`));
  });

  it('staleLastRemoteAction and remoteActionHistory: an older unrelated action shows', async () => {
    sim.setVariants(['staleLastRemoteAction']);
    const pc = await call(`${ROOT}/cloudPCs/${DEMO_IDS.frankPc}`);
    expect(pc.json.lastRemoteActionResult).toMatchObject({ actionName: 'Reboot', startDateTime: '2023-11-14T02:00:00.000Z' });
    sim.setVariants(['remoteActionHistory']);
    const h = await call(`${ROOT}/cloudPCs/${DEMO_IDS.frankPc}/retrieveCloudPcRemoteActionResults`);
    expect(h.json.value.map((e: { actionName: string }) => e.actionName)).toEqual(['Reprovision', 'Troubleshoot', 'Reboot']);
  });

  it('partlyFailedNotFailed: some failed, some succeeded → status succeeded', async () => {
    sim.setVariants(['partlyFailedNotFailed']);
    expect(sim.state.bulkAction(DEMO_IDS.failedRestart)).toMatchObject({ status: 'succeeded', actionSummary: { failedCount: 3 } });
  });

  it('readOnlyPermissions: the history and retry answer 403', async () => {
    sim.setVariants(['readOnlyPermissions']);
    expect((await call(`${ROOT}/cloudPCs/${DEMO_IDS.bobPc}/retrieveCloudPcRemoteActionResults`)).status).toBe(403);
    expect((await call(`${ROOT}/bulkActions/${DEMO_IDS.failedRestart}/retry`, { body: {} })).status).toBe(403);
    expect((await call(`${ROOT}/cloudPCs/${DEMO_IDS.bobPc}`)).status).toBe(200);
  });

  it('are switched by option and by the control surface, and reset goes back to the start set', async () => {
    const s2 = await startSimulator({ variants: ['thinListItems'] });
    try {
      expect(s2.variants()).toEqual(['thinListItems']);
      const put = await fetch(`${s2.url}/_simulator/variants`, {
        method: 'PUT',
        body: JSON.stringify({ on: ['wrappedEntities', 'statusDetails'] }),
      });
      expect(((await put.json()) as { on: string[] }).on).toEqual(['wrappedEntities', 'statusDetails']);
      const bad = await fetch(`${s2.url}/_simulator/variants`, { method: 'PUT', body: JSON.stringify({ on: ['nope'] }) });
      expect(bad.status).toBe(400);
      const got = (await (await fetch(`${s2.url}/_simulator/variants`)).json()) as { available: Record<string, unknown> };
      expect(Object.keys(got.available)).toEqual(VARIANT_NAMES);
      s2.reset();
      expect(s2.variants()).toEqual(['thinListItems']);
    } finally {
      await s2.close();
    }
    await expect(startSimulator({ variants: ['nope' as never] })).rejects.toThrow(/Unknown simulator variant/);
    expect(VARIANT_NAMES.every((v) => SIMULATOR_VARIANTS[v].length > 20)).toBe(true);
  });
});

describe('$batch', () => {
  it('answers each part in order, JSON bodies as JSON, and refuses more than 20', async () => {
    const r = await call('/beta/$batch', {
      body: {
        requests: [
          { id: '1', method: 'GET', url: `/deviceManagement/virtualEndpoint/cloudPCs/${DEMO_IDS.bobPc}?$select=id` },
          { id: '2', method: 'GET', url: 'deviceManagement/virtualEndpoint/cloudPCs/00000000-0000-0000-0000-000000000000' },
        ],
      },
    });
    expect(r.json.responses.map((p: { id: string; status: number }) => [p.id, p.status])).toEqual([
      ['1', 200],
      ['2', 404],
    ]);
    expect(r.json.responses[0].body.id).toBe(DEMO_IDS.bobPc);
    expect(sim.requests.at(-1)!.parts!.map((p) => p.status)).toEqual([200, 404]);
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/deviceManagement' }));
    expect((await call('/beta/$batch', { body: { requests: many } })).status).toBe(400);
    expect((await call('/beta/$batch', { body: { requests: [{ id: '1', method: 'GET', url: 'https://evil.example/x' }] } })).status).toBe(
      400,
    );
  });
});

describe('large seed', () => {
  it('has the bench tenant: 10,000 Cloud PCs, 1,000 actions, 5,000 devices with 2,000 failed', async () => {
    const big = await startSimulator({ seed: 'large' });
    try {
      expect(big.state.tenant.cloudPcs).toHaveLength(LARGE_SHAPE.cloudPcs);
      expect(big.state.tenant.bulkActions).toHaveLength(LARGE_SHAPE.bulkActions);
      expect(big.state.bulkAction(LARGE_IDS.bigReprovision)).toMatchObject({ actionSummary: { failedCount: 2000, successfulCount: 3000 } });
    } finally {
      await big.close();
    }
  });
});

describe('variants for Graph behaviours the reference pages leave open (issue 17)', () => {
  const report = (body: Record<string, unknown>) =>
    call(`${ROOT}/reports/getActionStatusReports`, {
      body: { select: ['CloudPcId', 'BulkActionId', 'ActionState', 'RequestDateTime'], ...body },
    });
  const byAction = `BulkActionId eq '${DEMO_IDS.failedRestart}'`;

  it('reportFilterRefused: 400 for a filter on BulkActionId; the documented ActionState filter still answers', async () => {
    sim.setVariants(['reportFilterRefused']);
    expect((await report({ filter: byAction })).status).toBe(400);
    const failed = await report({ filter: "ActionState eq 'failed'", top: 100 });
    expect(failed.status).toBe(200);
    expect(failed.json.TotalRowCount).toBeGreaterThan(3);
  });

  it('requestTimeFilterRefused: 400 for a filter on RequestDateTime; the same filter without it answers', async () => {
    sim.setVariants(['requestTimeFilterRefused']);
    expect((await report({ filter: `${byAction} and RequestDateTime gt datetime'2020-01-01T00:00:00.000Z'` })).status).toBe(400);
    expect((await report({ filter: byAction })).status).toBe(200);
  });

  it('reportForbidden and reportMissing: 403, and 400 for an unknown segment', async () => {
    sim.setVariants(['reportForbidden']);
    expect(await report({ filter: byAction })).toMatchObject({ status: 403, json: { error: { code: 'accessDenied' } } });
    sim.setVariants(['reportMissing']);
    expect(await report({ filter: byAction })).toMatchObject({
      status: 400,
      json: { error: { message: "Resource not found for the segment 'reports'." } },
    });
  });

  it('duplicateReportRows: each attempt is its own row with its own RequestDateTime', async () => {
    sim.setVariants(['duplicateReportRows']);
    const retried = await call(`${ROOT}/bulkActions/${DEMO_IDS.failedRestart}/retry`, { body: { cloudPcIds: [DEMO_IDS.bobPc] } });
    expect(retried.status).toBe(202);
    const rows = (await report({ filter: `${byAction} and CloudPcId eq '${DEMO_IDS.bobPc}'` })).json.Values as string[][];
    expect(rows.map((r) => r[2])).toEqual(['failed', 'active']);
    expect(Date.parse(rows[1]![3]!)).toBeGreaterThan(Date.parse(rows[0]![3]!));
  });

  it("sameTypeAgain: a second restart of Bob's and Carol's PCs, in the list, the report and the PCs' history", async () => {
    sim.setVariants(['sameTypeAgain']);
    const again = await call(`${ROOT}/bulkActions/${SAME_TYPE_AGAIN_ID}`);
    expect(again.json).toMatchObject({
      '@odata.type': '#microsoft.graph.cloudPcBulkRestart',
      cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.carolPc],
    });
    const history = await call(`${ROOT}/cloudPCs/${DEMO_IDS.bobPc}/retrieveCloudPcRemoteActionResults`);
    expect((history.json.value as any[]).filter((e) => e.actionName === 'Reboot').map((e) => e.actionState)).toEqual(['done', 'failed']);
    sim.setVariants([]);
    expect((await call(`${ROOT}/bulkActions/${SAME_TYPE_AGAIN_ID}`)).status).toBe(404);
  });

  it('nullCreatedDateTime, orderbyIgnored, startswithRefused', async () => {
    sim.setVariants(['nullCreatedDateTime']);
    expect((await call(`${ROOT}/bulkActions/${DEMO_IDS.failedRestart}`)).json.createdDateTime).toBeNull();
    sim.setVariants(['orderbyIgnored']);
    const list = await call(`${ROOT}/bulkActions?$orderby=${encodeURIComponent('createdDateTime desc')}&$top=5`);
    expect(list.status).toBe(200);
    const created = (list.json.value as any[]).map((a) => Date.parse(a.createdDateTime));
    expect(created).toEqual([...created].sort((a, b) => a - b));
    sim.setVariants(['startswithRefused']);
    expect((await call(`${ROOT}/cloudPCs?$filter=${encodeURIComponent("startswith(displayName,'CPC')")}`)).status).toBe(400);
    expect((await call(`${ROOT}/cloudPCs?$filter=${encodeURIComponent("userPrincipalName eq 'bob@contoso.com'")}`)).status).toBe(200);
  });
});
