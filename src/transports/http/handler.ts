// The HTTP request handler of remote mode: a table of routes (health, protected-resource metadata, /mcp) and the one
// place a request that failed unexpectedly is answered. Stateless: every POST to /mcp gets a fresh MCP server and
// transport (see mcpEndpoint.ts), so any replica can answer any request; what is worth keeping between requests
// (the Graph connection pool, each user's Graph token, each caller's rate budget) lives outside, shared.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MCP_PATH } from '../../config/http.js';
import { VERSION } from '../../core/version.js';
import type { HandlerContext, RouteHandler } from './context.js';
import { serveMcp } from './mcpEndpoint.js';
import { METADATA_PATH, protectedResourceMetadata } from './protectedResource.js';
import { rpcError, sendJson } from './reply.js';

export type { HandlerContext } from './context.js';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

export interface Route {
  /** Exact paths (no query) this route answers. */
  paths: readonly string[];
  handle: RouteHandler;
}

const readOnly = (req: IncomingMessage, res: ServerResponse): boolean => {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  sendJson(req, res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
  return false;
};

/** Probes come from the platform with its own Host (often a bare IP): no Host or auth check here, and nothing secret. */
const health: RouteHandler = (req, res, ctx) => {
  if (!readOnly(req, res)) return;
  const draining = ctx.draining();
  sendJson(req, res, draining ? 503 : 200, { status: draining ? 'draining' : 'ok', version: VERSION });
};

/**
 * Readiness: whether this replica can serve plans, i.e. its store answers (memory always does). A platform takes a
 * replica that answers 503 out of rotation; liveness (/healthz) stays 200, since restarting would not bring Redis back.
 */
const ready: RouteHandler = async (req, res, ctx) => {
  if (!readOnly(req, res)) return;
  if (ctx.draining()) return sendJson(req, res, 503, { status: 'draining', store: ctx.store.kind, version: VERSION });
  try {
    await ctx.store.ping();
    sendJson(req, res, 200, { status: 'ready', store: ctx.store.kind, version: VERSION });
  } catch (err) {
    sendJson(req, res, 503, { status: 'store unreachable', store: ctx.store.kind, error: (err as Error).message, version: VERSION });
  }
};

/** Public by design (RFC 9728): browser-based clients read it cross-origin before they have a token. */
const metadata: RouteHandler = (req, res, ctx) => {
  const entra = ctx.config.http.entra;
  if (!ctx.entra || !entra) return sendJson(req, res, 404, { error: 'this server does not require sign-in (CLOUDPC_MCP_HTTP_AUTH=none)' });
  if (!readOnly(req, res)) return;
  sendJson(req, res, 200, protectedResourceMetadata(entra, ctx.publicUrl), {
    'access-control-allow-origin': '*',
    'cache-control': 'public, max-age=3600',
  });
};

/** Every path the server answers. A new page is one more row. */
export const ROUTES: readonly Route[] = [
  { paths: [HEALTH_PATH], handle: health },
  { paths: [READY_PATH], handle: ready },
  { paths: [METADATA_PATH, `${METADATA_PATH}${MCP_PATH}`], handle: metadata },
  { paths: [MCP_PATH], handle: serveMcp },
];

export function createHandler(ctx: HandlerContext, routes: readonly Route[] = ROUTES): (req: IncomingMessage, res: ServerResponse) => void {
  const byPath = new Map(routes.flatMap((r) => r.paths.map((p) => [p, r.handle] as const)));
  return (req, res) => {
    Promise.resolve()
      .then(async () => {
        // The approval page (src/approval) has paths of its own, with a plan id in them.
        if (await ctx.approval.routes?.(req, res)) return;
        const handle = byPath.get(new URL(req.url ?? '/', 'http://request.invalid').pathname);
        if (!handle) return sendJson(req, res, 404, { error: `not found; the MCP endpoint is ${MCP_PATH}` });
        return handle(req, res, ctx);
      })
      .catch((err: unknown) => {
        ctx.logger.error('http: request failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        if (!res.headersSent) rpcError(req, res, 500, 'Internal error in cloudpc-mcp; see the server log.');
        else res.destroy();
      });
  };
}
