// Routing for the Graph paths this project uses. Error choices follow what Graph does: an unknown path segment is
// 400 BadRequest "Resource not found for the segment '…'." (not 404), an unknown version is 400 "Invalid version",
// and 404 is reserved for an unknown id.

import { batch } from './batchRoute.js';
import { getBulkAction, getCloudPc, listBulkActions, listCloudPcs } from './collections.js';
import type { FaultController } from './faults.js';
import { BadRequest, GraphError, json, type RequestContext, type SimResponse } from './http.js';
import { getActionStatusReports, retrieveBulkActionStatusReport } from './reports.js';
import { retry } from './retryRoute.js';
import { remoteActionResults } from './serialize.js';
import { notFound, type Store } from './store.js';

export interface GraphRequestIn {
  method: string;
  /** Path without query, as sent. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (undefined when empty). Invalid JSON was already answered with 400. */
  body: unknown;
}

export interface AuthConfig {
  token: string;
  /** An app-only token: may read, is refused on retry as Graph refuses application permissions there. */
  appToken: string | null;
}

export type Caller = 'delegated' | 'app';

/** What a route may use besides the request. */
export interface RouteDeps {
  store: Store;
  pageSize: number;
  faults: FaultController;
}

/** One request being routed: the version it named, and the root nextLinks and contexts are built on. */
export interface Routed {
  deps: RouteDeps;
  ctx: RequestContext;
  req: GraphRequestIn;
  caller: Caller;
  root: string;
  rest: string[];
}

const METHOD_NOT_ALLOWED = 'Specified HTTP method is not allowed for the request target.';

// ---------------------------------------------------------------- authentication

const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

export function authenticate(header: string | undefined, auth: AuthConfig): Caller {
  const unauthorized = (message: string) =>
    new GraphError(401, 'InvalidAuthenticationToken', message, { 'www-authenticate': WWW_AUTHENTICATE });
  if (header === undefined || header.trim() === '') throw unauthorized('Access token is empty.');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthorized('Access token is empty.');
  if (m[1] === auth.token) return 'delegated';
  if (auth.appToken !== null && m[1] === auth.appToken) return 'app';
  throw unauthorized('IDX14100: JWT is not well formed, there are no dots (.).');
}

// ---------------------------------------------------------------- routing

const VERSIONS = ['beta', 'v1.0'];

function segmentsOf(path: string): string[] {
  try {
    return path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    throw new BadRequest(`The request URI '${path}' is not valid: bad percent-encoding.`);
  }
}

export function routeGraph(deps: RouteDeps, ctx: RequestContext, req: GraphRequestIn, caller: Caller): SimResponse {
  const [version, ...rest] = segmentsOf(req.path);
  if (version === undefined || !VERSIONS.includes(version.toLowerCase())) {
    throw new BadRequest(`Invalid version: ${version ?? ''}`);
  }
  const r: Routed = { deps, ctx, req, caller, root: `${ctx.baseUrl}/${version}`, rest };
  const is = (i: number, name: string) => rest[i]?.toLowerCase() === name.toLowerCase();
  const beta = version.toLowerCase() === 'beta';

  if (rest.length === 0) throw new BadRequest("Resource not found for the segment ''.");
  if (rest.length === 1 && is(0, '$batch')) return methodGate(req, ['POST'], () => batch(r, version));
  if (!is(0, 'deviceManagement')) throw unknownSegment(rest, 0);
  if (rest.length === 1)
    return methodGate(req, ['GET'], () =>
      json(200, { '@odata.context': `${r.root}/$metadata#deviceManagement`, id: '00000000-0000-0000-0000-000000000000' }),
    );
  if (!is(1, 'virtualEndpoint')) throw unknownSegment(rest, 1);
  if (rest.length === 2)
    return methodGate(req, ['GET'], () => json(200, { '@odata.context': `${r.root}/$metadata#deviceManagement/virtualEndpoint`, id: '' }));
  // bulkActions and reports exist in beta only.
  if (is(2, 'bulkActions') && beta) return routeBulkActions(r);
  if (is(2, 'cloudPCs')) return routeCloudPcs(r, beta);
  if (is(2, 'reports') && beta) return routeReports(r);
  throw unknownSegment(rest, 2);
}

export function unknownSegment(rest: string[], i: number): BadRequest {
  return new BadRequest(`Resource not found for the segment '${rest[i] ?? rest[i - 1] ?? ''}'.`);
}

function routeBulkActions(r: Routed): SimResponse {
  const { rest, req } = r;
  if (rest.length === 3) return methodGate(req, ['GET'], () => listBulkActions(r));
  const id = keyOf(rest[3]!);
  if (rest.length === 4) return methodGate(req, ['GET'], () => getBulkAction(r, id));
  const isRetry = rest[4]?.toLowerCase() === 'retry';
  if (rest.length === 5 && isRetry) return methodGate(req, ['POST'], () => retry(r, id));
  throw unknownSegment(rest, isRetry ? 5 : 4);
}

function routeCloudPcs(r: Routed, beta: boolean): SimResponse {
  const { rest, req, deps } = r;
  if (rest.length === 3) return methodGate(req, ['GET'], () => listCloudPcs(r));
  const id = keyOf(rest[3]!);
  if (rest.length === 4) return methodGate(req, ['GET'], () => getCloudPc(r, id));
  const isHistory = rest[4]?.toLowerCase() === 'retrievecloudpcremoteactionresults' && beta;
  if (rest.length === 5 && isHistory) {
    return methodGate(req, ['GET'], () => {
      noQueryOptionsBut(req, []);
      // The history needs CloudPC.ReadWrite.All; a read-only caller has CloudPC.Read.All only.
      if (deps.store.has('readOnlyPermissions')) throw readOnlyRefusal();
      const pc = deps.store.findPc(id);
      if (!pc) throw notFound('cloudPC', id);
      return json(200, {
        '@odata.context': `${r.root}/$metadata#Collection(microsoft.graph.cloudPcRemoteActionResult)`,
        value: remoteActionResults(deps.store, pc),
      });
    });
  }
  throw unknownSegment(rest, isHistory ? 5 : 4);
}

function routeReports(r: Routed): SimResponse {
  const { rest, req, deps, ctx } = r;
  const is = (i: number, name: string) => rest[i]?.toLowerCase() === name.toLowerCase();
  // A cloud without the reports (US Gov L5, China) knows no such segment; a role without report access gets 403.
  if (deps.store.has('reportMissing')) throw unknownSegment(rest, 2);
  if (deps.store.has('reportForbidden'))
    throw new GraphError(
      403,
      'accessDenied',
      'Access is denied to the requested resource. The caller has no permission to read Cloud PC reports.',
    );
  if (rest.length === 4 && is(3, 'getActionStatusReports')) {
    return methodGate(req, ['POST'], () => report(req, () => getActionStatusReports(deps.store, ctx, req.body)));
  }
  if (rest.length === 4 && is(3, 'retrieveBulkActionStatusReport')) {
    return methodGate(req, ['POST'], () => report(req, () => retrieveBulkActionStatusReport(deps.store, ctx, req.body)));
  }
  throw unknownSegment(rest, rest.length > 4 && (is(3, 'getActionStatusReports') || is(3, 'retrieveBulkActionStatusReport')) ? 4 : 3);
}

export function readOnlyRefusal(): GraphError {
  return new GraphError(
    403,
    'accessDenied',
    'Access is denied to the requested resource. The caller needs CloudPC.ReadWrite.All for this operation.',
  );
}

function methodGate(req: GraphRequestIn, allowed: string[], handler: () => SimResponse): SimResponse {
  // Creating, updating and deleting bulk actions are real Graph operations, but this project never does them.
  if (!allowed.includes(req.method)) throw new GraphError(405, 'BadRequest', METHOD_NOT_ALLOWED, { allow: allowed.join(', ') });
  return handler();
}

/** Keys are GUID-like in practice; anything with characters an id never has is a malformed key, not a miss. */
function keyOf(raw: string): string {
  const key = raw.replace(/^\('?(.*?)'?\)$/, '$1');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(key)) throw new BadRequest(`Invalid key '${raw}': a key must be an identifier such as a GUID.`);
  return key;
}

export function noQueryOptionsBut(req: GraphRequestIn, allowed: string[]): void {
  const seen = new Set<string>();
  for (const key of req.query.keys()) {
    if (!key.startsWith('$')) continue;
    const k = key.toLowerCase();
    if (seen.has(k)) throw new BadRequest(`Query option '${key}' was specified more than once, but it must be specified at most once.`);
    seen.add(k);
    if (!allowed.some((a) => a.toLowerCase() === k)) throw new BadRequest(`Query option '${key}' is not supported for this request.`);
  }
}

/** Case-insensitive lookup of a $-option. */
export function option(req: GraphRequestIn, name: string): string | null {
  for (const [k, v] of req.query) if (k.toLowerCase() === name.toLowerCase()) return v;
  return null;
}

export function requireJson(req: GraphRequestIn): void {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) {
    throw new GraphError(415, 'UnsupportedMediaType', `The request's Content-Type '${type}' is not supported; send application/json.`);
  }
}

function report(req: GraphRequestIn, run: () => SimResponse): SimResponse {
  noQueryOptionsBut(req, []);
  requireJson(req);
  return run();
}
