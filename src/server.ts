// createServer(config, deps) → an MCP server with the tools registered. Transport-agnostic: index.ts connects it.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { formatProblems, type ConfigProblem } from './config.js';
import { describeError } from './describeError.js';
import { compileTool, formatInputError, type CompiledTool } from './tools/defineTool.js';
import type { ConfirmAnswer, ServerDeps, ToolContext } from './tools/context.js';
import { ALL_TOOLS } from './tools/index.js';
import { VERSION } from './version.js';

export interface CreateServerOptions {
  deps: ServerDeps;
  /** When set, the server still starts and lists its tools, but every call answers with these problems and their fix. */
  problems?: readonly ConfigProblem[];
}

const INSTRUCTIONS =
  'Windows 365 Cloud PC bulk actions in Microsoft Graph. Find bulk actions with list_cloudpc_bulk_actions, ' +
  'see which devices failed with get_cloudpc_bulk_action, turn user or device names into ids with list_cloud_pcs, ' +
  'and retry with retry_cloudpc_bulk_action (dryRun first when unsure). A retry is asynchronous: check the action again afterwards.';

/** Elicitation waits for a person, who may take a while; the SDK's one-minute default is too short for that. */
const CONFIRM_TIMEOUT_MS = 10 * 60_000;

export function selectTools(deps: ServerDeps): CompiledTool[] {
  return ALL_TOOLS.filter((t) => !(deps.config.readOnly && t.kind !== 'read')).map(compileTool);
}

export function createServer({ deps, problems }: CreateServerOptions): Server {
  const server = new Server(
    { name: 'cloudpc-mcp', title: 'Windows 365 Cloud PC bulk actions', version: VERSION },
    { capabilities: { tools: {}, logging: {} }, instructions: INSTRUCTIONS },
  );
  const tools = selectTools(deps);
  const byName = new Map(tools.map((t) => [t.def.name, t]));
  const listing = { tools: tools.map((t) => t.listing) };

  server.setRequestHandler(ListToolsRequestSchema, () => listing);

  server.setRequestHandler(CallToolRequestSchema, async (req, extra): Promise<CallToolResult> => {
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
      return errorResult(text);
    }
  });

  return server;
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
