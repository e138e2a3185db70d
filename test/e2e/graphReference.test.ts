// What an admin is shown when Graph answers exactly as its own reference pages do (test/fixtures/graph-reference,
// verbatim): the built server, a real MCP client, and the simulator serving those example bodies in place of its own.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { actionStatusReportExample } from '../fixtures/graph-reference/actionStatusReport.js';
import { listCloudPcsExample2 } from '../fixtures/graph-reference/listCloudPcs.js';
import { remoteActionResultsExample } from '../fixtures/graph-reference/remoteActionResults.js';
import { baseEnv, connect, textOf, type Connected } from './harness.js';

const VE = '/beta/deviceManagement/virtualEndpoint';
// The report example's bulk action (its BulkActionId column) and its one failed device (its CloudPcId column).
const ACTION = 'bdc8e6dd-0455-4412-83d9-c818664fe1f1';

let sim: Simulator;
let conn: Connected;
const call = async (name: string, args: Record<string, unknown>) =>
  (await conn.client.callTool({ name, arguments: args })) as CallToolResult;
const flat = (t: string) => t.replace(/\s+/g, ' ');

beforeAll(async () => {
  sim = await startSimulator();
  conn = await connect({ env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token }) });
});
afterAll(async () => {
  await conn?.close();
  await sim?.close();
});
beforeEach(() => sim.reset());

describe('Graph answering as its reference examples do', () => {
  it('List cloudPCs (example 2): the failed PCs with their owners, although their device ids are null', async () => {
    sim.faults.add({ kind: 'status', status: 200, times: 5, match: { method: 'GET', path: `${VE}/cloudPCs` }, body: listCloudPcsExample2 });
    const r = await call('list_cloud_pcs', {});
    expect(r.isError).toBeFalsy();
    const text = flat(textOf(r));
    expect(text).toContain('RMS-Resize-user-05@contoso.com');
    expect(text).toContain('akhkhare_contoso.com#EXT#@contoso.com');
    expect(text).toMatch(/failed/);
  });

  it('getActionStatusReports: the failed Resize device is shown, and the power-on in its history is not taken as its reason', async () => {
    const resize = {
      '@odata.type': '#microsoft.graph.cloudPcBulkResize',
      id: ACTION,
      displayName: 'Resize to 64GB RAM - John',
      createdDateTime: '2020-07-23T10:10:00Z',
      status: 'failed',
      cloudPcIds: [ACTION],
      actionSummary: { successfulCount: 0, failedCount: 1, inProgressCount: 0, notSupportedCount: 0, pendingCount: 0 },
      targetServicePlanId: '3bba9856-7cf2-4396-904a-00de74fba3a4',
    };
    sim.faults.add([
      { kind: 'status', status: 200, times: 5, match: { method: 'GET', path: `${VE}/bulkActions/${ACTION}` }, body: resize },
      {
        kind: 'status',
        status: 200,
        times: 20,
        match: { method: 'POST', path: `${VE}/reports/getActionStatusReports` },
        headers: { 'content-type': 'application/octet-stream' },
        body: actionStatusReportExample,
      },
      {
        kind: 'status',
        status: 200,
        times: 5,
        match: { method: 'GET', path: `${VE}/cloudPCs/${ACTION}/retrieveCloudPcRemoteActionResults` },
        body: remoteActionResultsExample,
      },
    ]);
    const r = await call('get_cloudpc_bulk_action', { bulkActionId: ACTION });
    expect(r.isError).toBeFalsy();
    const text = flat(textOf(r));
    expect(text).toContain('CloudPC-Connie');
    expect(text).toContain('connie@cpccustomer001.onmicrosoft.com');
    expect(text).toMatch(/unknown/);
    expect(text).not.toMatch(/CloudPcPowerOn|succeeded: connie/i);
    const device = ((r.structuredContent as any).devices as any[]).find((d) => d.cloudPcId === ACTION);
    expect(device).toMatchObject({ state: 'failed', failureClass: 'unknown' });
  });
});
