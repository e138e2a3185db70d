// createServer(config, deps) → an MCP server with the tools registered. Transport-agnostic: index.ts connects it.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolRequest,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { formatProblems, type ConfigProblem } from '../config/config.js';
import { describeError } from './describeError.js';
import { compileTool, formatInputError, type CompiledTool } from '../tools/defineTool.js';
import type { ConfirmAnswer, ServerDeps, ToolContext } from '../tools/context.js';
import { ALL_TOOLS } from '../tools/index.js';
import { VERSION } from '../core/version.js';
import { formValidator } from './formValidator.js';
import { registerPrompts } from './prompts.js';

export interface CreateServerOptions {
  deps: ServerDeps;
  /** When set, the server still starts and lists its tools, but every call answers with these problems and their fix. */
  problems?: readonly ConfigProblem[];
  /** Told about every tools/call once it is answered (remote mode writes an audit line from it). Must not throw. */
  audit?: (entry: ToolCallAudit) => void;
}

export interface ToolCallAudit {
  tool: string;
  /** The arguments as the client sent them, before validation. */
  arguments: unknown;
  /** What the client got; undefined when the call was refused as a protocol error (unknown tool). */
  result?: CallToolResult;
  /** What the tool threw, e.g. a GraphError carrying Graph's request-id. */
  error?: unknown;
}

const INSTRUCTIONS =
  'Windows 365 Cloud PC bulk actions in Microsoft Graph. Find bulk actions with list_cloudpc_bulk_actions, ' +
  'see which devices failed with get_cloudpc_bulk_action, turn user or device names into ids with list_cloud_pcs, ' +
  'and retry with retry_cloudpc_bulk_action (dryRun first when unsure). A retry is asynchronous: check the action again afterwards.';

/** Elicitation waits for a person, who may take a while; the SDK's one-minute default is too short for that. */
const CONFIRM_TIMEOUT_MS = 10 * 60_000;

// Compiling the schemas costs milliseconds, and remote mode builds a server for every HTTP request: compile once per mode.
const compiledByMode = new Map<boolean, CompiledTool[]>();

/** What a tools/call needs from the session it arrived on (a subset of the SDK's request extra). */
export interface ToolCallExtra {
  /** Aborted when the client cancels the request or the session closes. */
  signal: AbortSignal;
  sendNotification(notification: { method: 'notifications/progress'; params: Record<string, unknown> }): Promise<void>;
}

/** Answers a tools/call: the result, or a thrown McpError for a protocol-level mistake (-32602). */
type ToolCallHandler = (request: CallToolRequest, extra: ToolCallExtra) => Promise<CallToolResult>;

export function selectTools(deps: ServerDeps): CompiledTool[] {
  const readOnly = deps.config.readOnly;
  let tools = compiledByMode.get(readOnly);
  if (!tools) {
    tools = ALL_TOOLS.filter((t) => !(readOnly && t.kind !== 'read')).map(compileTool);
    compiledByMode.set(readOnly, tools);
  }
  return tools;
}

export function createServer({ deps, problems, audit }: CreateServerOptions): Server {
  const server = new Server(
    { name: 'cloudpc-mcp', title: 'Windows 365 Cloud PC bulk actions', version: VERSION },
    { capabilities: { tools: {}, logging: {} }, instructions: INSTRUCTIONS, jsonSchemaValidator: formValidator },
  );
  const tools = selectTools(deps);
  const byName = new Map(tools.map((t) => [t.def.name, t]));
  const listing = { tools: tools.map((t) => t.listing) };

  server.setRequestHandler(ListToolsRequestSchema, () => listing);

  // Error results keep what was thrown, so the audit line can carry Graph's request-id of a failed call.
  const thrown = new WeakMap<CallToolResult, unknown>();
  // Without an audit hook the handler is used as it is: stdio calls pay for no wrapper.
  const audited = (handle: ToolCallHandler): ToolCallHandler => {
    if (!audit) return handle;
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
  };

  const callTool = audited(async (req: CallToolRequest, extra: ToolCallExtra): Promise<CallToolResult> => {
    const tool = byName.get(req.params.name);
    if (!tool) {
      const hint = deps.config.readOnly && req.params.name === 'retry_cloudpc_bulk_action' ? ' The server runs read-only (CLOUDPC_MCP_READ_ONLY).' : '';
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool "${req.params.name}".${hint} Available: ${[...byName.keys()].join(', ')}.`);
    }
    if (problems?.length) return errorResult(formatProblems(problems));
    const parsed = tool.inputSchema.safeParse(req.params.arguments ?? {});
    if (!parsed.success) return errorResult(formatInputError(tool.def.name, parsed.error));

    const progressToken = req.params._meta?.progressToken;
    let progressCount = 0;
    const ctx: ToolContext = {
      deps,
      signal: extra.signal,
      progress(progress, total, message) {
        if (progressToken === undefined) return;
        // The specification requires progress to increase with every notification.
        progressCount = Math.max(progressCount + 1, progress);
        void extra
          .sendNotification({ method: 'notifications/progress', params: { progressToken, progress: progressCount, total, message } })
          .catch(() => {});
      },
      async confirm(message): Promise<ConfirmAnswer> {
        if (!server.getClientCapabilities()?.elicitation?.form) return 'unsupported';
        try {
          const r = await server.elicitInput(
            {
              mode: 'form',
              message,
              requestedSchema: {
                type: 'object',
                properties: { confirm: { type: 'boolean', title: 'Retry now', description: 'Yes, retry these Cloud PCs.' } },
                required: ['confirm'],
              },
            },
            { signal: extra.signal, timeout: CONFIRM_TIMEOUT_MS },
          );
          if (r.action === 'accept') return r.content?.confirm === true ? 'accepted' : 'declined';
          return r.action === 'decline' ? 'declined' : 'cancelled';
        } catch (err) {
          // No answer (timeout, cancelled, client error) is never a yes.
          deps.logger.warn('confirmation did not complete; nothing sent', { error: (err as Error).message });
          return 'cancelled';
        }
      },
    };

    try {
      const out = await tool.def.handle(parsed.data, ctx);
      return { content: [{ type: 'text', text: out.text }], structuredContent: out.structured as Record<string, unknown> };
    } catch (err) {
      const text = describeError(err, tool.def.kind === 'read' ? 'read' : 'retry', deps);
      deps.logger.warn(`${tool.def.name} failed`, { error: text.split('\n')[0] });
      const result = errorResult(text);
      thrown.set(result, err);
      return result;
    }
  });
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => callTool(request, extra));
  registerPrompts(server, deps, problems);
  return server;
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
