import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DEMO_IDS, startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

const BULK = '/beta/deviceManagement/virtualEndpoint/bulkActions';
const PCS = '/beta/deviceManagement/virtualEndpoint/cloudPCs';
const REPORT = '/beta/deviceManagement/virtualEndpoint/reports/getActionStatusReports';
const BULK_REPORT = '/beta/deviceManagement/virtualEndpoint/reports/retrieveBulkActionStatusReport';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// A fixed mid-morning instant, so "last night" is the same night in every run.
const T0 = Date.UTC(2025, 2, 12, 9, 30, 0);

interface Reply {
  status: number;
  headers: Headers;
  text: string;

  json: any;
}

interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  body?: unknown;
  rawBody?: string;
  token?: string | null;
  headers?: Record<string, string>;
}

async function call(sim: Simulator, pathOrUrl: string, o: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  const token = o.token === undefined ? sim.token : o.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  let body: string | undefined;
  if (o.rawBody !== undefined) body = o.rawBody;
  else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : sim.url + pathOrUrl;
  const res = await fetch(url, { method: o.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const q = (params: Record<string, string>) =>
  '?' +
  Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');

describe('graph simulator', () => {
  let sim: Simulator;
  let clock: number;
  const start = (o: SimulatorOptions = {}) => startSimulator({ now: () => clock, progressMs: 4000, ...o });

  beforeEach(async () => {
    clock = T0;
    sim = await start();
  });
  afterEach(async () => {
    await sim.close();
  });

  describe('startup', () => {
    it('listens on loopback and refuses any other host', async () => {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await expect(startSimulator({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
      await expect(startSimulator({ host: '192.168.1.10' })).rejects.toThrow(/loopback/);
    });

    it('has stable ids whatever the clock says', async () => {
      clock = Date.UTC(2031, 6, 1, 3, 0, 0);
      const other = await start();
      try {
        const ids = (s: Simulator) => [...s.state.bulkActions().map((a) => a['id']), ...s.state.cloudPcs().map((p) => p['id'])];
        expect(ids(other)).toEqual(ids(sim));
      } finally {
        await other.close();
      }
      expect(sim.state.cloudPcs()).toHaveLength(60);
      expect(sim.state.bulkActions()).toHaveLength(25);
      expect(sim.state.bulkAction(DEMO_IDS.failedRestart)?.['createdDateTime']).toBe('2025-03-12T02:00:00.000Z');
    });

    it('can start empty', async () => {
      const empty = await start({ seed: 'empty' });
      try {
        const r = await call(empty, BULK);
        expect(r.status).toBe(200);
        expect(r.json.value).toEqual([]);
        expect(r.json['@odata.nextLink']).toBeUndefined();
      } finally {
        await empty.close();
      }
    });
  });

  describe('authentication and headers', () => {
    it('answers 401 without a token and with a wrong one', async () => {
      const none = await call(sim, BULK, { token: null });
      expect(none.status).toBe(401);
      expect(none.json.error.code).toBe('InvalidAuthenticationToken');
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const wrong = await call(sim, BULK, { token: 'not-the-token' });
      expect(wrong.status).toBe(401);
      expect(wrong.json.error.code).toBe('InvalidAuthenticationToken');
    });

    it('accepts a custom token only', async () => {
      const custom = await start({ token: 'tok-123' });
      try {
        expect((await call(custom, BULK, { token: 'tok-123' })).status).toBe(200);
        expect((await call(custom, BULK, { token: 'simulated-token' })).status).toBe(401);
      } finally {
        await custom.close();
      }
    });

    it('sends request-id, echoes client-request-id, dates the response, and never records the token', async () => {
      const r = await call(sim, BULK, { headers: { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' } });
      expect(r.status).toBe(200);
      expect(r.headers.get('request-id')).toMatch(GUID);
      expect(r.headers.get('client-request-id')).toBe('c0ffee00-0000-4000-8000-000000000001');
      expect(r.headers.get('date')).toBe(new Date(T0).toUTCString());
      expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(r.json['@odata.context']).toBe(`${sim.url}/beta/$metadata#deviceManagement/virtualEndpoint/bulkActions`);

      const rec = sim.requests.at(-1)!;
      expect(rec).toMatchObject({ method: 'GET', path: BULK, hasAuthorization: true, requestId: r.headers.get('request-id'), status: 200 });
      expect(rec.headers['client-request-id']).toBe('c0ffee00-0000-4000-8000-000000000001');
      expect(JSON.stringify(sim.requests)).not.toContain(sim.token);
    });

    it('uses the Graph error format with matching ids', async () => {
      const r = await call(sim, `${BULK}/00000000-1111-2222-3333-444444444444`, { headers: { 'client-request-id': 'abc-1' } });
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('itemNotFound');
      expect(r.json.error.innerError).toEqual({
        date: '2025-03-12T09:30:00',
        'request-id': r.headers.get('request-id'),
        'client-request-id': 'abc-1',
      });
    });
  });

  describe('routing', () => {
    it('answers the singular documentation-error path like Graph: 400 for the unknown segment', async () => {
      const r = await call(sim, `/beta/deviceManagement/virtualEndpoint/bulkAction/${DEMO_IDS.failedRestart}/retry`, { body: {} });
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'BadRequest', message: "Resource not found for the segment 'bulkAction'." });
      expect(sim.retries).toHaveLength(0);
    });

    it('rejects unknown versions, bulk actions on v1.0, malformed keys and wrong methods', async () => {
      expect((await call(sim, '/v2/deviceManagement')).json.error.message).toMatch(/Invalid version/);
      const v1 = await call(sim, '/v1.0/deviceManagement/virtualEndpoint/bulkActions');
      expect(v1.status).toBe(400);
      expect(v1.json.error.message).toBe("Resource not found for the segment 'bulkActions'.");
      expect((await call(sim, `${BULK}/not%20an%20id`)).status).toBe(400);
      const put = await call(sim, `${BULK}/${DEMO_IDS.failedRestart}`, {
        method: 'PUT',
        rawBody: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(put.status).toBe(405);
      expect(put.headers.get('allow')).toBe('GET');
      const getRetry = await call(sim, `${BULK}/${DEMO_IDS.failedRestart}/retry`);
      expect(getRetry.status).toBe(405);
    });

    it('rejects invalid JSON and a non-JSON content type', async () => {
      const bad = await call(sim, `${BULK}/${DEMO_IDS.failedRestart}/retry`, {
        rawBody: '{"cloudPcIds": [',
        headers: { 'content-type': 'application/json' },
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error.code).toBe('BadRequest');
      const text = await call(sim, `${BULK}/${DEMO_IDS.failedRestart}/retry`, { rawBody: '{}', headers: { 'content-type': 'text/plain' } });
      expect(text.status).toBe(415);
      expect(sim.retries).toHaveLength(0);
    });

    it('treats path segments and ids case-insensitively', async () => {
      const r = await call(sim, `/beta/devicemanagement/virtualendpoint/BULKACTIONS/${DEMO_IDS.failedRestart.toUpperCase()}`);
      expect(r.status).toBe(200);
      expect(r.json.id).toBe(DEMO_IDS.failedRestart);
    });
  });

  describe('listing bulk actions', () => {
    it('pages with absolute nextLinks that keep the query', async () => {
      const seen: string[] = [];
      let url: string | undefined = `${BULK}${q({ $orderby: 'createdDateTime desc' })}`;
      let pages = 0;
      while (url) {
        const r = await call(sim, url);
        expect(r.status).toBe(200);
        pages++;
        seen.push(...r.json.value.map((a: { id: string }) => a.id));
        url = r.json['@odata.nextLink'];
        if (url) {
          expect(url.startsWith(`${sim.url}/beta/deviceManagement/virtualEndpoint/bulkActions?`)).toBe(true);
          expect(url).toContain('$orderby=createdDateTime%20desc');
          expect(url).toContain('$skiptoken=');
        }
      }
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(25);
      expect(seen[0]).toBe(DEMO_IDS.pendingPowerOn);
      expect(seen[1]).toBe(DEMO_IDS.failedRestart);
    });

    it('uses $top as a page size capped by the server page size', async () => {
      const small = await call(sim, `${BULK}${q({ $top: '4' })}`);
      expect(small.json.value).toHaveLength(4);
      expect(small.json['@odata.nextLink']).toContain('$top=4');
      const big = await call(sim, `${BULK}${q({ $top: '500' })}`);
      expect(big.json.value).toHaveLength(10);
      expect((await call(sim, `${BULK}${q({ $top: 'ten' })}`)).status).toBe(400);
      expect((await call(sim, `${BULK}${q({ $skiptoken: 'garbage' })}`)).status).toBe(400);
    });

    it('orders ascending and descending', async () => {
      const asc = await call(sim, `${BULK}${q({ $orderby: 'createdDateTime asc', $top: '10' })}`);
      const times = asc.json.value.map((a: { createdDateTime: string }) => Date.parse(a.createdDateTime));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect((await call(sim, `${BULK}${q({ $orderby: 'colour desc' })}`)).status).toBe(400);
    });

    it("filters on status eq 'failed', isof() and combinations", async () => {
      const failed = await call(sim, `${BULK}${q({ $filter: "status eq 'failed'" })}`);
      expect(failed.status).toBe(200);
      const failedIds = failed.json.value.map((a: { id: string }) => a.id);
      expect(failedIds).toHaveLength(4);
      expect(failedIds).toEqual(
        expect.arrayContaining([
          DEMO_IDS.failedRestart,
          DEMO_IDS.failedReprovision,
          DEMO_IDS.olderFailedRestart,
          DEMO_IDS.failedTroubleshoot,
        ]),
      );
      const restarts = await call(sim, `${BULK}${q({ $filter: "isof('microsoft.graph.cloudPcBulkRestart') and status eq 'failed'" })}`);
      expect(restarts.json.value.map((a: { id: string }) => a.id).sort()).toEqual(
        [DEMO_IDS.failedRestart, DEMO_IDS.olderFailedRestart].sort(),
      );
      const summary = await call(sim, `${BULK}${q({ $filter: 'actionSummary/failedCount gt 1' })}`);
      expect(summary.json.value.map((a: { id: string }) => a.id).sort()).toEqual(
        [DEMO_IDS.failedRestart, DEMO_IDS.failedReprovision].sort(),
      );
      const since = await call(sim, `${BULK}${q({ $filter: `createdDateTime ge 2025-03-11T00:00:00Z and status eq 'failed'` })}`);
      expect(since.json.value.map((a: { id: string }) => a.id).sort()).toEqual([DEMO_IDS.failedRestart, DEMO_IDS.failedReprovision].sort());
    });

    it('rejects filters Graph would reject', async () => {
      for (const [filter, message] of [
        ["status eq 'inProgress'", /not a valid enumeration/],
        ["colour eq 'red'", /Could not find a property named 'colour'/],
        ["status eq 'failed' and", /syntax error/],
        ["isof('microsoft.graph.cloudPcBulkTeleport')", /not a type derived/],
        ["cloudPcIds/any(c:c eq 'x')", /lambda/],
        ["fancy(displayName,'x')", /unknown function/],
        ["createdDateTime ge '2025-01-01'", /incompatible types/],
      ] as const) {
        const r = await call(sim, `${BULK}${q({ $filter: filter })}`);
        expect(r.status, filter).toBe(400);
        expect(r.json.error.code).toBe('BadRequest');
        expect(r.json.error.message).toMatch(message);
      }
      expect((await call(sim, `${BULK}${q({ $expand: 'foo' })}`)).status).toBe(400);
    });

    it('returns derived-type properties and honours $select', async () => {
      const resize = await call(sim, `${BULK}/${DEMO_IDS.resize}`);
      expect(resize.json).toMatchObject({
        '@odata.type': '#microsoft.graph.cloudPcBulkResize',
        targetServicePlanId: DEMO_IDS.servicePlans.enterprise8x32,
        status: 'succeeded',
        actionSummary: { successfulCount: 4, notSupportedCount: 1, failedCount: 0, inProgressCount: 0, pendingCount: 0 },
      });
      const restore = await call(sim, `${BULK}/${DEMO_IDS.restore}`);
      expect(restore.json).toMatchObject({ timeRange: 'before', ignoreUnhealthySnapshots: false });
      expect(typeof restore.json.restorePointDateTime).toBe('string');
      const sel = await call(sim, `${BULK}/${DEMO_IDS.failedRestart}${q({ $select: 'status,actionSummary' })}`);
      expect(Object.keys(sel.json).sort()).toEqual(['@odata.context', '@odata.type', 'actionSummary', 'id', 'status']);
      expect((await call(sim, `${BULK}${q({ $select: 'nope' })}`)).status).toBe(400);
    });

    it('has the statuses the demo relies on', () => {
      expect(sim.state.bulkAction(DEMO_IDS.failedRestart)).toMatchObject({
        status: 'failed',
        actionSummary: { successfulCount: 5, failedCount: 3 },
      });
      expect(sim.state.bulkAction(DEMO_IDS.failedReprovision)).toMatchObject({ status: 'failed', actionSummary: { failedCount: 2 } });
      expect(sim.state.bulkAction(DEMO_IDS.pendingPowerOn)).toMatchObject({ status: 'pending', actionSummary: { inProgressCount: 2 } });
      expect(sim.state.bulkAction(DEMO_IDS.succeededRestart)).toMatchObject({ status: 'succeeded' });
      const failedPcs = sim.state
        .devices(DEMO_IDS.failedRestart)!
        .filter((d) => d.state === 'failed')
        .map((d) => d.cloudPcId);
      expect(failedPcs.sort()).toEqual([DEMO_IDS.bobPc, DEMO_IDS.carolPc, DEMO_IDS.davePc].sort());
    });
  });

  describe('listing Cloud PCs', () => {
    it('pages through all 60 with $count', async () => {
      let url: string | undefined = `${PCS}${q({ $count: 'true', $top: '7' })}`;
      const ids: string[] = [];
      while (url) {
        const r = await call(sim, url);
        expect(r.json['@odata.count']).toBe(60);
        ids.push(...r.json.value.map((p: { id: string }) => p.id));
        url = r.json['@odata.nextLink'];
      }
      expect(new Set(ids).size).toBe(60);
    });

    it('filters by user, status, name prefix and combinations', async () => {
      const ids = async (filter: string) =>
        (await call(sim, `${PCS}${q({ $filter: filter })}`)).json.value.map((p: { id: string }) => p.id).sort();
      expect(await ids("userPrincipalName eq 'bob@contoso.com'")).toEqual([DEMO_IDS.bobPc]);
      expect(await ids("userPrincipalName eq 'ALICE@contoso.com'")).toEqual([DEMO_IDS.alicePc, DEMO_IDS.aliceDevPc].sort());
      expect(await ids("status eq 'failed'")).toEqual([DEMO_IDS.erinPc, DEMO_IDS.frankPc].sort());
      expect(await ids("startswith(managedDeviceName,'CPC-carol')")).toEqual([DEMO_IDS.carolPc]);
      expect(await ids("startswith(displayName,'Carol')")).toEqual([DEMO_IDS.carolPc]);
      expect(await ids("contains(displayName,'build box')")).toEqual([DEMO_IDS.carolPc]);
      expect(await ids("startswith(managedDeviceName,'CPC-alice') and provisioningPolicyName eq 'Contoso Developers'")).toEqual([
        DEMO_IDS.aliceDevPc,
      ]);
      expect(await ids(`id in ('${DEMO_IDS.bobPc}','${DEMO_IDS.davePc}')`)).toEqual([DEMO_IDS.bobPc, DEMO_IDS.davePc].sort());
      expect((await call(sim, `${PCS}${q({ $filter: "status eq 'sleeping'" })}`)).status).toBe(400);
    });

    it('serves a Cloud PC with its last remote action result', async () => {
      const r = await call(sim, `${PCS}/${DEMO_IDS.bobPc}`);
      expect(r.json).toMatchObject({
        id: DEMO_IDS.bobPc,
        managedDeviceName: 'CPC-bob-K3P9D',
        userPrincipalName: 'bob@contoso.com',
        status: 'provisioned',
        productType: 'enterprise',
        lastRemoteActionResult: { actionName: 'Reboot', actionState: 'failed', statusDetail: { code: 'cloudPcNotRunning' } },
      });
      const dave = await call(sim, `${PCS}/${DEMO_IDS.davePc}`);
      expect(dave.json.status).toBe('inGracePeriod');
      const frank = await call(sim, `${PCS}/${DEMO_IDS.frankPc}`);
      expect(frank.json).toMatchObject({ status: 'failed', statusDetail: { code: 'resourceAvailabilityCheckNoSubnetIP' } });
      expect((await call(sim, `${PCS}/11111111-2222-3333-4444-555555555555`)).status).toBe(404);
      const history = await call(sim, `${PCS}/${DEMO_IDS.carolPc}/retrieveCloudPcRemoteActionResults`);
      expect(history.json.value.length).toBeGreaterThanOrEqual(2);
    });
  });

  describe('retry', () => {
    const retryPath = (id: string) => `${BULK}/${id}/retry`;

    it('retries all failed devices, then resolves them by the injected clock', async () => {
      const r = await call(sim, retryPath(DEMO_IDS.failedRestart), { body: {}, headers: { 'client-request-id': 'cr-1' } });
      expect(r.status).toBe(202);
      expect(r.text).toBe('');
      expect(sim.retries).toHaveLength(1);
      expect(sim.retries[0]).toMatchObject({ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: 'allFailed', clientRequestId: 'cr-1' });
      expect(sim.retries[0]!.rerunCloudPcIds.sort()).toEqual([DEMO_IDS.bobPc, DEMO_IDS.carolPc, DEMO_IDS.davePc].sort());

      const during = (await call(sim, `${BULK}/${DEMO_IDS.failedRestart}`)).json;
      expect(during.status).toBe('pending');
      expect(during.actionSummary).toEqual({
        successfulCount: 5,
        failedCount: 0,
        inProgressCount: 3,
        notSupportedCount: 0,
        pendingCount: 0,
      });

      clock += 3999;
      expect(sim.state.bulkAction(DEMO_IDS.failedRestart)?.['status']).toBe('pending');
      clock += 1;
      const after = (await call(sim, `${BULK}/${DEMO_IDS.failedRestart}`)).json;
      expect(after.status).toBe('failed');
      expect(after.actionSummary).toMatchObject({ successfulCount: 7, failedCount: 1, inProgressCount: 0 });
      const devices = sim.state.devices(DEMO_IDS.failedRestart)!;
      expect(devices.find((d) => d.cloudPcId === DEMO_IDS.davePc)).toMatchObject({
        state: 'failed',
        retryCount: 1,
        detail: { code: 'cloudPcInGracePeriod' },
      });
      expect(devices.find((d) => d.cloudPcId === DEMO_IDS.bobPc)).toMatchObject({ state: 'done', detail: null });
      const bob = (await call(sim, `${PCS}/${DEMO_IDS.bobPc}`)).json;
      expect(bob.lastRemoteActionResult).toMatchObject({ actionState: 'done', statusDetail: null });
      expect(bob.lastRemoteActionResult.lastUpdatedDateTime).toBe(new Date(T0 + 4000).toISOString());
    });

    it('retries chosen ids only, and accepts ids that are not failed without re-running them', async () => {
      const r = await call(sim, retryPath(DEMO_IDS.failedRestart), {
        body: { '@odata.type': '#microsoft.graph.cloudPcBulkAction', cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.alicePc] },
      });
      expect(r.status).toBe(202);
      expect(sim.retries[0]).toMatchObject({ cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.alicePc], rerunCloudPcIds: [DEMO_IDS.bobPc] });
      sim.advance(4000);
      expect(sim.state.bulkAction(DEMO_IDS.failedRestart)).toMatchObject({
        status: 'failed',
        actionSummary: { successfulCount: 6, failedCount: 2 },
      });
    });

    it('rejects ids that are not part of the action, naming how many, and applies nothing', async () => {
      const r = await call(sim, retryPath(DEMO_IDS.failedRestart), {
        body: { cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.erinPc, '99999999-9999-9999-9999-999999999999'] },
      });
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('BadRequest');
      expect(r.json.error.message).toMatch(/^2 of the 3 Cloud PC IDs in cloudPcIds are not part of bulk action/);
      expect(sim.retries).toHaveLength(0);
      expect(sim.state.bulkAction(DEMO_IDS.failedRestart)?.['status']).toBe('failed');
    });

    it('validates the payload', async () => {
      expect((await call(sim, retryPath(DEMO_IDS.failedRestart), { body: { cloudPcIds: 'abc' } })).status).toBe(400);
      expect((await call(sim, retryPath(DEMO_IDS.failedRestart), { body: { cloudPcIds: [1, 2] } })).status).toBe(400);
      const extra = await call(sim, retryPath(DEMO_IDS.failedRestart), { body: { force: true } });
      expect(extra.status).toBe(400);
      expect(extra.json.error.message).toMatch(/'force'/);
      expect((await call(sim, retryPath(DEMO_IDS.failedRestart), { body: [] })).status).toBe(400);
      expect((await call(sim, retryPath('12345678-0000-0000-0000-000000000000'), { body: {} })).status).toBe(404);
      expect(sim.retries).toHaveLength(0);
    });

    it('accepts an empty body and treats [] like no ids', async () => {
      const r = await call(sim, retryPath(DEMO_IDS.failedTroubleshoot), { rawBody: '', headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(202);
      const r2 = await call(sim, retryPath(DEMO_IDS.olderFailedRestart), { body: { cloudPcIds: [] } });
      expect(r2.status).toBe(202);
      expect(sim.retries.map((x) => x.cloudPcIds)).toEqual(['allFailed', 'allFailed']);
      expect(sim.retries.map((x) => x.rerunCloudPcIds.length)).toEqual([1, 1]);
    });

    it('accepts a retry with nothing to re-run, and a repeat while the first still runs re-runs nothing', async () => {
      const none = await call(sim, retryPath(DEMO_IDS.succeededRestart), { body: {} });
      expect(none.status).toBe(202);
      expect(sim.retries[0]!.rerunCloudPcIds).toEqual([]);
      expect(sim.state.bulkAction(DEMO_IDS.succeededRestart)?.['status']).toBe('succeeded');

      await call(sim, retryPath(DEMO_IDS.failedRestart), { body: {} });
      await call(sim, retryPath(DEMO_IDS.failedRestart), { body: {} });
      expect(sim.retries.map((x) => x.rerunCloudPcIds.length)).toEqual([0, 3, 0]);
    });

    it('moves Cloud PCs through provisioning on a reprovision retry; frank keeps failing', async () => {
      expect((await call(sim, retryPath(DEMO_IDS.failedReprovision), { body: {} })).status).toBe(202);
      expect(sim.state.cloudPc(DEMO_IDS.erinPc)).toMatchObject({ status: 'provisioning', statusDetail: null });
      sim.advance(4000);
      expect(sim.state.cloudPc(DEMO_IDS.erinPc)).toMatchObject({ status: 'provisioned', statusDetail: null });
      expect(sim.state.cloudPc(DEMO_IDS.frankPc)).toMatchObject({
        status: 'failed',
        statusDetail: { code: 'resourceAvailabilityCheckNoSubnetIP' },
      });
      expect(sim.state.bulkAction(DEMO_IDS.failedReprovision)).toMatchObject({
        status: 'failed',
        actionSummary: { successfulCount: 5, failedCount: 1 },
      });
    });

    it('lets an app-only token read but refuses it on retry', async () => {
      expect((await call(sim, BULK, { token: sim.appToken! })).status).toBe(200);
      const r = await call(sim, retryPath(DEMO_IDS.failedRestart), { token: sim.appToken!, body: {} });
      expect(r.status).toBe(403);
      expect(r.json.error.message).toMatch(/Application permissions are not supported/);
      expect(sim.retries).toHaveLength(0);
    });
  });

  describe('reports', () => {
    const report = (body: unknown, path = REPORT) => call(sim, path, { body });

    it('returns the documented columns as an octet-stream table', async () => {
      const r = await report({ filter: `BulkActionId eq '${DEMO_IDS.failedRestart}'`, top: 50 });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/octet-stream');
      expect(r.json.TotalRowCount).toBe(8);
      expect(r.json.Schema.map((c: { Column: string }) => c.Column)).toEqual([
        'Id',
        'CloudPcDeviceDisplayName',
        'BulkActionId',
        'BulkActionDisplayName',
        'CloudPcId',
        'InitiatedByUserPrincipalName',
        'DeviceOwnerUserPrincipalName',
        'Action',
        'ActionState',
        'RequestDateTime',
        'LastUpdatedDateTime',
        'ActionParameters',
      ]);
      expect(r.json.Schema.find((c: { Column: string }) => c.Column === 'RequestDateTime').PropertyType).toBe('DateTime');
      expect(r.json.Values).toHaveLength(8);
    });

    it('filters failed devices, selects columns and follows the retry', async () => {
      const body = {
        filter: `BulkActionId eq '${DEMO_IDS.failedRestart}' and ActionState eq 'failed'`,
        select: ['CloudPcId', 'DeviceOwnerUserPrincipalName', 'ActionState'],
        orderBy: ['DeviceOwnerUserPrincipalName'],
      };
      const before = await report(body);
      expect(before.json.Values).toEqual([
        [DEMO_IDS.bobPc, 'bob@contoso.com', 'failed'],
        [DEMO_IDS.carolPc, 'carol@contoso.com', 'failed'],
        [DEMO_IDS.davePc, 'dave@contoso.com', 'failed'],
      ]);
      await call(sim, `${BULK}/${DEMO_IDS.failedRestart}/retry`, { body: {} });
      const running = await report({ ...body, filter: `BulkActionId eq '${DEMO_IDS.failedRestart}' and ActionState eq 'active'` });
      expect(running.json.TotalRowCount).toBe(3);
      sim.advance(4000);
      const after = await report(body);
      expect(after.json.Values).toEqual([[DEMO_IDS.davePc, 'dave@contoso.com', 'failed']]);
    });

    it('filters by a list of Cloud PCs with or, pages with skip/top, and carries action parameters', async () => {
      const r = await report({
        filter: `BulkActionId eq '${DEMO_IDS.resize}' and (CloudPcId eq '${DEMO_IDS.gracePc}' or ActionState eq 'done')`,
        select: ['CloudPcId', 'ActionState', 'ActionParameters'],
        top: 2,
        skip: 0,
      });
      expect(r.json.TotalRowCount).toBe(5);
      expect(r.json.Values).toHaveLength(2);
      expect(r.json.Values[0][2]).toEqual({ targetServicePlanId: DEMO_IDS.servicePlans.enterprise8x32 });
      const rest = await report({ filter: `BulkActionId eq '${DEMO_IDS.resize}'`, select: ['CloudPcId'], top: 2, skip: 4 });
      expect(rest.json.Values).toHaveLength(1);
    });

    it('rejects what the report API does not support', async () => {
      expect((await report({ top: 101 })).status).toBe(400);
      expect((await report({ filter: "ActionState ne 'failed'" })).json.error.message).toMatch(/operator 'ne'/);
      expect((await report({ filter: "startswith(CloudPcId,'a')" })).status).toBe(400);
      expect((await report({ select: ['Nope'] })).status).toBe(400);
      expect((await report({ colour: 'red' })).status).toBe(400);
    });

    it('serves the bulk action status report', async () => {
      const r = await report({ filter: `BulkActionStatus eq 'failed'`, select: ['BulkActionId', 'Action', 'FailedCount'] }, BULK_REPORT);
      expect(r.status).toBe(200);
      expect(r.json.TotalRowCount).toBe(4);
      expect(r.json.Values).toContainEqual([DEMO_IDS.failedRestart, 'Restart', 3]);
    });
  });

  describe('faults', () => {
    it('answers 429 with Retry-After once, then normally', async () => {
      sim.faults.add({ kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
      const r = await call(sim, BULK);
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.json.error.code).toBe('TooManyRequests');
      expect(r.headers.get('request-id')).toMatch(GUID);
      expect((await call(sim, BULK)).status).toBe(200);
      expect(sim.requests.map((x) => x.fault)).toEqual(['status', undefined]);
    });

    it('answers 429 without Retry-After, 503, a 500 Graph error and a 502 HTML page', async () => {
      sim.faults.add([
        { kind: 'status', status: 429 },
        { kind: 'status', status: 503, headers: { 'Retry-After': '2' } },
        { kind: 'status', status: 500, body: { error: { code: 'InternalServerError', message: 'boom', innerError: {} } } },
        {
          kind: 'status',
          status: 502,
          headers: { 'Content-Type': 'text/html' },
          body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
        },
      ]);
      const a = await call(sim, BULK);
      expect(a.status).toBe(429);
      expect(a.headers.get('retry-after')).toBeNull();
      const b = await call(sim, BULK);
      expect([b.status, b.headers.get('retry-after')]).toEqual([503, '2']);
      const c = await call(sim, BULK);
      expect(c.status).toBe(500);
      expect(c.json.error.message).toBe('boom');
      const d = await call(sim, BULK);
      expect(d.status).toBe(502);
      expect(d.headers.get('content-type')).toBe('text/html');
      expect(d.text).toContain('502 Bad Gateway');
      expect((await call(sim, BULK)).status).toBe(200);
    });

    it('matches on method and path, and honours times', async () => {
      sim.faults.add({
        kind: 'status',
        status: 503,
        match: { method: 'POST', path: '/beta/deviceManagement/virtualEndpoint/bulkActions/*/retry' },
        times: 2,
      });
      expect((await call(sim, BULK)).status).toBe(200);
      const retry = `${BULK}/${DEMO_IDS.failedRestart}/retry`;
      expect((await call(sim, retry, { body: {} })).status).toBe(503);
      expect((await call(sim, retry, { body: {} })).status).toBe(503);
      expect((await call(sim, retry, { body: {} })).status).toBe(202);
      expect(sim.retries).toHaveLength(1);
      sim.faults.add({ kind: 'status', status: 404, match: { path: /cloudPCs/ } });
      expect((await call(sim, BULK)).status).toBe(200);
      expect((await call(sim, PCS)).status).toBe(404);
      expect(sim.faults.pending()).toHaveLength(0);
    });

    it('resets the connection without applying the retry', async () => {
      sim.faults.add({ kind: 'reset', match: { method: 'POST' } });
      await expect(call(sim, `${BULK}/${DEMO_IDS.failedRestart}/retry`, { body: {} })).rejects.toThrow();
      expect(sim.retries).toHaveLength(0);
      expect(sim.state.bulkAction(DEMO_IDS.failedRestart)?.['status']).toBe('failed');
      expect(sim.requests.at(-1)).toMatchObject({ method: 'POST', fault: 'reset' });
      expect(sim.requests.at(-1)?.status).toBeUndefined();
    });

    it('resets the connection after applying the retry (accepted, answer lost)', async () => {
      sim.faults.add({ kind: 'reset', applyFirst: true, match: { method: 'POST' } });
      await expect(call(sim, `${BULK}/${DEMO_IDS.failedRestart}/retry`, { body: {} })).rejects.toThrow();
      expect(sim.retries).toHaveLength(1);
      expect(sim.state.bulkAction(DEMO_IDS.failedRestart)?.['status']).toBe('pending');
    });

    it('delays and then answers normally', async () => {
      sim.faults.add({ kind: 'delay', ms: 20 });
      const r = await call(sim, BULK);
      expect(r.status).toBe(200);
      expect(r.json.value).toHaveLength(10);
      sim.faults.add({ kind: 'delay', ms: 5, applyFirst: true, match: { method: 'POST' } });
      expect((await call(sim, `${BULK}/${DEMO_IDS.failedRestart}/retry`, { body: {} })).status).toBe(202);
      expect(sim.retries).toHaveLength(1);
    });

    it('truncates the body', async () => {
      sim.faults.add({ kind: 'truncate' });
      const res = await fetch(sim.url + BULK, { headers: { authorization: `Bearer ${sim.token}` } });
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
      sim.faults.add({ kind: 'truncate', applyFirst: true, match: { method: 'POST' } });
      const post = await fetch(`${sim.url}${BULK}/${DEMO_IDS.failedRestart}/retry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(post.status).toBe(202);
      await expect(post.text()).rejects.toThrow();
      expect(sim.retries).toHaveLength(1);
      expect((await call(sim, BULK)).status).toBe(200);
    });

    it('stalls until close(), which does not hang', async () => {
      const other = await start();
      other.faults.add({ kind: 'stall' });
      const pending = fetch(other.url + BULK, { headers: { authorization: `Bearer ${other.token}` } });
      const settled = pending.then(
        () => 'resolved',
        () => 'rejected',
      );
      while (other.requests.length === 0) await new Promise((r) => setImmediate(r));
      expect(other.requests[0]).toMatchObject({ fault: 'stall' });
      await other.close();
      expect(await settled).toBe('rejected');
    });

    it('records how many other requests were unanswered when each arrived (what the bench replays in parallel)', async () => {
      const other = await start();
      expect((await call(other, BULK)).status).toBe(200);
      expect((await call(other, PCS)).status).toBe(200);
      other.faults.add({ kind: 'stall', match: { method: 'GET' } });
      const stalled = fetch(other.url + BULK, { headers: { authorization: `Bearer ${other.token}` } }).catch(() => 'closed');
      while (other.requests.length < 3) await new Promise((r) => setImmediate(r));
      // Answered while the stalled one is still open: it ran alongside it.
      expect((await call(other, PCS)).status).toBe(200);
      expect(other.requests.map((r) => r.othersInFlight)).toEqual([0, 0, 0, 1]);
      await other.close();
      expect(await stalled).toBe('closed');
    });
  });

  describe('control surface', () => {
    it('injects faults over HTTP, lists requests and retries, advances the clock and resets', async () => {
      const ctl = (path: string, init: RequestInit = {}) => fetch(`${sim.url}/_simulator${path}`, init);
      const added = await ctl('/faults', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, match: { method: 'GET', pathRegex: '/bulkActions$' } },
        ]),
      });
      expect(added.status).toBe(201);
      expect(((await (await ctl('/faults')).json()) as { value: unknown[] }).value).toHaveLength(1);
      expect((await call(sim, PCS)).status).toBe(200);
      expect((await call(sim, BULK)).status).toBe(429);

      sim.faults.add({ kind: 'status', status: 500 });
      expect((await ctl('/faults', { method: 'DELETE' })).status).toBe(204);
      expect(sim.faults.pending()).toHaveLength(0);

      expect((await call(sim, `${BULK}/${DEMO_IDS.failedRestart}/retry`, { body: {} })).status).toBe(202);
      const requests = (await (await ctl('/requests')).json()) as { value: { path: string }[] };
      expect(requests.value.map((r) => r.path)).toEqual([PCS, BULK, `${BULK}/${DEMO_IDS.failedRestart}/retry`]);
      const retries = (await (await ctl('/retries')).json()) as { value: { bulkActionId: string }[] };
      expect(retries.value).toEqual([expect.objectContaining({ bulkActionId: DEMO_IDS.failedRestart })]);

      const adv = await ctl('/advance', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ms":4000}' });
      expect(adv.status).toBe(200);
      const state = (await (await ctl('/state')).json()) as { bulkActions: { id: string; status: string }[] };
      expect(state.bulkActions.find((a) => a.id === DEMO_IDS.failedRestart)?.status).toBe('failed');
      expect(sim.state.bulkAction(DEMO_IDS.failedRestart)?.['actionSummary']).toMatchObject({ failedCount: 1 });

      expect((await ctl('/reset', { method: 'POST' })).status).toBe(204);
      expect(sim.retries).toHaveLength(0);
      expect(sim.requests).toHaveLength(0);
      expect(sim.state.bulkAction(DEMO_IDS.failedRestart)?.['actionSummary']).toMatchObject({ failedCount: 3 });
      expect((await ctl('/nothing')).status).toBe(404);
      const bad = await ctl('/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"explode"}' });
      expect(bad.status).toBe(400);
    });
  });

  describe('close', () => {
    it('closes promptly with idle keep-alive sockets open', async () => {
      const other = await start();
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      const get = () =>
        new Promise<number>((resolve, reject) => {
          http
            .get(`${other.url}${BULK}`, { agent, headers: { authorization: `Bearer ${other.token}` } }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            })
            .on('error', reject);
        });
      expect(await Promise.all([get(), get(), get()])).toEqual([200, 200, 200]);
      await other.close();
      await other.close();
      agent.destroy();
    });
  });
});
