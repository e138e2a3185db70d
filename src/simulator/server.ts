// The simulator's HTTP plumbing: reads a request, answers the control surface or a Graph route, and lets a queued
// fault delay, reset, stall, truncate or replace the answer.

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';

import { routeControl, type ControlDeps } from './control.js';
import { statusFaultResponse, type FaultController, type FaultSpec } from './faults.js';
import { authenticate, routeGraph, type AuthConfig, type GraphRequestIn } from './graph.js';
import { GraphError, errorBody, errorResponse, json, type RequestContext, type SimResponse } from './http.js';
import type { Store } from './store.js';
import type { RecordedRequest } from './types.js';

const MAX_BODY = 1024 * 1024;
const MAX_RECORDED = 10_000;
const RECORDED_HEADERS = ['client-request-id', 'content-type', 'accept', 'prefer', 'consistencylevel'] as const;

export interface ServerDeps {
  store: Store;
  faults: FaultController;
  requests: RecordedRequest[];
  auth: AuthConfig;
  pageSize: number;
  now(): number;
  url(): string;
  closing(): boolean;
  /** Abortable-by-close sleep for delay faults. */
  sleep(ms: number): Promise<void>;
  control: Omit<ControlDeps, 'store' | 'faults' | 'requests' | 'url'>;
}

/** Graph requests arrived and not yet answered (or dropped). */
interface OpenGraphRequests {
  count: number;
}

interface Incoming {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  ctx: RequestContext;
  header(name: string): string | undefined;
}

export function asGraphError(err: unknown): GraphError {
  if (err instanceof GraphError) return err;
  return new GraphError(500, 'InternalServerError', `Simulator error: ${(err as Error)?.message ?? String(err)}`);
}

export function createSimServer(deps: ServerDeps): http.Server {
  const open: OpenGraphRequests = { count: 0 };
  return http.createServer((req, res) => {
    handle(deps, req, res, open).catch((err: unknown) => {
      // A bug in the simulator must not hang the client: answer 500 if nothing was sent yet.
      if (!res.headersSent && !res.destroyed) {
        const ctx: RequestContext = { requestId: randomUUID(), now: deps.now(), baseUrl: deps.url() };
        sendResponse(
          deps,
          res,
          json(500, errorBody(ctx, 'InternalServerError', `Simulator error: ${(err as Error)?.message ?? String(err)}`)),
          ctx,
        );
      } else {
        res.destroy();
      }
    });
  });
}

function baseHeaders(deps: ServerDeps, ctx: RequestContext): Record<string, string> {
  return {
    'request-id': ctx.requestId,
    date: new Date(deps.now()).toUTCString(),
    ...(ctx.clientRequestId !== undefined ? { 'client-request-id': ctx.clientRequestId } : {}),
  };
}

function sendResponse(deps: ServerDeps, res: http.ServerResponse, r: SimResponse, ctx: RequestContext, record?: RecordedRequest): void {
  if (res.destroyed || deps.closing()) return;
  res.sendDate = false;
  const headers = baseHeaders(deps, ctx);
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  headers['content-length'] = String(r.body?.length ?? 0);
  res.writeHead(r.status, headers);
  res.end(r.body);
  if (record) record.status = r.status;
}

/** Writes headers promising more bytes than follow, then closes: the client sees a truncated body. */
function sendTruncated(deps: ServerDeps, socket: Socket, r: SimResponse, ctx: RequestContext): void {
  const body = r.body ?? Buffer.alloc(0);
  const lines = [`HTTP/1.1 ${r.status} ${http.STATUS_CODES[r.status] ?? ''}`];
  const headers: Record<string, string> = {
    ...baseHeaders(deps, ctx),
    ...r.headers,
    'content-length': String(body.length + 256),
    connection: 'close',
  };
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body.subarray(0, Math.floor(body.length / 2))]));
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | 'tooLarge'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return 'tooLarge';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer, contentType: string | undefined): { body: unknown; invalidJson: boolean } {
  const text = raw.toString('utf8');
  if (text.length === 0) return { body: undefined, invalidJson: false };
  try {
    return { body: JSON.parse(text), invalidJson: false };
  } catch {
    return { body: text, invalidJson: /json/i.test(contentType ?? '') };
  }
}

async function handle(deps: ServerDeps, req: http.IncomingMessage, res: http.ServerResponse, open: OpenGraphRequests): Promise<void> {
  const raw = await readBody(req);
  const parsedUrl = new URL(req.url ?? '/', 'http://simulator.invalid');
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const clientRequestId = header('client-request-id');
  const ctx: RequestContext = {
    requestId: randomUUID(),
    now: deps.now(),
    baseUrl: deps.url(),
    ...(clientRequestId !== undefined ? { clientRequestId } : {}),
  };
  const incoming: Incoming = { req, res, ctx, header };
  if (raw === 'tooLarge') {
    sendResponse(deps, res, json(413, errorBody(ctx, 'RequestEntityTooLarge', 'The request body is too large.')), ctx);
    return;
  }
  const { body, invalidJson } = parseBody(raw, header('content-type'));
  const path = parsedUrl.pathname;
  const method = (req.method ?? 'GET').toUpperCase();
  if (path === '/_simulator' || path.startsWith('/_simulator/')) {
    try {
      if (invalidJson) throw new GraphError(400, 'BadRequest', 'Invalid JSON body.');
      const control: ControlDeps = { ...deps.control, store: deps.store, faults: deps.faults, requests: deps.requests, url: deps.url() };
      sendResponse(deps, res, routeControl(control, method, path, body), ctx);
    } catch (err) {
      sendResponse(deps, res, errorResponse(ctx, asGraphError(err)), ctx);
    }
    return;
  }
  const graphReq: GraphRequestIn = { method, path, query: parsedUrl.searchParams, headers: req.headers, body };
  const record = recordOf(deps, incoming, graphReq);
  // Recorded so a reader of the log (`npm run bench`) can tell which requests a client sent in parallel.
  record.othersInFlight = open.count++;
  res.once('close', () => open.count--);
  await answerGraph(deps, incoming, graphReq, record, invalidJson);
}

function recordOf(deps: ServerDeps, inc: Incoming, g: GraphRequestIn): RecordedRequest {
  const query: Record<string, string> = {};
  for (const [k, v] of g.query) if (!(k in query)) query[k] = v;
  const headers: RecordedRequest['headers'] = {};
  for (const name of RECORDED_HEADERS) {
    const v = inc.header(name);
    if (v !== undefined) headers[name] = v;
  }
  const record: RecordedRequest = {
    at: new Date(inc.ctx.now).toISOString(),
    method: g.method,
    path: g.path,
    query,
    body: g.body,
    headers,
    hasAuthorization: inc.header('authorization') !== undefined,
    requestId: inc.ctx.requestId,
  };
  deps.requests.push(record);
  // A long --simulate session must not grow without bound; tests never come near this.
  if (deps.requests.length > MAX_RECORDED) deps.requests.splice(0, deps.requests.length - MAX_RECORDED);
  return record;
}

async function answerGraph(
  deps: ServerDeps,
  inc: Incoming,
  g: GraphRequestIn,
  record: RecordedRequest,
  invalidJson: boolean,
): Promise<void> {
  const produce = (): SimResponse => produceGraph(deps, inc, g, record, invalidJson);
  const fault = deps.faults.take(g.method, g.path);
  if (!fault) {
    sendResponse(deps, inc.res, produce(), inc.ctx, record);
    return;
  }
  record.fault = fault.spec.kind;
  await answerWithFault(deps, inc, fault.spec, record, produce);
}

/** Reads the clock each time it runs, so an answer produced after a delay fault shows the store as it is by then. */
function produceGraph(deps: ServerDeps, inc: Incoming, g: GraphRequestIn, record: RecordedRequest, invalidJson: boolean): SimResponse {
  const { ctx } = inc;
  ctx.now = deps.now();
  deps.store.advance(ctx.now);
  try {
    const caller = authenticate(inc.header('authorization'), deps.auth);
    if (invalidJson) {
      throw new GraphError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
    }
    if (/\/\$batch$/i.test(g.path)) ctx.parts = record.parts = [];
    return routeGraph({ store: deps.store, pageSize: deps.pageSize, faults: deps.faults }, ctx, g, caller);
  } catch (err) {
    return errorResponse(ctx, asGraphError(err));
  }
}

/** With applyFirst the request takes effect in the store even though the client never sees the answer. */
async function answerWithFault(
  deps: ServerDeps,
  inc: Incoming,
  spec: FaultSpec,
  record: RecordedRequest,
  produce: () => SimResponse,
): Promise<void> {
  const { req, res, ctx } = inc;
  switch (spec.kind) {
    case 'status':
      sendResponse(deps, res, statusFaultResponse(spec, ctx), ctx, record);
      return;
    case 'reset':
      if (spec.applyFirst) produce();
      // RST rather than FIN, so the client sees ECONNRESET as after a dropped connection.
      if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
      else req.socket.destroy();
      return;
    case 'delay': {
      const early = spec.applyFirst ? produce() : undefined;
      await deps.sleep(spec.ms);
      sendResponse(deps, res, early ?? produce(), ctx, record);
      return;
    }
    case 'stall':
      // Never answered; close() destroys the socket.
      if (spec.applyFirst) produce();
      req.socket.once('close', () => {
        if (!deps.closing()) record.closedByClient = true;
      });
      return;
    case 'truncate': {
      const r = spec.applyFirst
        ? produce()
        : json(200, {
            '@odata.context': `${deps.url()}/beta/$metadata#deviceManagement/virtualEndpoint/bulkActions`,
            value: [{ id: ctx.requestId }],
          });
      record.status = r.status;
      sendTruncated(deps, req.socket, r, ctx);
      return;
    }
  }
}
