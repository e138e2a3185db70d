// POST /mcp, step by step: admit (origin, method, size), authenticate (Entra token or the loopback server's own
// credential), receive (read and check the one JSON-RPC message), charge (the caller's rate budget, for tools/call),
// then hand the parsed message to a fresh stateless MCP server. Each refusal says what was wrong and how to fix it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { headerForLog } from '../../core/log.js';
import { createDeps } from '../../mcp/deps.js';
import { createServer } from '../../mcp/server.js';
import type { ServerDeps } from '../../tools/context.js';
import { ALL_TOOLS } from '../../tools/index.js';
import type { Caller } from '../../auth/credentials/obo.js';
import type { HandlerContext, RouteHandler } from './context.js';
import type { Verdict } from './entraAuth.js';
import { checkMessage, isJsonContentType, readBody, type MessageCheck } from './message.js';
import { checkOrigin } from './origin.js';
import { bearerChallenge } from './protectedResource.js';
import { rpcError, type HeaderMap } from './reply.js';

const CORS_ALLOW_HEADERS = 'authorization, content-type, mcp-protocol-version, mcp-session-id, last-event-id';
const CORS_EXPOSE_HEADERS = 'www-authenticate, mcp-session-id, mcp-protocol-version, retry-after';

/** Who is calling: the deps their tools run with, and the key of their rate budget. */
interface Who {
  caller?: Caller;
  deps: ServerDeps;
  budget: string;
}

type Accepted = Extract<MessageCheck, { ok: true }>;

export const serveMcp: RouteHandler = async (req, res, ctx) => {
  const cors = admit(req, res, ctx);
  if (!cors) return;
  const who = await authenticate(req, res, ctx, cors);
  if (!who) return;
  const accepted = await receive(req, res, ctx, cors);
  if (!accepted || !(await charge(req, res, ctx, who, accepted, cors))) return;

  for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
  const server = createServer({ deps: who.deps, audit: (entry) => ctx.audit(entry, who.caller), statelessClient: true });
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, maxRequestBodySize: ctx.config.http.maxBodyBytes });
  res.on('close', () => {
    // Closing aborts a call the client walked away from, as MCP cancellation would.
    void transport.close().catch(() => {});
    void server.close().catch(() => {});
  });
  await server.connect(transport);
  // The body is already read and checked (deadline, size, no batch, tools/call params): the SDK takes the message.
  await transport.handleRequest(req, res, accepted.message);
};

/** Origin, preflight, shutdown, method and declared size; returns the CORS headers for the answer, or answers itself. */
function admit(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext): HeaderMap | undefined {
  const origin = checkOrigin({ host: req.headers.host, origin: req.headers.origin }, ctx.originPolicy);
  if (!origin.ok) {
    ctx.logger.warn('http: refused a request from a foreign origin or host', {
      origin: headerForLog(req.headers.origin),
      host: headerForLog(req.headers.host),
    });
    rpcError(req, res, 403, origin.message);
    return undefined;
  }
  const cors: HeaderMap =
    typeof req.headers.origin === 'string'
      ? { 'access-control-allow-origin': req.headers.origin, 'access-control-expose-headers': CORS_EXPOSE_HEADERS, vary: 'origin' }
      : {};
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    res.writeHead(204, {
      ...cors,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': CORS_ALLOW_HEADERS,
      'access-control-max-age': '600',
    });
    res.end();
    return undefined;
  }
  if (ctx.draining()) {
    // The platform stops routing here once health says draining; a request that still arrives goes elsewhere.
    rpcError(req, res, 503, 'cloudpc-mcp is shutting down; send the request again.', { ...cors, connection: 'close', 'retry-after': '1' });
    return undefined;
  }
  // Counted from here, so a request still being authenticated when SIGTERM arrives is waited for too.
  ctx.track(res);
  if (method !== 'POST') {
    // Stateless: no session to resume and no stream for server-initiated messages, so only POST has a meaning.
    rpcError(req, res, 405, `${method} is not supported: this server is stateless; send JSON-RPC messages with POST.`, {
      ...cors,
      allow: 'POST, OPTIONS',
    });
    return undefined;
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > ctx.config.http.maxBodyBytes) {
    rpcError(req, res, 413, tooLarge(ctx, `of ${declared} bytes `), cors);
    return undefined;
  }
  return cors;
}

const tooLarge = (ctx: HandlerContext, size = ''): string =>
  `Request body ${size}is over the limit of ${ctx.config.http.maxBodyBytes} bytes (CLOUDPC_MCP_MAX_BODY_BYTES).`;

async function authenticate(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext, cors: HeaderMap): Promise<Who | undefined> {
  const entra = ctx.entra;
  if (!entra || !ctx.config.http.entra) return { deps: ctx.sharedDeps!, budget: 'local' };
  const verdict = await entra.verify(req.headers.authorization);
  if (!verdict.ok) {
    ctx.logger.info(
      `http: ${verdict.status} ${verdict.error ?? (verdict.status === 403 ? 'client app not allowed' : 'no token')}: ${verdict.description}`,
    );
    rpcError(req, res, verdict.status, verdict.description, { ...cors, ...refusalHeaders(verdict, ctx) });
    return undefined;
  }
  const { caller } = verdict;
  const session = entra.sessions.forCaller(caller);
  const deps = createDeps({
    config: ctx.config,
    logger: ctx.logger,
    tokenProvider: session.tokens,
    bulkActionCache: session.bulkActionCache,
    dispatcher: ctx.dispatcher,
    simulated: false,
    ...ctx.approval.depsFor(caller),
  });
  return { caller, deps, budget: `${caller.tid.toLowerCase()}/${caller.oid.toLowerCase()}` };
}

function refusalHeaders(verdict: Extract<Verdict, { ok: false }>, ctx: HandlerContext): HeaderMap {
  if (verdict.status === 503) return { 'retry-after': '5' };
  // A client application this server does not accept: a challenge would only send the client to sign in again.
  if (verdict.status === 403 && !verdict.error) return {};
  return { 'www-authenticate': bearerChallenge(ctx.config.http.entra!, ctx.publicUrl, verdict.error, verdict.description) };
}

/** Reads the body (within the size cap; the server's body deadline bounds the time) and checks the message. */
async function receive(req: IncomingMessage, res: ServerResponse, ctx: HandlerContext, cors: HeaderMap): Promise<Accepted | undefined> {
  if (!isJsonContentType(req.headers['content-type'])) {
    rpcError(req, res, 415, 'Unsupported Media Type: Content-Type must be application/json.', cors);
    return undefined;
  }
  const body = await readBody(req, ctx.config.http.maxBodyBytes);
  if (!body.ok) {
    // 'aborted': the connection is gone (client left, or the body deadline closed it), so there is no one to answer.
    if (body.why === 'too-large') rpcError(req, res, 413, tooLarge(ctx), cors);
    return undefined;
  }
  const check = checkMessage(body.text);
  if (check.ok) return check;
  rpcError(req, res, check.status, check.message, cors, { code: check.code, id: check.id });
  return undefined;
}

/** A tool that can change something (kind write); unknown names are refused later by the MCP server itself. */
function sends(tool: string): boolean {
  return ALL_TOOLS.find((t) => t.name === tool)?.kind !== 'read';
}

const calls = (n: number): string => `${n} tool call${n === 1 ? '' : 's'}`;

/**
 * A tools/call spends one token of the caller's budget; without one it is refused with 429 and audited as refused.
 * When the store cannot be asked: a tool that sends is refused (fail closed), a read goes on (fail open).
 */
async function charge(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: HandlerContext,
  who: Who,
  accepted: Accepted,
  cors: HeaderMap,
): Promise<boolean> {
  if (!accepted.toolCall) return true;
  const charged = await ctx.limiter.take(who.budget);
  const id = (accepted.message as { id: string | number }).id;
  if (charged.ok === 'unknown') {
    if (!sends(accepted.toolCall.name)) return true;
    ctx.audit({ tool: accepted.toolCall.name, arguments: accepted.toolCall.arguments, error: charged.error }, who.caller);
    rpcError(req, res, 503, charged.error.message, { ...cors, 'retry-after': '5' }, { id });
    return false;
  }
  if (charged.ok) return true;
  const { rateLimitPerMinute, rateLimitBurst } = ctx.config.http.limits;
  const message =
    `Rate limit: each caller may make ${calls(rateLimitPerMinute)} a minute (${rateLimitBurst} at once), so one agent cannot use up the tenant's Graph budget; ` +
    `try again in ${charged.retryAfterS} s. The server's admin sets the limit (CLOUDPC_MCP_RATE_LIMIT_PER_MINUTE, CLOUDPC_MCP_RATE_LIMIT_BURST).`;
  ctx.audit({ tool: accepted.toolCall.name, arguments: accepted.toolCall.arguments, error: new Error(message) }, who.caller);
  rpcError(req, res, 429, message, { ...cors, 'retry-after': String(charged.retryAfterS) }, { id });
  return false;
}
