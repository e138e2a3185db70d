// The embedded Graph simulator: a real HTTP server on loopback that answers the Graph beta paths this project
// uses (bulk actions, retry, Cloud PCs, action status reports), with injectable faults and a control surface.
// Used by --simulate, the demo and the end-to-end tests.

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { routeControl } from './control.js';
import { FaultController, type ActiveFault } from './faults.js';
import { authenticate, routeGraph, type AuthConfig, type GraphRequestIn } from './graph.js';
import {
  GraphError,
  JSON_CONTENT_TYPE,
  defaultErrorFor,
  errorBody,
  errorResponse,
  json,
  type RequestContext,
  type SimResponse,
} from './http.js';
import { Store } from './store.js';
import type { BulkActionRecord, DeviceRun, RecordedRequest, RecordedRetry, Tenant } from './types.js';

export { DEMO_IDS, DEMO_TENANT_DOMAIN, FAILURES, lastNight } from './seed.js';
export { FaultController } from './faults.js';
export type { ActiveFault, FaultMatch, FaultSpec, FiredFault } from './faults.js';
export type { BulkActionRecord, CloudPcRecord, DeviceActionState, DeviceRun, RecordedRequest, RecordedRetry, StatusDetail, Tenant } from './types.js';

export const SIMULATED_TOKEN = 'simulated-token';
export const SIMULATED_APP_TOKEN = 'simulated-app-token';

export interface SimulatorOptions {
  /** Default 0: a random free port. */
  port?: number;
  /** Default '127.0.0.1'. Anything that is not loopback is refused. */
  host?: string;
  /** The only delegated bearer token accepted; default 'simulated-token'. */
  token?: string;
  /**
   * An app-only token (default 'simulated-app-token'; null disables it). It may read, but retry answers 403
   * because Graph does not support application permissions for retry.
   */
  appToken?: string | null;
  /** Default 'demo' (the Contoso tenant); 'empty' has no Cloud PCs and no bulk actions. */
  seed?: 'demo' | 'empty';
  /** How long retried devices stay in progress before they resolve; default 4000 ms of simulator clock. */
  progressMs?: number;
  /** Server-side page size for lists; $top can only make pages smaller. Default 10. */
  pageSize?: number;
  /** Clock in epoch ms; default Date.now. advance() adds to it. */
  now?: () => number;
}

export interface DeviceStateView {
  cloudPcId: string;
  state: DeviceRun['state'];
  detail: DeviceRun['detail'];
  retryCount: number;
  startDateTime: string;
  lastUpdatedDateTime: string;
}

/** Read access to the tenant. Every call first lets the simulator clock resolve due retries. */
export interface SimulatorState {
  /** Bulk actions exactly as GET .../bulkActions/{id} would serialise them. */
  bulkActions(): Record<string, unknown>[];
  bulkAction(id: string): Record<string, unknown> | undefined;
  cloudPcs(): Record<string, unknown>[];
  cloudPc(id: string): Record<string, unknown> | undefined;
  /** Per-device state of one bulk action, or undefined for an unknown id. */
  devices(bulkActionId: string): DeviceStateView[] | undefined;
  /** The live records, for tests that need to arrange unusual state. */
  readonly tenant: Tenant;
}

export interface Simulator {
  /** Graph root, e.g. 'http://127.0.0.1:PORT'; clients append /beta/... */
  url: string;
  token: string;
  appToken: string | null;
  /** Every Graph request received (control-surface calls excluded). Never holds an Authorization value. */
  requests: RecordedRequest[];
  /** Every accepted retry, oldest first. */
  retries: RecordedRetry[];
  faults: FaultController;
  state: SimulatorState;
  /** Current simulator time in epoch ms. */
  now(): number;
  /** Moves the simulator clock forward (on top of the injected clock). */
  advance(ms: number): void;
  /** TCP connections accepted since start, and open now: shows whether a client keeps its connections alive. */
  connections(): { opened: number; open: number };
  /** Re-seeds the tenant and clears requests, retries, faults and fault history. */
  reset(): void;
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/i;
const MAX_BODY = 1024 * 1024;
const MAX_RECORDED = 10_000;

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.test(host)) throw new Error(`The Graph simulator only listens on loopback; refusing host '${host}'.`);
  const baseClock = opts.now ?? Date.now;
  let offset = 0;
  const now = () => baseClock() + offset;
  const auth: AuthConfig = {
    token: opts.token ?? SIMULATED_TOKEN,
    appToken: opts.appToken === undefined ? SIMULATED_APP_TOKEN : opts.appToken,
  };
  if (auth.token === '' || auth.token === auth.appToken) throw new Error('The simulator token must be non-empty and differ from the app token.');
  const pageSize = opts.pageSize ?? 10;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error('pageSize must be a positive integer.');
  const store = new Store(opts.seed ?? 'demo', opts.progressMs ?? 4000, now());
  const faults = new FaultController();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing: Promise<void> | null = null;
  let url = '';

  const reset = () => {
    store.reset(now());
    requests.length = 0;
    faults.clear();
    faults.resetHistory();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A bug in the simulator must not hang the client: answer 500 if nothing was sent yet.
      if (!res.headersSent && !res.destroyed) {
        const ctx: RequestContext = { requestId: randomUUID(), now: now(), baseUrl: url };
        send(res, json(500, errorBody(ctx, 'InternalServerError', `Simulator error: ${(err as Error)?.message ?? String(err)}`)), ctx);
      } else {
        res.destroy();
      }
    });
  });
  let connectionsOpened = 0;
  server.on('connection', (socket) => {
    connectionsOpened++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function send(res: http.ServerResponse, r: SimResponse, ctx: RequestContext, record?: RecordedRequest): void {
    if (res.destroyed || closing) return;
    res.sendDate = false;
    const headers: Record<string, string> = {
      'request-id': ctx.requestId,
      date: new Date(now()).toUTCString(),
      ...(ctx.clientRequestId !== undefined ? { 'client-request-id': ctx.clientRequestId } : {}),
    };
    for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
    headers['content-length'] = String(r.body?.length ?? 0);
    res.writeHead(r.status, headers);
    res.end(r.body);
    if (record) record.status = r.status;
  }

  /** Writes headers promising more bytes than follow, then closes: the client sees a truncated body. */
  function sendTruncated(socket: Socket, r: SimResponse, ctx: RequestContext): void {
    const body = r.body ?? Buffer.alloc(0);
    const lines = [`HTTP/1.1 ${r.status} ${http.STATUS_CODES[r.status] ?? ''}`];
    const headers: Record<string, string> = {
      'request-id': ctx.requestId,
      date: new Date(now()).toUTCString(),
      ...(ctx.clientRequestId !== undefined ? { 'client-request-id': ctx.clientRequestId } : {}),
      ...r.headers,
      'content-length': String(body.length + 256),
      connection: 'close',
    };
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.end(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body.subarray(0, Math.floor(body.length / 2))]));
  }

  function faultResponse(f: ActiveFault & { spec: { kind: 'status' } }, ctx: RequestContext): SimResponse {
    const spec = f.spec;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = v;
    let body: Buffer | undefined;
    if (spec.body === undefined) {
      if (spec.status >= 400) {
        const [code, message] = defaultErrorFor(spec.status);
        body = Buffer.from(JSON.stringify(errorBody(ctx, code, message)), 'utf8');
        headers['content-type'] ??= JSON_CONTENT_TYPE;
      }
    } else if (typeof spec.body === 'string') {
      body = Buffer.from(spec.body, 'utf8');
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      body = Buffer.from(JSON.stringify(spec.body), 'utf8');
      headers['content-type'] ??= JSON_CONTENT_TYPE;
    }
    return { status: spec.status, headers, body };
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

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const parsedUrl = new URL(req.url ?? '/', 'http://simulator.invalid');
    const path = parsedUrl.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const clientRequestId = header('client-request-id');
    const ctx: RequestContext = { requestId: randomUUID(), now: now(), baseUrl: url, ...(clientRequestId !== undefined ? { clientRequestId } : {}) };

    if (raw === 'tooLarge') {
      send(res, json(413, errorBody(ctx, 'RequestEntityTooLarge', 'The request body is too large.')), ctx);
      return;
    }
    const text = raw.toString('utf8');
    const contentType = header('content-type');
    let body: unknown;
    let invalidJson = false;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
        invalidJson = /json/i.test(contentType ?? '');
      }
    }

    if (path === '/_simulator' || path.startsWith('/_simulator/')) {
      try {
        if (invalidJson) throw new GraphError(400, 'BadRequest', 'Invalid JSON body.');
        send(res, routeControl({ store, faults, requests, reset, advance, now, url }, method, path, body), ctx);
      } catch (err) {
        send(res, errorResponse(ctx, asGraphError(err)), ctx);
      }
      return;
    }

    const query: Record<string, string> = {};
    for (const [k, v] of parsedUrl.searchParams) if (!(k in query)) query[k] = v;
    const recordedHeaders: RecordedRequest['headers'] = {};
    for (const name of ['client-request-id', 'content-type', 'prefer', 'consistencylevel'] as const) {
      const v = header(name);
      if (v !== undefined) recordedHeaders[name] = v;
    }
    const record: RecordedRequest = {
      at: new Date(ctx.now).toISOString(),
      method,
      path,
      query,
      body,
      headers: recordedHeaders,
      hasAuthorization: header('authorization') !== undefined,
      requestId: ctx.requestId,
    };
    requests.push(record);
    // A long --simulate session must not grow without bound; tests never come near this.
    if (requests.length > MAX_RECORDED) requests.splice(0, requests.length - MAX_RECORDED);

    const graphReq: GraphRequestIn = { method, path, query: parsedUrl.searchParams, headers: req.headers, body };
    const produce = (): SimResponse => {
      ctx.now = now();
      store.advance(ctx.now);
      try {
        const caller = authenticate(header('authorization'), auth);
        if (invalidJson) {
          throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
        }
        return routeGraph(store, ctx, graphReq, caller, pageSize);
      } catch (err) {
        return errorResponse(ctx, asGraphError(err));
      }
    };

    const fault = faults.take(method, path);
    if (!fault) {
      send(res, produce(), ctx, record);
      return;
    }
    record.fault = fault.spec.kind;
    const spec = fault.spec;
    switch (spec.kind) {
      case 'status':
        send(res, faultResponse(fault as ActiveFault & { spec: typeof spec }, ctx), ctx, record);
        return;
      case 'reset':
        if (spec.applyFirst) produce();
        // RST rather than FIN, so the client sees ECONNRESET as after a dropped connection.
        if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
        else req.socket.destroy();
        return;
      case 'delay': {
        const early = spec.applyFirst ? produce() : undefined;
        await sleep(spec.ms);
        send(res, early ?? produce(), ctx, record);
        return;
      }
      case 'stall':
        // Never answered; close() destroys the socket.
        if (spec.applyFirst) produce();
        req.socket.once('close', () => {
          if (!closing) record.closedByClient = true;
        });
        return;
      case 'truncate': {
        const r = spec.applyFirst
          ? produce()
          : json(200, { '@odata.context': `${url}/beta/$metadata#deviceManagement/virtualEndpoint/bulkActions`, value: [{ id: ctx.requestId }] });
        record.status = r.status;
        sendTruncated(req.socket, r, ctx);
        return;
      }
    }
  }

  function advance(ms: number): void {
    if (!(ms >= 0)) throw new Error('advance(ms) needs a non-negative number.');
    offset += ms;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  url = `http://${addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;

  const devices = (id: string): DeviceStateView[] | undefined => {
    store.advance(now());
    const a: BulkActionRecord | undefined = store.findAction(id);
    return a?.runs.map((r) => ({
      cloudPcId: r.cloudPcId,
      state: r.state,
      detail: r.detail,
      retryCount: r.retryCount,
      startDateTime: new Date(r.startDateTime).toISOString(),
      lastUpdatedDateTime: new Date(r.lastUpdatedDateTime).toISOString(),
    }));
  };

  const state: SimulatorState = {
    bulkActions: () => {
      store.advance(now());
      return store.tenant.bulkActions.map((a) => store.serializeAction(a));
    },
    bulkAction: (id) => {
      store.advance(now());
      const a = store.findAction(id);
      return a ? store.serializeAction(a) : undefined;
    },
    cloudPcs: () => {
      store.advance(now());
      return store.tenant.cloudPcs.map((p) => store.serializePc(p));
    },
    cloudPc: (id) => {
      store.advance(now());
      const p = store.findPc(id);
      return p ? store.serializePc(p) : undefined;
    },
    devices,
    get tenant() {
      return store.tenant;
    },
  };

  return {
    url,
    token: auth.token,
    appToken: auth.appToken,
    requests,
    retries: store.retries,
    faults,
    state,
    now,
    advance,
    reset,
    connections: () => ({ opened: connectionsOpened, open: sockets.size }),
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

function asGraphError(err: unknown): GraphError {
  if (err instanceof GraphError) return err;
  return new GraphError(500, 'InternalServerError', `Simulator error: ${(err as Error)?.message ?? String(err)}`);
}
