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

/**
 * Remote mode is stateless: the caller never said what it renders, so it gets the view metadata (hosts that render no
 * views ignore it) but the view's approve tool and secret only where the operator vouches for the hosts.
 */
export function clientAbilities(caps: ClientCapabilities | undefined, stateless: boolean, remoteAppApproval = false): ClientAbilities {
  if (stateless) return { form: false, url: false, app: true, appApproval: remoteAppApproval };
  const app = declaresViews(caps);
  return { form: Boolean(caps?.elicitation?.form), url: Boolean(caps?.elicitation?.url), app, appApproval: app };
}

/** Which listing a client gets: plain, with view metadata, or with view metadata and the view's app-only tool. */
export type ListingKind = 'plain' | 'views' | 'viewsWithAppTools';

export function listingKind(client: ClientAbilities): ListingKind {
  return !client.app ? 'plain' : client.appApproval ? 'viewsWithAppTools' : 'views';
}

export interface ViewResources {
  listing: Record<ListingKind, { tools: ToolListing[] }>;
  byName: Record<ListingKind, Map<string, CompiledTool>>;
  resources: { resources: { uri: string; name: string; title: string; description: string; mimeType: string }[] };
  read(uri: string): ReadResourceResult;
}

const cache = new WeakMap<CompiledTool[], ViewResources>();

export function viewResources(tools: CompiledTool[]): ViewResources {
  let v = cache.get(tools);
  if (v) return v;
  const plain = tools.filter((t) => !(t.def.visibility && !t.def.visibility.includes('model')));
  v = {
    listing: {
      plain: { tools: plain.map((t) => t.listing) },
      views: { tools: plain.map((t) => t.uiListing) },
      viewsWithAppTools: { tools: tools.map((t) => t.uiListing) },
    },
    byName: {
      plain: new Map(plain.map((t) => [t.def.name, t])),
      views: new Map(plain.map((t) => [t.def.name, t])),
      viewsWithAppTools: new Map(tools.map((t) => [t.def.name, t])),
    },
    resources: {
      resources: [
        {
          uri: VIEW_URI,
          name: 'bulk-action-view',
          title: 'Bulk action and retry plan',
          description:
            'Shows a bulk action (counts and devices) or a retry plan with Approve / Decline, in hosts that render MCP Apps views.',
          mimeType: VIEW_MIME_TYPE,
        },
      ],
    },
    read(uri) {
      if (uri !== VIEW_URI) throw new McpError(ErrorCode.InvalidParams, `Unknown resource "${uri}". This server offers ${VIEW_URI}.`);
      // No external origins: the view needs none (restrictive default CSP), and says so explicitly.
      return {
        contents: [{ uri: VIEW_URI, mimeType: VIEW_MIME_TYPE, text: viewDocument(), _meta: { ui: { csp: {}, prefersBorder: true } } }],
      };
    },
  };
  cache.set(tools, v);
  return v;
}
