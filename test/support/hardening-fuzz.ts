// Property: whatever arguments arrive, each tool call ends with a clear refusal or a valid result, nothing reaches
// Graph unless the arguments were valid (judged independently with the tool's own zod schema), and what does reach it
// is one of the known operations on exactly the id given. Transport-agnostic: it needs an MCP Client and the simulator,
// so the same run can be pointed at the HTTP transport.
import fc from 'fast-check';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Simulator } from '../../src/simulator/index.js';
import { compileTool, type CompiledTool } from '../../src/tools/defineTool.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { argumentsFor, describeArgs } from './hardening-arbitraries.js';
import { bulkActionIdInPath, operationOf } from './hardening-operations.js';

// The tools a client without MCP Apps views is offered (the view's app-only tool is not among them).
export const TOOLS: readonly CompiledTool[] = ALL_TOOLS.filter((t) => !t.visibility || t.visibility.includes('model')).map(compileTool);

export interface FuzzStats {
  calls: number;
  valid: number;
  succeeded: number;
  refused: number;
  graphRequests: number;
  byTool: Record<string, number>;
}

export interface FuzzOptions {
  client: Client;
  sim: Simulator;
  seed: number;
  numRuns: number;
  /** A hang detector, not a speed limit. */
  callTimeoutMs?: number;
}

const INTERNAL_ERROR = /Internal error in cloudpc-mcp/;
const NOTHING_SENT = /nothing was sent to Microsoft Graph/;

function textOf(r: CallToolResult): string {
  return (r.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Runs the property; on failure throws with the seed, the replay path and a bounded description of the arguments. */
export async function fuzzTools(opts: FuzzOptions): Promise<FuzzStats> {
  const stats: FuzzStats = { calls: 0, valid: 0, succeeded: 0, refused: 0, graphRequests: 0, byTool: {} };
  const call = fc.oneof(
    ...TOOLS.map((t) => ({
      // The write tool carries the most risk, so it gets the most calls.
      weight: t.def.kind === 'read' ? 2 : 4,
      arbitrary: argumentsFor(t.def.name, Object.keys(t.def.input)).map((args) => ({ tool: t, args })),
    })),
  );
  const property = fc.asyncProperty(call, async ({ tool, args }) => {
    await checkCall(opts, tool, args, stats);
  });
  const out = await fc.check(property, { seed: opts.seed, numRuns: opts.numRuns, endOnFailure: true });
  if (out.failed) {
    const [example] = (out.counterexample ?? []) as [{ tool: CompiledTool; args: unknown }] | [];
    throw new Error(
      `fuzz failed on run ${out.numRuns} (seed ${out.seed}, path "${out.counterexamplePath}"; replay with FUZZ_SEED=${out.seed}):\n` +
        `${example ? `${example.tool.def.name} ${describeArgs(example.args)}\n` : ''}${String(out.errorInstance)}`,
    );
  }
  return stats;
}

async function checkCall(opts: FuzzOptions, tool: CompiledTool, args: Record<string, unknown>, stats: FuzzStats): Promise<void> {
  const { client, sim } = opts;
  const name = tool.def.name;
  // The oracle judges what the server will actually parse: JSON turns -0 into 0, NaN into null, and so on.
  const wire = JSON.parse(JSON.stringify(args)) as Record<string, unknown>;
  const verdict = tool.inputSchema.safeParse(wire);
  stats.calls++;
  stats.byTool[name] = (stats.byTool[name] ?? 0) + 1;
  if (verdict.success) stats.valid++;

  sim.requests.length = 0;
  let result: CallToolResult;
  try {
    result = (await client.callTool({ name, arguments: args }, undefined, { timeout: opts.callTimeoutMs ?? 30_000 })) as CallToolResult;
  } catch (e) {
    // The one protocol-level refusal: a "__proto__" member, which the transport refuses before any tool sees it.
    if (Object.hasOwn(args, '__proto__') && (e as { code?: unknown }).code === -32602 && sim.requests.length === 0) {
      stats.refused++;
      return;
    }
    throw new Error(`${name}: protocol error, crash or hang instead of a result: ${(e as Error).message}`);
  }
  const requests = [...sim.requests];
  stats.graphRequests += requests.length;
  const text = textOf(result);

  if (!text.trim()) throw new Error(`${name}: the result has no text for the assistant to relay`);
  if (INTERNAL_ERROR.test(text)) throw new Error(`${name}: an unexpected exception reached the user: ${text}`);

  if (!verdict.success) {
    if (result.isError !== true) throw new Error(`${name}: invalid arguments were not refused`);
    if (!NOTHING_SENT.test(text)) throw new Error(`${name}: the refusal does not say nothing was sent: ${text.slice(0, 300)}`);
    if (requests.length)
      throw new Error(`${name}: invalid arguments reached Graph: ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    stats.refused++;
    return;
  }

  const data = verdict.data;
  for (const r of requests) {
    if (!operationOf(r)) throw new Error(`${name}: request outside the allow-list: ${r.method} ${r.path}`);
    const id = bulkActionIdInPath(r.path);
    if (id !== undefined && typeof data.bulkActionId === 'string' && id !== data.bulkActionId) {
      throw new Error(`${name}: asked about ${data.bulkActionId} but requested ${r.path}`);
    }
    // Valid input must never produce a malformed request (a broken OData literal would be a 400).
    if (r.status === 400)
      throw new Error(
        `${name}: valid arguments produced a request Graph refused as malformed: ${r.method} ${r.path} ${JSON.stringify(r.query)}`,
      );
  }
  if (result.isError) return;

  stats.succeeded++;
  const structured = tool.outputSchema.safeParse(result.structuredContent);
  if (!structured.success) throw new Error(`${name}: structuredContent does not match the output schema: ${structured.error.message}`);
  checkFilters(name, data, structured.data);
}

/** A filter must narrow the answer: quotes in a user name must never widen it into someone else's PCs. */
function checkFilters(name: string, args: Record<string, unknown>, out: Record<string, unknown>): void {
  const lower = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v ?? '')).toLowerCase();
  if (name === 'list_cloud_pcs') {
    for (const pc of out.cloudPcs as Record<string, unknown>[]) {
      if (args.userPrincipalName !== undefined && lower(pc.userPrincipalName) !== lower(args.userPrincipalName)) {
        throw new Error(
          `list_cloud_pcs for ${JSON.stringify(args.userPrincipalName)} returned ${JSON.stringify(pc.userPrincipalName)}'s PC`,
        );
      }
      if (args.nameStartsWith !== undefined && !lower(pc.displayName).startsWith(lower(args.nameStartsWith))) {
        throw new Error(
          `list_cloud_pcs for names starting ${JSON.stringify(args.nameStartsWith)} returned ${JSON.stringify(pc.displayName)}`,
        );
      }
      if (args.status !== undefined && pc.status !== args.status)
        throw new Error(`list_cloud_pcs status ${JSON.stringify(args.status)} returned ${JSON.stringify(pc.status)}`);
    }
  }
  if (name === 'list_cloudpc_bulk_actions') {
    for (const a of out.bulkActions as Record<string, unknown>[]) {
      // "failed" means "has failed devices", whatever the action's own status (a partly failed action need not say failed).
      const failedCount = (a.summary as Record<string, unknown> | undefined)?.failedCount;
      const matches =
        args.status === 'failed' ? a.status === 'failed' || (typeof failedCount === 'number' && failedCount > 0) : a.status === args.status;
      if (args.status !== undefined && !matches)
        throw new Error(
          `status filter ${JSON.stringify(args.status)} returned ${JSON.stringify(a.status)} with ${JSON.stringify(failedCount)} failed`,
        );
      if (args.actionType !== undefined && a.actionType !== args.actionType)
        throw new Error(`actionType filter ${JSON.stringify(args.actionType)} returned ${JSON.stringify(a.actionType)}`);
    }
  }
}
