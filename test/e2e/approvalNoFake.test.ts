// No tool call alone approves a destructive plan, whatever the host. The attacker is a caller that sees everything the
// server returns (text, structuredContent and _meta, as a custom agent or a host that passes the whole result on
// would) and calls anything: every string a dry run returned goes into every argument of every tool, listed or not;
// then the plan is executed. Nothing may reach Graph (the simulator records every POST). Remote mode runs behind the
// Entra stand-in with real JWTs; stdio runs for a client that did not declare MCP Apps views.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { baseEnv, connect, textOf, type Connected } from './harness.js';
import { entraServerEnv, startEntraStandIn, type EntraStandIn } from '../support/entra/standIn.js';
import { auditLines, httpEnv, startHttpServer, type HttpServerProcess } from '../support/http-server.js';
import { waitFor } from '../support/approval-browser.js';

const ALICE = { oid: '11111111-aaaa-4bbb-8ccc-0000000000a1', upn: 'alice@contoso.com' };
const DECIDE = 'decide_cloudpc_retry_plan';
const RETRY = 'retry_cloudpc_bulk_action';
let entra: EntraStandIn;
let sim: Simulator;
const closers: (() => Promise<unknown>)[] = [];
const s = (r: CallToolResult) => r.structuredContent as Record<string, any>;
// Every retry POST that reached Graph (other POSTs are $batch reads of failure reasons).
const posts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/retry'));

beforeAll(async () => {
  entra = await startEntraStandIn();
  sim = await startSimulator({ token: entra.delegatedToken, appToken: entra.appToken });
});
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => {});
  await sim?.close();
  await entra?.close();
});
beforeEach(() => sim.reset());

/** Every string in a value (a result's structuredContent and _meta), and every word of its text. */
function stringsIn(r: CallToolResult): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(r.structuredContent);
  walk(r._meta);
  for (const word of textOf(r).split(/[\s"',;()[\]]+/)) if (word.length >= 6) out.add(word.replace(/[.:]$/, ''));
  return [...out];
}

type Call = (name: string, args: Record<string, unknown>) => Promise<CallToolResult | Error>;

/** Every tool (listed or not) × every argument × every string; each call's arguments are otherwise those of a real use. */
async function feedEverything(
  call: Call,
  listed: { name: string; inputSchema: { properties?: object } }[],
  planId: string,
  strings: string[],
): Promise<number> {
  const bases: Record<string, Record<string, unknown>> = {
    [RETRY]: { bulkActionId: DEMO_IDS.failedReprovision, planId, confirm: true },
    [DECIDE]: { planId, decision: 'approve' },
  };
  const tools = new Map(listed.map((t) => [t.name, Object.keys(t.inputSchema.properties ?? {})]));
  tools.set(DECIDE, ['planId', 'decision', 'appToken']);
  let calls = 0;
  for (const [name, params] of tools) {
    for (const param of params) {
      for (const value of strings) {
        await call(name, { ...(bases[name] ?? {}), [param]: value });
        calls++;
      }
    }
  }
  // The secret the view would hold, if one were anywhere in the result, in the decision tool's own place.
  for (const value of strings) {
    await call(DECIDE, { planId, decision: 'approve', appToken: value });
    calls++;
  }
  return calls;
}

async function executeEveryWay(call: Call, planId: string): Promise<CallToolResult[]> {
  const out: CallToolResult[] = [];
  for (const extra of [{}, { confirm: true }, { dryRun: false }, { dryRun: true }]) {
    const r = await call(RETRY, { bulkActionId: DEMO_IDS.failedReprovision, planId, ...extra });
    if (!(r instanceof Error)) out.push(r);
  }
  return out;
}

describe('remote mode (Entra sign-in, real JWTs): a caller that reads everything cannot approve', () => {
  let server: HttpServerProcess;
  let client: Client;
  beforeAll(async () => {
    server = await startHttpServer(
      httpEnv({ ...entraServerEnv(entra, sim.url), CLOUDPC_MCP_RATE_LIMIT_PER_MINUTE: '0', CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '0' }),
    );
    closers.push(() => server.stop());
    client = new Client({ name: 'reads-everything', version: '1' });
    const token = await entra.mint({ oid: ALICE.oid, upn: ALICE.upn });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    closers.push(() => client.close());
  });

  const call: Call = async (name, args) => {
    try {
      return (await client.callTool({ name, arguments: args })) as CallToolResult;
    } catch (err) {
      return err as Error;
    }
  };

  it('lists no app-only approve tool, hands out no secret, and relays the sign-in page for the view to open', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).not.toContain(DECIDE);
    // The view is still offered to hosts that render it.
    expect(tools.find((t) => t.name === RETRY)?._meta).toMatchObject({ ui: { resourceUri: 'ui://cloudpc-mcp/bulk-action.html' } });
    const dry = (await client.callTool({
      name: RETRY,
      arguments: { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true },
    })) as CallToolResult;
    expect(dry._meta?.['cloudpc-mcp/approval']).toBeUndefined();
    expect(s(dry).approvalUrl).toBe(`${server.base}/approve/${s(dry).planId}`);
    const direct = await call(DECIDE, { planId: s(dry).planId, decision: 'approve', appToken: 'x' });
    expect(direct).toBeInstanceOf(Error);
    expect((direct as Error).message).toMatch(/Unknown tool "decide_cloudpc_retry_plan"/);
  });

  it('every string of the dry run in every argument of every tool, then execute: nothing is sent', async () => {
    const dry = (await client.callTool({
      name: RETRY,
      arguments: { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true },
    })) as CallToolResult;
    const planId = s(dry).planId as string;
    const strings = stringsIn(dry);
    expect(strings).toContain(planId);
    const { tools } = await client.listTools();
    const calls = await feedEverything(call, tools, planId, strings);
    expect(calls).toBeGreaterThan(100);
    expect(posts()).toEqual([]);
    const answers = await executeEveryWay(call, planId);
    expect(answers.map((r) => s(r)?.status)).toEqual(['approvalPending', 'approvalPending', 'approvalPending', 'dryRun']);
    expect(textOf(answers[0]!)).toContain(`${server.base}/approve/${planId}`);
    expect(posts()).toEqual([]);
    expect(sim.retries).toEqual([]);
  });
});

describe('remote mode with CLOUDPC_MCP_REMOTE_APP_APPROVAL: the operator vouches for the hosts', () => {
  it('lists the approve tool and hands the view its secret; the approval is recorded as a tool call, not a click', async () => {
    const server = await startHttpServer(
      httpEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_REMOTE_APP_APPROVAL: 'true' }),
    );
    closers.push(() => server.stop());
    const client = new Client({ name: 'trusted-host', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    closers.push(() => client.close());
    expect((await client.listTools()).tools.map((t) => t.name)).toContain(DECIDE);
    const dry = (await client.callTool({
      name: RETRY,
      arguments: { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true },
    })) as CallToolResult;
    const grant = dry._meta?.['cloudpc-mcp/approval'] as { planId: string; appToken: string };
    expect(grant.planId).toBe(s(dry).planId);
    await client.callTool({ name: DECIDE, arguments: { planId: grant.planId, decision: 'approve', appToken: grant.appToken } });
    const sent = (await client.callTool({
      name: RETRY,
      arguments: { bulkActionId: DEMO_IDS.failedReprovision, planId: grant.planId },
    })) as CallToolResult;
    expect(s(sent).approval.via).toBe('appTool');
    expect(s(sent).approval.via).not.toBe('page');
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: s(dry).plan.cloudPcIds }]);
    // The audit line says how: a call of the view's tool, never a person's page click.
    const line = await waitFor(() => auditLines(server.stderr()).find((l) => l.outcome === 'accepted'), 'the audit line');
    expect(line).toMatchObject({
      planId: grant.planId,
      approvedVia: 'appTool',
      approvedBy: expect.stringContaining('as the caller of decide_cloudpc_retry_plan'),
    });
  });
});

describe('stdio, a client that did not declare MCP Apps views', () => {
  let c: Connected;
  beforeAll(async () => {
    c = await connect({ env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token }) });
    closers.push(() => c.close());
  });
  const call: Call = async (name, args) => {
    try {
      return (await c.client.callTool({ name, arguments: args })) as CallToolResult;
    } catch (err) {
      return err as Error;
    }
  };

  it('every string of the dry run in every argument of every tool, then execute: nothing is sent', async () => {
    const { tools } = await c.client.listTools();
    expect(tools.map((t) => t.name)).not.toContain(DECIDE);
    const dry = (await c.client.callTool({
      name: RETRY,
      arguments: { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true },
    })) as CallToolResult;
    expect(dry._meta?.['cloudpc-mcp/approval']).toBeUndefined();
    const planId = s(dry).planId as string;
    const calls = await feedEverything(call, tools, planId, stringsIn(dry));
    expect(calls).toBeGreaterThan(100);
    const answers = await executeEveryWay(call, planId);
    expect(answers.map((r) => s(r)?.status)).toEqual(['approvalPending', 'approvalPending', 'approvalPending', 'dryRun']);
    // The one-time link went to the client's log, never into a result.
    for (const r of answers) expect(textOf(r)).not.toMatch(/token=/);
    expect(posts()).toEqual([]);
  });
});
