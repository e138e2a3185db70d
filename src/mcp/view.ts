// The MCP Apps side of the server: which clients render views, the tool listings for each kind of client, and the
// view itself as a ui:// resource (text/html;profile=mcp-app).
// Not ext-apps' registerAppResource / registerAppTool: in 1.7.5 they only call McpServer.registerResource /
// registerTool (adding the legacy 'ui/resourceUri' key, which compileTool adds too), and this server answers tools on
// the low-level Server: one listing per kind of client (app-only tools hidden from hosts without views), its own
// argument checks and error wording. The resource and the listings here are what those helpers would produce.
import { ErrorCode, McpError, type ClientCapabilities, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { CompiledTool, ToolListing } from '../tools/defineTool.js';
import { VIEW_URI } from '../tools/defineTool.js';
import type { ClientAbilities } from '../tools/context.js';
import { viewDocument } from '../approval/viewDocument.js';
import { declaresViews, VIEW_MIME_TYPE } from '../core/mcpApps.js';

export function clientAbilities(caps: ClientCapabilities | undefined, stateless: boolean): ClientAbilities {
  if (stateless) return { form: false, url: false, app: true };
  return { form: Boolean(caps?.elicitation?.form), url: Boolean(caps?.elicitation?.url), app: declaresViews(caps) };
}

export interface ViewResources {
  listingPlain: { tools: ToolListing[] };
  listingApp: { tools: ToolListing[] };
  byNamePlain: Map<string, CompiledTool>;
  byNameApp: Map<string, CompiledTool>;
  resources: { resources: { uri: string; name: string; title: string; description: string; mimeType: string }[] };
  read(uri: string): ReadResourceResult;
}

const cache = new WeakMap<CompiledTool[], ViewResources>();

export function viewResources(tools: CompiledTool[]): ViewResources {
  let v = cache.get(tools);
  if (v) return v;
  const plain = tools.filter((t) => !(t.def.visibility && !t.def.visibility.includes('model')));
  v = {
    listingPlain: { tools: plain.map((t) => t.listing) },
    listingApp: { tools: tools.map((t) => t.uiListing) },
    byNamePlain: new Map(plain.map((t) => [t.def.name, t])),
    byNameApp: new Map(tools.map((t) => [t.def.name, t])),
    resources: {
      resources: [
        {
          uri: VIEW_URI,
          name: 'bulk-action-view',
          title: 'Bulk action and retry plan',
          description: 'Shows a bulk action (counts and devices) or a retry plan with Approve / Decline, in hosts that render MCP Apps views.',
          mimeType: VIEW_MIME_TYPE,
        },
      ],
    },
    read(uri) {
      if (uri !== VIEW_URI) throw new McpError(ErrorCode.InvalidParams, `Unknown resource "${uri}". This server offers ${VIEW_URI}.`);
      // No external origins: the view needs none (restrictive default CSP), and says so explicitly.
      return { contents: [{ uri: VIEW_URI, mimeType: VIEW_MIME_TYPE, text: viewDocument(), _meta: { ui: { csp: {}, prefersBorder: true } } }] };
    },
  };
  cache.set(tools, v);
  return v;
}
