// Routing and handlers for the Graph paths this project uses. Error choices follow what Graph does:
// an unknown path segment is 400 BadRequest "Resource not found for the segment '…'." (not 404), an unknown
// version is 400 "Invalid version", and 404 is reserved for an unknown id.

import { BadRequest, GraphError, empty, json, type RequestContext, type SimResponse } from './http.js';
import {
  buildQuery,
  compareBy,
  decodeSkipToken,
  encodeSkipToken,
  parseFilter,
  parseOrderBy,
  parseSelect,
  parseTop,
  type FilterSchema,
  type PropType,
} from './odata.js';
import { getActionStatusReports, retrieveBulkActionStatusReport } from './reports.js';
import { BULK_ACTION_TYPES, notFound, type Store } from './store.js';

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

type Route = (store: Store, ctx: RequestContext, req: GraphRequestIn, caller: Caller) => SimResponse;
type Caller = 'delegated' | 'app';

const METHOD_NOT_ALLOWED = 'Specified HTTP method is not allowed for the request target.';

// ---------------------------------------------------------------- authentication

const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

export function authenticate(header: string | undefined, auth: AuthConfig): Caller {
  const unauthorized = (message: string) => new GraphError(401, 'InvalidAuthenticationToken', message, { 'www-authenticate': WWW_AUTHENTICATE });
  if (header === undefined || header.trim() === '') throw unauthorized('Access token is empty.');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthorized('Access token is empty.');
  if (m[1] === auth.token) return 'delegated';
  if (auth.appToken !== null && m[1] === auth.appToken) return 'app';
  throw unauthorized('IDX14100: JWT is not well formed, there are no dots (.).');
}

// ---------------------------------------------------------------- routing

const VERSIONS = ['beta', 'v1.0'];

export function routeGraph(store: Store, ctx: RequestContext, req: GraphRequestIn, caller: Caller, pageSize: number): SimResponse {
  let segments: string[];
  try {
    segments = req.path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    throw new BadRequest(`The request URI '${req.path}' is not valid: bad percent-encoding.`);
  }
  const [version, ...rest] = segments;
  if (version === undefined || !VERSIONS.includes(version.toLowerCase())) {
    throw new BadRequest(`Invalid version: ${version ?? ''}`);
  }
  const seg = (i: number) => rest[i];
  const is = (i: number, name: string) => seg(i)?.toLowerCase() === name.toLowerCase();
  const unknownSegment = (i: number) => new BadRequest(`Resource not found for the segment '${seg(i) ?? seg(i - 1) ?? ''}'.`);

  if (rest.length === 0) throw new BadRequest('Resource not found for the segment \'\'.');
  if (!is(0, 'deviceManagement')) throw unknownSegment(0);
  if (rest.length === 1) return methodGate(req, ['GET'], () => json(200, { '@odata.context': `${ctx.baseUrl}/${version}/$metadata#deviceManagement`, id: '00000000-0000-0000-0000-000000000000' }));
  if (!is(1, 'virtualEndpoint')) throw unknownSegment(1);
  if (rest.length === 2) {
    return methodGate(req, ['GET'], () => json(200, { '@odata.context': `${ctx.baseUrl}/${version}/$metadata#deviceManagement/virtualEndpoint`, id: '' }));
  }
  const root = `${ctx.baseUrl}/${version}`;
  const beta = version.toLowerCase() === 'beta';

  // bulkActions and reports exist in beta only.
  if (is(2, 'bulkActions') && beta) {
    if (rest.length === 3) {
      return methodGate(req, ['GET'], () => listBulkActions(store, ctx, req, root, pageSize));
    }
    const id = keyOf(seg(3)!);
    if (rest.length === 4) {
      return methodGate(req, ['GET'], () => {
        noQueryOptionsBut(req, ['$select']);
        const a = store.findAction(id);
        if (!a) throw notFound('cloudPcBulkAction', id);
        const item = store.serializeAction(a);
        const sel = req.query.get('$select');
        const selected = sel === null ? item : selectProps(item, parseSelect(sel, BULK_SELECTABLE, 'microsoft.graph.cloudPcBulkAction'));
        return json(200, { '@odata.context': `${root}/$metadata#deviceManagement/virtualEndpoint/bulkActions/$entity`, ...selected });
      });
    }
    if (rest.length === 5 && is(4, 'retry')) {
      return methodGate(req, ['POST'], () => retry(store, ctx, req, caller, id));
    }
    throw unknownSegment(is(4, 'retry') ? 5 : 4);
  }
  if (is(2, 'cloudPCs')) {
    if (rest.length === 3) return methodGate(req, ['GET'], () => listCloudPcs(store, ctx, req, root, pageSize));
    const id = keyOf(seg(3)!);
    const pc = () => {
      const found = store.findPc(id);
      if (!found) throw notFound('cloudPC', id);
      return found;
    };
    if (rest.length === 4) {
      return methodGate(req, ['GET'], () => {
        noQueryOptionsBut(req, ['$select']);
        const item = store.serializePc(pc());
        const sel = req.query.get('$select');
        const selected = sel === null ? item : selectProps(item, parseSelect(sel, PC_SELECTABLE, 'microsoft.graph.cloudPC'));
        return json(200, { '@odata.context': `${root}/$metadata#deviceManagement/virtualEndpoint/cloudPCs/$entity`, ...selected });
      });
    }
    if (rest.length === 5 && is(4, 'retrieveCloudPcRemoteActionResults') && beta) {
      return methodGate(req, ['GET'], () => {
        noQueryOptionsBut(req, []);
        return json(200, {
          '@odata.context': `${root}/$metadata#Collection(microsoft.graph.cloudPcRemoteActionResult)`,
          value: store.remoteActionResults(pc()),
        });
      });
    }
    throw unknownSegment(is(4, 'retrieveCloudPcRemoteActionResults') && beta ? 5 : 4);
  }
  if (is(2, 'reports') && beta) {
    if (rest.length === 4 && is(3, 'getActionStatusReports')) {
      return methodGate(req, ['POST'], () => report(req, () => getActionStatusReports(store, ctx, req.body)));
    }
    if (rest.length === 4 && is(3, 'retrieveBulkActionStatusReport')) {
      return methodGate(req, ['POST'], () => report(req, () => retrieveBulkActionStatusReport(store, ctx, req.body)));
    }
    throw unknownSegment(rest.length > 4 && (is(3, 'getActionStatusReports') || is(3, 'retrieveBulkActionStatusReport')) ? 4 : 3);
  }
  throw unknownSegment(2);
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

function noQueryOptionsBut(req: GraphRequestIn, allowed: string[]): void {
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
function option(req: GraphRequestIn, name: string): string | null {
  for (const [k, v] of req.query) if (k.toLowerCase() === name.toLowerCase()) return v;
  return null;
}

function requireJson(req: GraphRequestIn): void {
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

// ---------------------------------------------------------------- collections

interface CollectionSpec<T> {
  items: T[];
  schema: FilterSchema<T>;
  selectable: readonly string[];
  sortable: Record<string, PropType> | null;
  defaultOrder: (a: T, b: T) => number;
  serialize: (item: T) => Record<string, unknown>;
  allowCount: boolean;
  contextPath: string;
}

function listCollection<T>(ctx: RequestContext, req: GraphRequestIn, root: string, pageSize: number, spec: CollectionSpec<T>): SimResponse {
  const allowed = ['$top', '$filter', '$select', '$skiptoken'];
  if (spec.sortable) allowed.push('$orderby');
  if (spec.allowCount) allowed.push('$count');
  noQueryOptionsBut(req, allowed);

  let items = spec.items;
  const filter = option(req, '$filter');
  if (filter !== null) items = items.filter(parseFilter(filter, spec.schema));
  const orderby = option(req, '$orderby');
  items = [...items].sort(
    orderby !== null && spec.sortable ? compareBy(parseOrderBy(orderby, spec.sortable, spec.schema.typeName), spec.schema.get) : spec.defaultOrder,
  );

  const countOpt = option(req, '$count');
  if (countOpt !== null && !/^(true|false)$/i.test(countOpt)) throw new BadRequest(`Invalid value '${countOpt}' for $count; use true or false.`);
  const top = option(req, '$top');
  const size = Math.min(top === null ? pageSize : parseTop(top), pageSize);
  const skiptoken = option(req, '$skiptoken');
  const offset = skiptoken === null ? 0 : decodeSkipToken(skiptoken);
  const select = option(req, '$select');
  const selected = select === null ? null : parseSelect(select, spec.selectable, spec.schema.typeName);

  const page = items.slice(offset, offset + size).map((item) => {
    const full = spec.serialize(item);
    return selected === null ? full : selectProps(full, selected);
  });
  const body: Record<string, unknown> = {
    '@odata.context': `${root}/$metadata#${spec.contextPath}${selected ? `(${selected.join(',')})` : ''}`,
  };
  if (countOpt !== null && countOpt.toLowerCase() === 'true') body['@odata.count'] = items.length;
  if (offset + size < items.length) {
    const keep = [...req.query].filter(([k]) => k.toLowerCase() !== '$skiptoken');
    keep.push(['$skiptoken', encodeSkipToken(offset + size)]);
    body['@odata.nextLink'] = `${root}/${spec.contextPath}?${buildQuery(keep)}`;
  }
  body['value'] = page;
  return json(200, body);
}

/** Keeps @odata.type and id (Graph returns both even when not selected) plus the selected properties an item has. */
function selectProps(item: Record<string, unknown>, selected: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('@odata.type' in item) out['@odata.type'] = item['@odata.type'];
  out['id'] = item['id'];
  for (const s of selected) if (s in item) out[s] = item[s];
  return out;
}

function pathGet(item: Record<string, unknown>, prop: string): unknown {
  let v: unknown = item;
  for (const part of prop.split('/')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

// ---------------------------------------------------------------- bulk actions

const BULK_PROPS: Record<string, PropType> = {
  id: 'string',
  displayName: 'string',
  createdDateTime: 'datetime',
  initiatedByUserPrincipalName: 'string',
  scheduledDuringMaintenanceWindow: 'boolean',
  status: { enum: ['pending', 'succeeded', 'failed', 'unknownFutureValue'] },
  'actionSummary/successfulCount': 'int',
  'actionSummary/failedCount': 'int',
  'actionSummary/inProgressCount': 'int',
  'actionSummary/notSupportedCount': 'int',
  'actionSummary/pendingCount': 'int',
};

// Derived-type properties are selectable on the base collection here (Graph would want a type cast); they
// simply appear on the items that have them.
const BULK_SELECTABLE = [
  'id', 'displayName', 'createdDateTime', 'initiatedByUserPrincipalName', 'scheduledDuringMaintenanceWindow', 'cloudPcIds',
  'status', 'actionSummary', 'targetServicePlanId', 'restorePointDateTime', 'timeRange', 'ignoreUnhealthySnapshots',
  'diskEncryptionType', 'storageAccountId', 'accessTier',
];

function listBulkActions(store: Store, ctx: RequestContext, req: GraphRequestIn, root: string, pageSize: number): SimResponse {
  const items = store.tenant.bulkActions.map((a) => store.serializeAction(a));
  return listCollection(ctx, req, root, pageSize, {
    items,
    schema: {
      typeName: 'microsoft.graph.cloudPcBulkAction',
      properties: BULK_PROPS,
      get: pathGet,
      derivedTypes: BULK_ACTION_TYPES,
      typeOf: (item) => String(item['@odata.type'] ?? '').replace(/^#microsoft\.graph\./, ''),
    },
    selectable: BULK_SELECTABLE,
    sortable: { createdDateTime: 'datetime', displayName: 'string', status: 'string' },
    // Without $orderby, creation order (oldest first): ask for createdDateTime desc to get the newest.
    defaultOrder: (a, b) => Date.parse(String(a['createdDateTime'])) - Date.parse(String(b['createdDateTime'])),
    serialize: (item) => item,
    allowCount: false,
    contextPath: 'deviceManagement/virtualEndpoint/bulkActions',
  });
}

function retry(store: Store, ctx: RequestContext, req: GraphRequestIn, caller: Caller, id: string): SimResponse {
  noQueryOptionsBut(req, []);
  // Authorization comes before payload checks, as in Graph.
  if (caller === 'app') {
    throw new GraphError(
      403,
      'Forbidden',
      'Application permissions are not supported for this API. Call it with a delegated token of a signed-in user who has CloudPC.ReadWrite.All.',
    );
  }
  requireJson(req);
  const body = req.body === undefined ? {} : req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequest('The request body must be a JSON object.');
  let ids: string[] | undefined;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === '@odata.type') continue;
    if (key === 'cloudPcIds') {
      if (value === null) continue;
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        throw new BadRequest("Cannot convert the value of the parameter 'cloudPcIds' to the expected type 'Collection(Edm.String)'.");
      }
      ids = value as string[];
      continue;
    }
    throw new BadRequest(`The parameter '${key}' in the request payload is not a valid parameter for the operation 'retry'.`);
  }
  const rerun = store.retry(id, ids, ctx.now);
  const action = store.findAction(id)!;
  store.retries.push({
    at: new Date(ctx.now).toISOString(),
    bulkActionId: action.id,
    cloudPcIds: ids === undefined || ids.length === 0 ? 'allFailed' : [...ids],
    rerunCloudPcIds: rerun,
    requestId: ctx.requestId,
    ...(ctx.clientRequestId !== undefined ? { clientRequestId: ctx.clientRequestId } : {}),
  });
  return empty(202);
}

// ---------------------------------------------------------------- Cloud PCs

const PC_PROPS: Record<string, PropType> = {
  id: 'string',
  displayName: 'string',
  managedDeviceId: 'string',
  managedDeviceName: 'string',
  userPrincipalName: 'string',
  status: {
    enum: [
      'notProvisioned', 'provisioning', 'provisioned', 'inGracePeriod', 'deprovisioning', 'failed', 'provisionedWithWarnings',
      'resizing', 'pendingProvision', 'restoring', 'unknownFutureValue',
    ],
  },
  provisioningPolicyId: 'string',
  provisioningPolicyName: 'string',
  servicePlanId: 'string',
  servicePlanName: 'string',
  aadDeviceId: 'string',
  imageDisplayName: 'string',
  powerState: { enum: ['running', 'poweredOff', 'unknown', 'unknownFutureValue'] },
  productType: { enum: ['enterprise', 'frontline', 'devBox', 'powerAutomate', 'business', 'unknownFutureValue'] },
  lastModifiedDateTime: 'datetime',
};

const PC_SELECTABLE = [
  'id', 'displayName', 'imageDisplayName', 'provisioningPolicyId', 'provisioningPolicyName', 'onPremisesConnectionName', 'servicePlanId',
  'servicePlanName', 'servicePlanType', 'status', 'statusDetail', 'userPrincipalName', 'lastModifiedDateTime', 'managedDeviceId',
  'managedDeviceName', 'aadDeviceId', 'gracePeriodEndDateTime', 'userAccountType', 'osVersion', 'powerState', 'productType',
  'lastRemoteActionResult',
];

function listCloudPcs(store: Store, ctx: RequestContext, req: GraphRequestIn, root: string, pageSize: number): SimResponse {
  const items = store.tenant.cloudPcs.map((p) => store.serializePc(p));
  return listCollection(ctx, req, root, pageSize, {
    items,
    schema: { typeName: 'microsoft.graph.cloudPC', properties: PC_PROPS, get: pathGet },
    selectable: PC_SELECTABLE,
    sortable: null,
    defaultOrder: () => 0,
    serialize: (item) => item,
    allowCount: true,
    contextPath: 'deviceManagement/virtualEndpoint/cloudPCs',
  });
}
