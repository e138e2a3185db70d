// The HTTP request handler of remote mode: health, protected-resource metadata, and /mcp. Stateless: every POST to
// /mcp gets a fresh MCP server and transport (no session id), so any replica can answer any request and no sticky
// sessions are needed; what is worth keeping between requests (the Graph connection pool, each user's Graph token)
// lives outside, shared.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Dispatcher } from 'undici';
import type { Config } from '../../config/config.js';
import { createDeps } from '../../mcp/deps.js';
import { MCP_PATH } from '../../config/http.js';
import type { Logger } from '../../core/log.js';
import { createServer, type ToolCallAudit } from '../../mcp/server.js';
import type { ServerDeps } from '../../tools/context.js';
import { VERSION } from '../../core/version.js';
import type { Caller } from '../../auth/caller.js';
import type { Verdict } from './entraAuth.js';
import type { UserSessions } from '../../auth/obo.js';
import { checkOrigin, type OriginPolicy } from './origin.js';
import { bearerChallenge, METADATA_PATH, protectedResourceMetadata } from './protectedResource.js';
import type { ApprovalMount } from './approvalMount.js';

export const HEALTH_PATH = '/healthz';

export interface HandlerContext {
  config: Config;
  logger: Logger;
  publicUrl: string;
  originPolicy: OriginPolicy;
  dispatcher: Dispatcher;
  audit: (entry: ToolCallAudit, caller: Caller | undefined) => void;
  /** Entra mode: validates the caller's token; each caller then gets their own Graph token provider. */
  entra?: { verify: (authorization: string | undefined) => Promise<Verdict>; sessions: UserSessions };
  /** No-auth (loopback) mode: one set of deps, with the server's own credential, for every request. */
  sharedDeps?: ServerDeps;
  /** True once SIGTERM arrived: new MCP requests are refused, health reports draining. */
  draining(): boolean;
  /** Counts a request in flight until its response is done, so shutdown can wait for it. */
  track(res: ServerResponse): void;
  /** Retry plans of this replica and the approval page's routes (src/approval). */
  approval: ApprovalMount;
}

const CORS_ALLOW_HEADERS = 'authorization, content-type, mcp-protocol-version, mcp-session-id, last-event-id';
const CORS_EXPOSE_HEADERS = 'www-authenticate, mcp-session-id, mcp-protocol-version';

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** A JSON-RPC error without an id: what the MCP transport itself answers for requests it refuses. */
function rpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code: -32000, message }, id: null }, headers);
}

export function createHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  const { config, logger } = ctx;
  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error('http: request failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      if (!res.headersSent) rpcError(res, 500, 'Internal error in cloudpc-mcp; see the server log.');
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://request.invalid').pathname;
    const method = req.method ?? 'GET';

    if (path === HEALTH_PATH) {
      // Probes come from the platform with its own Host (often a bare IP): no Host or auth check here, and nothing secret.
      if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
      const draining = ctx.draining();
      return sendJson(res, draining ? 503 : 200, { status: draining ? 'draining' : 'ok', version: VERSION });
    }

    if (path === METADATA_PATH || path === `${METADATA_PATH}${MCP_PATH}`) {
      if (!ctx.entra || !config.http.entra) return sendJson(res, 404, { error: 'this server does not require sign-in (CLOUDPC_MCP_HTTP_AUTH=none)' });
      if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
      // Public by design (RFC 9728): browser-based clients read it cross-origin before they have a token.
      return sendJson(res, 200, protectedResourceMetadata(config.http.entra, ctx.publicUrl), {
        'access-control-allow-origin': '*',
        'cache-control': 'public, max-age=3600',
      });
    }

    if (await ctx.approval.routes?.(req, res)) return;
    if (path !== MCP_PATH) return sendJson(res, 404, { error: `not found; the MCP endpoint is ${MCP_PATH}` });

    const origin = checkOrigin({ host: req.headers.host, origin: req.headers.origin }, ctx.originPolicy);
    if (!origin.ok) {
      logger.warn('http: refused a request from a foreign origin or host', { origin: req.headers.origin, host: req.headers.host });
      return rpcError(res, 403, origin.message);
    }
    const cors: Record<string, string> =
      typeof req.headers.origin === 'string' ? { 'access-control-allow-origin': req.headers.origin, 'access-control-expose-headers': CORS_EXPOSE_HEADERS, vary: 'origin' } : {};
    if (method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': CORS_ALLOW_HEADERS, 'access-control-max-age': '600' });
      return void res.end();
    }
    if (ctx.draining()) {
      // The platform stops routing here once health says draining; a request that still arrives goes elsewhere.
      return rpcError(res, 503, 'cloudpc-mcp is shutting down; send the request again.', { ...cors, connection: 'close', 'retry-after': '1' });
    }
    // Counted from here, so a request still being authenticated when SIGTERM arrives is waited for too.
    ctx.track(res);
    if (method !== 'POST') {
      // Stateless: no session to resume and no stream for server-initiated messages, so only POST has a meaning.
      return rpcError(res, 405, `${method} is not supported: this server is stateless; send JSON-RPC messages with POST.`, { ...cors, allow: 'POST, OPTIONS' });
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > config.http.maxBodyBytes) {
      return rpcError(res, 413, `Request body of ${declared} bytes is over the limit of ${config.http.maxBodyBytes} (CLOUDPC_MCP_MAX_BODY_BYTES).`, { ...cors, connection: 'close' });
    }

    let caller: Caller | undefined;
    let deps: ServerDeps;
    if (ctx.entra && config.http.entra) {
      const verdict = await ctx.entra.verify(req.headers.authorization);
      if (!verdict.ok) {
        logger.info(`http: ${verdict.status} ${verdict.error ?? 'no token'}: ${verdict.description}`);
        const extra: Record<string, string> =
          verdict.status === 503
            ? { 'retry-after': '5' }
            : { 'www-authenticate': bearerChallenge(config.http.entra, ctx.publicUrl, verdict.error, verdict.description) };
        return rpcError(res, verdict.status, verdict.description, { ...cors, ...extra });
      }
      caller = verdict.caller;
      const session = ctx.entra.sessions.forCaller(caller);
      deps = createDeps({
        config,
        logger,
        tokenProvider: session.tokens,
        bulkActionCache: session.bulkActionCache,
        dispatcher: ctx.dispatcher,
        simulated: false,
        ...ctx.approval.depsFor(caller),
      });
    } else {
      deps = ctx.sharedDeps!;
    }

    for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
    const server = createServer({ deps, audit: (entry) => ctx.audit(entry, caller), statelessClient: true });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, maxRequestBodySize: config.http.maxBodyBytes });
    res.on('close', () => {
      // Closing aborts a call the client walked away from, as MCP cancellation would.
      void transport.close().catch(() => {});
      void server.close().catch(() => {});
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  }
}
