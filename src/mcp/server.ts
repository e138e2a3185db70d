// createServer(config, deps) → an MCP server with the tools registered. Transport-agnostic: index.ts connects it.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolRequest,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { formatProblems, type ConfigProblem } from '../config/config.js';
import { describeError, operationOf } from './describeError.js';
import { compileTool, formatInputError, type CompiledTool } from '../tools/defineTool.js';
import type { ConfirmAnswer, ServerDeps, ToolContext } from '../tools/context.js';
import { ALL_TOOLS } from '../tools/index.js';
import { VERSION } from '../core/version.js';
import { formValidator } from './formValidator.js';
import { clientAbilities, viewResources, type ViewResources } from './view.js';
import { registerPrompts } from './prompts.js';

export interface CreateServerOptions {
  deps: ServerDeps;
  /** When set, the server still starts and lists its tools, but every call answers with these problems and their fix. */
  problems?: readonly ConfigProblem[];
  /** Told about every tools/call once it is answered (remote mode writes an audit line from it). Must not throw. */
  audit?: (entry: ToolCallAudit) => void;
  /**
   * Remote mode is stateless: a request's client never said what it can do, so the server assumes a host that may
   * render MCP Apps views (hosts that do not ignore the view metadata) and cannot be asked anything mid-call.
   */
  statelessClient?: boolean;
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
  sendNotification(notification: { method: 'notifications/progress' | 'notifications/message'; params: Record<string, unknown> }): Promise<void>;
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

export function createServer({ deps, problems, audit, statelessClient }: CreateServerOptions): Server {
  const server = new Server(
    { name: 'cloudpc-mcp', title: 'Windows 365 Cloud PC bulk actions', version: VERSION },
    { capabilities: { tools: {}, logging: {}, resources: {} }, instructions: INSTRUCTIONS, jsonSchemaValidator: formValidator },
  );
  const tools = selectTools(deps);
  const abilities = () => clientAbilities(statelessClient ? undefined : server.getClientCapabilities(), statelessClient === true);
  const views: ViewResources = viewResources(tools);
  // Hosts that render views get the view metadata and the view's app-only tool; others get neither.
  const byName = (app: boolean) => (app ? views.byNameApp : views.byNamePlain);

  server.setRequestHandler(ListToolsRequestSchema, () => (abilities().app ? views.listingApp : views.listingPlain));
  server.setRequestHandler(ListResourcesRequestSchema, () => views.resources);
  server.setRequestHandler(ReadResourceRequestSchema, (req) => views.read(req.params.uri));

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
    const client = abilities();
    const named = byName(client.app);
    const tool = named.get(req.params.name);
    if (!tool) {
      const hint = deps.config.readOnly && req.params.name === 'retry_cloudpc_bulk_action' ? ' The server runs read-only (CLOUDPC_MCP_READ_ONLY).' : '';
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool "${req.params.name}".${hint} Available: ${[...named.keys()].join(', ')}.`);
    }
    if (problems?.length) return errorResult(formatProblems(problems));
    const parsed = tool.inputSchema.safeParse(req.params.arguments ?? {});
    if (!parsed.success) return errorResult(formatInputError(tool.def.name, parsed.error));

    const progressToken = req.params._meta?.progressToken;
    let progressCount = 0;
    const ctx: ToolContext = {
      deps,
      client,
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
        if (!client.form) return 'unsupported';
        try {
          const r = await server.elicitInput(
            {
              mode: 'form',
              message,
              requestedSchema: {
                type: 'object',
                properties: { confirm: { type: 'boolean', title: 'Approve this plan', description: 'Yes, retry exactly the Cloud PCs of this plan now.' } },
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
      async openUrl(message, url, elicitationId) {
        if (!client.url) return 'unsupported';
        try {
          const r = await server.elicitInput({ mode: 'url', message, url, elicitationId }, { signal: extra.signal, timeout: CONFIRM_TIMEOUT_MS });
          return r.action === 'accept' ? 'accepted' : r.action === 'decline' ? 'declined' : 'cancelled';
        } catch (err) {
          deps.logger.warn('URL elicitation did not complete; falling back to the approval link', { error: (err as Error).message });
          return 'unsupported';
        }
      },
      urlCompleted(elicitationId) {
        if (client.url) void server.createElicitationCompletionNotifier(elicitationId)().catch(() => {});
      },
      notify(level, message) {
        deps.logger[level === 'warning' ? 'warn' : 'info'](message);
        // On this call's own stream, so it reaches a stateless HTTP client too.
        void extra.sendNotification({ method: 'notifications/message', params: { level, logger: 'cloudpc-mcp', data: message } }).catch(() => {});
      },
    };

    try {
      const out = await tool.def.handle(parsed.data, ctx);
      const result: CallToolResult = { content: [{ type: 'text', text: out.text }], structuredContent: out.structured as Record<string, unknown> };
      if (out.meta) result._meta = out.meta;
      return result;
    } catch (err) {
      const text = describeError(err, operationOf(tool.def.kind, parsed.data), deps);
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
