// createServer(deps) → an MCP server with the tools, the view resources and the prompts registered. Transport-agnostic:
// src/transports/* connect it.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { toolsCallParamsProblem } from '../core/jsonRpc.js';
import type { ConfigProblem } from '../config/config.js';
import { compileTool, type CompiledTool } from '../tools/defineTool.js';
import type { ServerDeps } from '../tools/context.js';
import { ALL_TOOLS } from '../tools/index.js';
import { VERSION } from '../core/version.js';
import { formValidator } from './formValidator.js';
import { clientAbilities, listingKind, viewResources } from './view.js';
import { registerPrompts } from './prompts.js';
import { callToolHandler, type ToolCallAudit } from './callTool.js';

export type { ToolCallAudit } from './callTool.js';

export interface CreateServerOptions {
  deps: ServerDeps;
  /** When set, the server still starts and lists its tools, but every call answers with these problems and their fix. */
  problems?: readonly ConfigProblem[];
  /** Told about every tools/call once it is answered (remote mode writes an audit line from it). Must not throw. */
  audit?: (entry: ToolCallAudit) => void;
  /**
   * Remote mode is stateless: a request's client never said what it can do, so the server assumes a host that may
   * render MCP Apps views (hosts that do not ignore the view metadata) and cannot be asked anything mid-call; the
   * view's approve tool and its secret only with CLOUDPC_MCP_REMOTE_APP_APPROVAL.
   */
  statelessClient?: boolean;
}

const INSTRUCTIONS =
  'Windows 365 Cloud PC bulk actions in Microsoft Graph. Find bulk actions with list_cloudpc_bulk_actions, ' +
  'see which devices failed with get_cloudpc_bulk_action, turn user or device names into ids with list_cloud_pcs, ' +
  'and retry with retry_cloudpc_bulk_action (dryRun first when unsure). A retry is asynchronous: check the action again afterwards.';

// Compiling the schemas costs milliseconds, and remote mode builds a server for every HTTP request: compile once per mode.
const compiledByMode = new Map<boolean, CompiledTool[]>();

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
  const abilities = () =>
    clientAbilities(statelessClient ? undefined : server.getClientCapabilities(), statelessClient === true, deps.config.remoteAppApproval);
  const views = viewResources(tools);

  server.setRequestHandler(ListToolsRequestSchema, () => views.listing[listingKind(abilities())]);
  server.setRequestHandler(ListResourcesRequestSchema, () => views.resources);
  server.setRequestHandler(ReadResourceRequestSchema, (req) => views.read(req.params.uri));

  const callTool = callToolHandler({
    server,
    deps,
    problems,
    abilities,
    // Only a client the view's secret may reach can call the view's app-only tool.
    toolsFor: (client) => views.byName[listingKind(client)],
    audit,
  });
  // tools/call is answered through the SDK's public fallbackRequestHandler rather than setRequestHandler: the latter
  // parses every call's request twice and its result once with zod, a visible share of a call's cost in `npm run bench`
  // (a CPU profile of the retry put it near a tenth of the server's own time). The request's shape is checked here (and
  // by both transports before it, with the same function); the result is built by callTool alone, and the end-to-end
  // tests' SDK client checks every structuredContent against the tool's output schema.
  server.fallbackRequestHandler = async (request, extra) => {
    if (request.method !== 'tools/call') throw new McpError(ErrorCode.MethodNotFound, 'Method not found');
    const problem = toolsCallParamsProblem(request.params);
    if (problem) throw new McpError(ErrorCode.InvalidParams, `Invalid tools/call request: ${problem}`);
    return callTool(request as unknown as CallToolRequest, extra); // the check above makes it one
  };
  registerPrompts(server, deps, problems);
  return server;
}
