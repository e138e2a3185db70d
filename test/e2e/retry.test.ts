// The retry tool end to end: the built server over stdio, against the simulator over real loopback HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { baseEnv, connect, textOf, type Connected } from './harness.js';

const RETRY = '/beta/deviceManagement/virtualEndpoint/bulkActions/*/retry';
const sim = useSimulator({}, { resetEach: true });
let conn: Connected;

async function call(args: Record<string, unknown>, c: Connected = conn, opts?: Parameters<Connected['client']['callTool']>[2]) {
  return (await c.client.callTool({ name: 'retry_cloudpc_bulk_action', arguments: args }, undefined, opts)) as CallToolResult;
}
// The retry POSTs only: a retry of chosen ids first reads the action status report (a POST too) to see which failed.
const posts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/retry'));

beforeAll(async () => {
  conn = await connect({
    env: baseEnv({
      CLOUDPC_MCP_GRAPH_URL: sim.url,
      CLOUDPC_MCP_ACCESS_TOKEN: sim.token,
      CLOUDPC_MCP_MAX_THROTTLE_WAIT_MS: '5000',
      CLOUDPC_MCP_TIMEOUT_MS: '1500',
    }),
  });
});
afterAll(async () => {
  await conn?.close();
});

describe('retry_cloudpc_bulk_action over stdio', () => {
  it('retries chosen Cloud PCs once, deduplicated, on the plural bulkActions path, and reports the ids Graph support needs', async () => {
    const res = await call({
      bulkActionId: DEMO_IDS.failedRestart,
      cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.carolPc, DEMO_IDS.bobPc.toUpperCase()],
    });
    expect(res.isError).toBeFalsy();
    const s = res.structuredContent as Record<string, any>;
    expect(s).toMatchObject({
      status: 'accepted',
      bulkActionId: DEMO_IDS.failedRestart,
      target: 'selected',
      cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.carolPc],
      duplicatesRemoved: 1,
      actionType: 'restart',
    });
    expect(sim.retries).toHaveLength(1);
    expect(sim.retries[0]!.cloudPcIds).toEqual([DEMO_IDS.bobPc, DEMO_IDS.carolPc]);
    expect(s.requestId).toBe(sim.retries[0]!.requestId);
    expect(s.clientRequestId).toBe(sim.retries[0]!.clientRequestId);
    expect(new Date(s.date).toString()).not.toBe('Invalid Date');
    const post = posts()[0]!;
    expect(post.path).toBe(`/beta/deviceManagement/virtualEndpoint/bulkActions/${DEMO_IDS.failedRestart}/retry`);
    expect(post.body).toEqual({ cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.carolPc] });
    expect(post.headers['content-type']).toMatch(/^application\/json/);
    expect(post.hasAuthorization).toBe(true);
    expect(textOf(res)).toMatch(/accepted.*asynchronously/s);
    expect(textOf(res)).toContain(s.requestId);
  });

  it('omitting cloudPcIds sends {} so Graph retries every failed device', async () => {
    const res = await call({ bulkActionId: DEMO_IDS.failedRestart });
    expect(res.structuredContent).toMatchObject({ status: 'accepted', target: 'allFailed', cloudPcIds: [] });
    expect(posts()[0]!.body).toEqual({});
    expect(sim.retries[0]!.cloudPcIds).toBe('allFailed');
    expect(textOf(res)).toMatch(/all of its failed Cloud PCs/);
  });

  it('accepts 5,000 ids in one call', async () => {
    const action = sim.state.tenant.bulkActions.find((a) => a.id === DEMO_IDS.failedRestart)!;
    const template = action.runs[0]!;
    const ids = Array.from({ length: 5000 }, (_, i) => `${i.toString(16).padStart(8, '0')}-aaaa-bbbb-cccc-${'d'.repeat(12)}`);
    for (const id of ids) action.runs.push({ ...template, cloudPcId: id, state: 'failed', reportId: id });
    const res = await call({ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: ids });
    expect(res.isError).toBeFalsy();
    expect((posts()[0]!.body as { cloudPcIds: string[] }).cloudPcIds).toHaveLength(5000);
    expect(textOf(res)).toMatch(/5000 selected Cloud PCs/);
  });

  it.each([
    [{ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [] }, /cloudPcIds is empty\. Omit cloudPcIds to retry all failed devices/],
    [{ bulkActionId: 'not-a-guid' }, /bulkActionId: bulkActionId must be a GUID/],
    [{ bulkActionId: `${DEMO_IDS.failedRestart}/../../cloudPCs` }, /must be a GUID/],
    [{ bulkActionId: `${DEMO_IDS.failedRestart}?$filter=x` }, /must be a GUID/],
    [{}, /bulkActionId/],
    [{ bulkActionId: DEMO_IDS.failedRestart, cloudPCIds: [DEMO_IDS.bobPc] }, /unknown argument\(s\) "cloudPCIds"/],
    [
      { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: ['x', 'y', 'z', 'a', 'b', 'c', 'd'] },
      /cloudPcIds\[0\].*\n.*\n.*\n.*\n.*\n- … and 2 more/,
    ],
    [{ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: DEMO_IDS.bobPc }, /must be an array/],
    [{ bulkActionId: DEMO_IDS.failedRestart, dryRun: 'yes' }, /dryRun must be true or false/],
  ])('refuses %j with a fixable message and sends nothing', async (args, message) => {
    const res = await call(args);
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/nothing was sent to Microsoft Graph/);
    expect(textOf(res)).toMatch(message);
    expect(sim.requests).toHaveLength(0);
  });

  it('refuses more than 10,000 ids without sending anything', async () => {
    const ids = Array.from({ length: 10_001 }, (_, i) => `${i.toString(16).padStart(8, '0')}-0000-0000-0000-000000000000`);
    const res = await call({ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: ids });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/more than 10000 ids; split the retry/);
    expect(sim.requests).toHaveLength(0);
  });

  it('refuses ids that are not part of the bulk action before posting', async () => {
    const stranger = '12345678-1234-1234-1234-123456789abc';
    const res = await call({ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.bobPc, stranger] });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(new RegExp(`Not sent: 1 of the given Cloud PC ids is not part of.*${stranger}`));
    expect(posts()).toHaveLength(0);
  });

  it('404: says the bulk action was not found and sends no retry', async () => {
    const res = await call({ bulkActionId: '00000000-0000-0000-0000-000000000001' });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/404/);
    expect(textOf(res)).toMatch(/not found/i);
    expect(textOf(res)).toMatch(/request-id/);
    expect(posts()).toHaveLength(0);
  });

  it('403 on the retry: names the delegated permission and the role, and that app-only cannot retry', async () => {
    sim.faults.add({
      kind: 'status',
      status: 403,
      match: { method: 'POST', path: RETRY },
      body: { error: { code: 'Forbidden', message: 'Insufficient privileges' } },
    });
    const res = await call({ bulkActionId: DEMO_IDS.failedRestart });
    expect(res.isError).toBe(true);
    const text = textOf(res);
    expect(text).toMatch(/403/);
    expect(text).toMatch(/Forbidden/);
    expect(text).toMatch(/CloudPC\.ReadWrite\.All/);
    expect(text).toMatch(/delegated/i);
    expect(text).toMatch(/application|app-only/i);
    expect(text).toMatch(/role/i);
  });

  it('throttled once: waits as Retry-After says, reports progress, then succeeds with exactly one accepted retry', async () => {
    sim.faults.add({
      kind: 'status',
      status: 429,
      headers: { 'Retry-After': '1' },
      match: { method: 'POST', path: RETRY },
      body: { error: { code: 'activityLimitReached', message: 'Throttled' } },
    });
    const progress: string[] = [];
    const res = await call({ bulkActionId: DEMO_IDS.failedRestart }, conn, { onprogress: (p) => progress.push(p.message ?? '') });
    expect(res.isError).toBeFalsy();
    expect(posts()).toHaveLength(2);
    expect(sim.retries).toHaveLength(1);
    expect(progress.join()).toMatch(/throttling \(HTTP 429\); waiting 1 s/);
  });

  it('throttled for longer than the wait budget: fails at once saying when to retry, without cutting the wait short', async () => {
    sim.faults.add({ kind: 'status', status: 429, headers: { 'Retry-After': '120' }, match: { method: 'POST', path: RETRY } });
    const res = await call({ bulkActionId: DEMO_IDS.failedRestart });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/120 s/);
    expect(posts()).toHaveLength(1);
    expect(sim.retries).toHaveLength(0);
  });

  it('500 after the POST: never re-sent, and says the retry may have been accepted', async () => {
    sim.faults.add({
      kind: 'status',
      status: 500,
      match: { method: 'POST', path: RETRY },
      body: { error: { code: 'InternalServerError', message: 'boom' } },
    });
    const res = await call({ bulkActionId: DEMO_IDS.failedRestart });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/may have been accepted/i);
    expect(textOf(res)).toMatch(/check the bulk action/i);
    expect(posts()).toHaveLength(1);
  });

  it('502 with an HTML gateway page: a short plain message, no markup', async () => {
    sim.faults.add({
      kind: 'status',
      status: 502,
      match: { method: 'POST', path: RETRY },
      headers: { 'Content-Type': 'text/html' },
      body: '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>' + '<p>x</p>'.repeat(500) + '</body></html>',
    });
    const res = await call({ bulkActionId: DEMO_IDS.failedRestart });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/502/);
    expect(textOf(res)).toMatch(/Bad Gateway/);
    expect(textOf(res)).not.toMatch(/<[a-z]/i);
    expect(textOf(res).length).toBeLessThan(2000);
    expect(posts()).toHaveLength(1);
  });

  it('connection reset after Graph applied the retry: reported as possibly accepted, never sent twice', async () => {
    sim.faults.add({ kind: 'reset', applyFirst: true, match: { method: 'POST', path: RETRY } });
    const res = await call({ bulkActionId: DEMO_IDS.failedRestart });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/may have been accepted/i);
    expect(sim.retries).toHaveLength(1);
    expect(posts()).toHaveLength(1);
  });

  it('deadline: a stalled Graph answer ends the call with a timeout that says the retry may have been accepted', async () => {
    sim.faults.add({ kind: 'stall', match: { method: 'POST', path: RETRY } });
    const res = await call({ bulkActionId: DEMO_IDS.failedRestart });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/timed out|deadline|did not answer/i);
    expect(textOf(res)).toMatch(/may have been accepted/i);
    expect(posts()).toHaveLength(1);
  });

  it('cancellation from the client aborts the Graph request and the server keeps serving', async () => {
    // A Graph deadline far beyond this test: only the cancellation can end the stalled POST.
    const patient = await connect({
      env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_TIMEOUT_MS: '600000' }),
    });
    try {
      sim.faults.add({ kind: 'stall', match: { method: 'POST', path: RETRY } });
      const ac = new AbortController();
      const pending = call({ bulkActionId: DEMO_IDS.failedRestart }, patient, { signal: ac.signal });
      await waitFor(() => posts().length === 1);
      ac.abort();
      await expect(pending).rejects.toThrow();
      // The server itself gave up the stalled POST: it closed that connection to Graph rather than leave it hanging.
      await waitFor(() => posts()[0]!.closedByClient === true);
      const next = await call({ bulkActionId: DEMO_IDS.failedRestart, dryRun: true }, patient);
      expect(next.structuredContent).toMatchObject({ status: 'dryRun' });
    } finally {
      await patient.close();
    }
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('condition not reached');
}
