// tools/call: find the tool, check its arguments, run it with a per-call context, and turn what it threw into a result
// the assistant can relay. Remote mode wraps this with an audit hook.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, McpError, type CallToolRequest, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { formatProblems, type ConfigProblem } from '../config/config.js';
import type { CompiledTool } from '../tools/defineTool.js';
import { formatInputError } from '../tools/defineTool.js';
import type { ClientAbilities, ServerDeps } from '../tools/context.js';
import { describeError, operationOf } from './describeError.js';
import { toolContext, type ToolCallExtra } from './toolContext.js';

export interface ToolCallAudit {
  tool: string;
  /** The arguments as the client sent them, before validation. */
  arguments: unknown;
  /** What the client got; undefined when the call was refused as a protocol error (unknown tool). */
  result?: CallToolResult;
  /** What the tool threw, e.g. a GraphError carrying Graph's request-id. */
  error?: unknown;
}

/** Answers a tools/call: the result, or a thrown McpError for a protocol-level mistake (-32602). */
export type ToolCallHandler = (request: CallToolRequest, extra: ToolCallExtra) => Promise<CallToolResult>;

export interface CallToolOptions {
  server: Server;
  deps: ServerDeps;
  problems?: readonly ConfigProblem[];
  abilities(): ClientAbilities;
  /** The tools this client may call, by name (hosts that render views also get the view's app-only tool). */
  toolsFor(client: ClientAbilities): ReadonlyMap<string, CompiledTool>;
  audit?: (entry: ToolCallAudit) => void;
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

export function callToolHandler(o: CallToolOptions): ToolCallHandler {
  const { deps, problems } = o;
  // Error results keep what was thrown, so the audit line can carry Graph's request-id of a failed call.
  const thrown = new WeakMap<CallToolResult, unknown>();
  const handle: ToolCallHandler = async (req, extra) => {
    const client = o.abilities();
    const named = o.toolsFor(client);
    const tool = named.get(req.params.name);
    if (!tool) {
      const hint =
        deps.config.readOnly && req.params.name === 'retry_cloudpc_bulk_action'
          ? ' The server runs read-only (CLOUDPC_MCP_READ_ONLY).'
          : '';
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool "${req.params.name}".${hint} Available: ${[...named.keys()].join(', ')}.`);
    }
    if (problems?.length) return errorResult(formatProblems(problems));
    const parsed = tool.inputSchema.safeParse(req.params.arguments ?? {});
    if (!parsed.success) return errorResult(formatInputError(tool.def.name, parsed.error));
    try {
      const out = await tool.def.handle(parsed.data, toolContext(o.server, deps, client, req, extra));
      const result: CallToolResult = { content: [{ type: 'text', text: out.text }], structuredContent: out.structured };
      if (out.meta) result._meta = out.meta;
      return result;
    } catch (err) {
      const text = describeError(err, operationOf(tool.def.kind, parsed.data), deps);
      deps.logger.warn(`${tool.def.name} failed`, { error: text.split('\n')[0] });
      const result = errorResult(text);
      thrown.set(result, err);
      return result;
    }
  };
  return o.audit ? audited(handle, o.audit, thrown, deps) : handle;
}

/** Tells the audit hook about every call once it is answered; without a hook, stdio calls pay for no wrapper. */
function audited(
  handle: ToolCallHandler,
  audit: (entry: ToolCallAudit) => void,
  thrown: WeakMap<CallToolResult, unknown>,
  deps: ServerDeps,
): ToolCallHandler {
  return async (request, extra) => {
    const entry: ToolCallAudit = { tool: request.params.name, arguments: request.params.arguments };
    try {
      entry.result = await handle(request, extra);
      entry.error = thrown.get(entry.result);
      return entry.result;
    } catch (err) {
      entry.error = err;
      throw err;
    } finally {
      try {
        audit(entry);
      } catch (err) {
        deps.logger.error('audit hook failed', { error: (err as Error)?.message ?? String(err) });
      }
    }
  };
}
