// The bulk action and Cloud PC collections and their entities, with OData paging, and each variant's shape.

import { noQueryOptionsBut, option, type GraphRequestIn, type Routed } from './graph.js';
import { BadRequest, json, type SimResponse } from './http.js';
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
} from './odata/odata.js';
import type { Beta } from './types.js';
import { CLOUD_PC_STATUSES_UP_TO_SENTINEL } from '../core/cloudPcStatuses.js';
import { prefersUnknownEnums, serializeAction, serializePc, STATUSES_AFTER_SENTINEL } from './serialize.js';
import { BULK_ACTION_TYPES, notFound } from './store.js';

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

/** One page of a collection, with an absolute nextLink that keeps the query (off the root with offRootNextLink). */
function listCollection<T>(r: Routed, spec: CollectionSpec<T>): SimResponse {
  const { req } = r;
  const allowed = ['$top', '$filter', '$select', '$skiptoken'];
  if (spec.sortable) allowed.push('$orderby');
  if (spec.allowCount) allowed.push('$count');
  noQueryOptionsBut(req, allowed);

  let items = spec.items;
  const filter = option(req, '$filter');
  if (filter !== null) items = items.filter(parseFilter(filter, spec.schema));
  const orderby = option(req, '$orderby');
  items = [...items].sort(
    orderby !== null && spec.sortable
      ? compareBy(parseOrderBy(orderby, spec.sortable, spec.schema.typeName), spec.schema.get)
      : spec.defaultOrder,
  );

  const countOpt = option(req, '$count');
  if (countOpt !== null && !/^(true|false)$/i.test(countOpt))
    throw new BadRequest(`Invalid value '${countOpt}' for $count; use true or false.`);
  const top = option(req, '$top');
  const size = Math.min(top === null ? r.deps.pageSize : parseTop(top), r.deps.pageSize);
  const skiptoken = option(req, '$skiptoken');
  const offset = skiptoken === null ? 0 : decodeSkipToken(skiptoken);
  const select = option(req, '$select');
  const selected = select === null ? null : parseSelect(select, spec.selectable, spec.schema.typeName);

  const page = items.slice(offset, offset + size).map((item) => {
    const full = spec.serialize(item);
    return selected === null ? full : selectProps(full, selected);
  });
  const body: Record<string, unknown> = {
    '@odata.context': `${r.root}/$metadata#${spec.contextPath}${selected ? `(${selected.join(',')})` : ''}`,
  };
  if (countOpt !== null && countOpt.toLowerCase() === 'true') body['@odata.count'] = items.length;
  if (offset + size < items.length) {
    const keep = [...req.query].filter(([k]) => k.toLowerCase() !== '$skiptoken');
    keep.push(['$skiptoken', encodeSkipToken(offset + size)]);
    // A reference example's nextLink points at a non-production path: outside the Graph root.
    const base = r.deps.store.has('offRootNextLink') ? `${r.ctx.baseUrl}/testppebeta` : r.root;
    body['@odata.nextLink'] = `${base}/${spec.contextPath}?${buildQuery(keep)}`;
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

/** A single entity: flat, or wrapped in "value" (variant wrappedEntities), as reference examples differ. */
function entity(r: Routed, context: string, item: Record<string, unknown>, selectable: readonly string[], typeName: string): SimResponse {
  noQueryOptionsBut(r.req, ['$select']);
  const sel = option(r.req, '$select');
  const selected = sel === null ? item : selectProps(item, parseSelect(sel, selectable, typeName));
  const odataContext = `${r.root}/$metadata#${context}/$entity`;
  return json(
    200,
    r.deps.store.has('wrappedEntities')
      ? { '@odata.context': odataContext, value: selected }
      : { '@odata.context': odataContext, ...selected },
  );
}

// ---------------------------------------------------------------- bulk actions

const BULK_PROPS: Record<string, PropType> = {
  id: 'string',
  displayName: 'string',
  createdDateTime: 'datetime',
  initiatedByUserPrincipalName: 'string',
  scheduledDuringMaintenanceWindow: 'boolean',
  status: { enum: ['pending', 'succeeded', 'failed', 'unknownFutureValue'] satisfies Beta.CloudPcBulkActionStatus[] },
  'actionSummary/successfulCount': 'int',
  'actionSummary/failedCount': 'int',
  'actionSummary/inProgressCount': 'int',
  'actionSummary/notSupportedCount': 'int',
  'actionSummary/pendingCount': 'int',
};

// Derived-type properties are selectable on the base collection here (Graph would want a type cast); they
// simply appear on the items that have them.
const BULK_SELECTABLE = [
  'id',
  'displayName',
  'createdDateTime',
  'initiatedByUserPrincipalName',
  'scheduledDuringMaintenanceWindow',
  'cloudPcIds',
  'status',
  'actionSummary',
  'targetServicePlanId',
  'restorePointDateTime',
  'timeRange',
  'ignoreUnhealthySnapshots',
  'diskEncryptionType',
  'storageAccountId',
  'accessTier',
];

export function listBulkActions(r: Routed): SimResponse {
  const store = r.deps.store;
  if (store.has('unsupportedQuery')) {
    for (const name of ['$filter', '$orderby']) {
      if (option(r.req, name) !== null) throw new BadRequest(`Query option '${name}' is not supported for the resource 'bulkActions'.`);
    }
  }
  // Filters and sorts see the full item (as Graph's service does); only the answer may be thin.
  const items = store.tenant.bulkActions.map((a) => ({ full: serializeAction(store, a), record: a }));
  // A service that ignores $orderby says nothing: it answers in its own order (here oldest first).
  const query = new URLSearchParams([...r.req.query].filter(([k]) => !(store.has('orderbyIgnored') && k.toLowerCase() === '$orderby')));
  return listCollection(
    { ...r, req: { ...r.req, query } },
    {
      items,
      schema: {
        typeName: 'microsoft.graph.cloudPcBulkAction',
        properties: BULK_PROPS,
        get: (item, prop) => pathGet(item.full, prop),
        derivedTypes: BULK_ACTION_TYPES,
        typeOf: (item) =>
          (typeof item.full['@odata.type'] === 'string' ? item.full['@odata.type'] : '').replace(/^#microsoft\.graph\./, ''),
      },
      selectable: BULK_SELECTABLE,
      sortable: { createdDateTime: 'datetime', displayName: 'string', status: 'string' },
      // Without $orderby, creation order (oldest first): ask for createdDateTime desc to get the newest.
      defaultOrder: (a, b) => a.record.createdDateTime - b.record.createdDateTime,
      serialize: (item) => (store.has('thinListItems') ? serializeAction(store, item.record, { thin: true }) : item.full),
      allowCount: false,
      contextPath: 'deviceManagement/virtualEndpoint/bulkActions',
    },
  );
}

export function getBulkAction(r: Routed, id: string): SimResponse {
  const a = r.deps.store.findAction(id);
  if (!a) throw notFound('cloudPcBulkAction', id);
  return entity(
    r,
    'deviceManagement/virtualEndpoint/bulkActions',
    serializeAction(r.deps.store, a),
    BULK_SELECTABLE,
    'microsoft.graph.cloudPcBulkAction',
  );
}

// ---------------------------------------------------------------- Cloud PCs

function pcProps(prefer: boolean): Record<string, PropType> {
  return {
    id: 'string',
    displayName: 'string',
    managedDeviceId: 'string',
    managedDeviceName: 'string',
    userPrincipalName: 'string',
    status: { enum: prefer ? [...CLOUD_PC_STATUSES_UP_TO_SENTINEL, ...STATUSES_AFTER_SENTINEL] : CLOUD_PC_STATUSES_UP_TO_SENTINEL },
    provisioningPolicyId: 'string',
    provisioningPolicyName: 'string',
    servicePlanId: 'string',
    servicePlanName: 'string',
    aadDeviceId: 'string',
    imageDisplayName: 'string',
    powerState: { enum: ['running', 'poweredOff', 'unknownFutureValue'] satisfies Beta.CloudPcPowerState[] },
    productType: {
      enum: ['enterprise', 'frontline', 'devBox', 'powerAutomate', 'business', 'unknownFutureValue'] satisfies Beta.CloudPcProductType[],
    },
    lastModifiedDateTime: 'datetime',
  };
}

const PC_SELECTABLE = [
  'id',
  'displayName',
  'imageDisplayName',
  'provisioningPolicyId',
  'provisioningPolicyName',
  'onPremisesConnectionName',
  'servicePlanId',
  'servicePlanName',
  'servicePlanType',
  'status',
  'statusDetail',
  'statusDetails',
  'userPrincipalName',
  'lastModifiedDateTime',
  'managedDeviceId',
  'managedDeviceName',
  'aadDeviceId',
  'gracePeriodEndDateTime',
  'userAccountType',
  'osVersion',
  'powerState',
  'productType',
  'lastRemoteActionResult',
];

/** Without the Prefer header (variant enumsNeedPrefer), statuses past the sentinel are neither shown nor filterable. */
function preferOf(req: GraphRequestIn, enumsNeedPrefer: boolean): boolean {
  return !enumsNeedPrefer || prefersUnknownEnums(req.headers);
}

export function listCloudPcs(r: Routed): SimResponse {
  const store = r.deps.store;
  // startswith on cloudPCs is not documented: a service may refuse it.
  if (store.has('startswithRefused') && /startswith\s*\(/i.test(option(r.req, '$filter') ?? '')) {
    throw new BadRequest("Invalid filter clause: the function 'startswith' is not supported for the resource 'cloudPCs'.");
  }
  const prefer = preferOf(r.req, store.has('enumsNeedPrefer'));
  const items = store.tenant.cloudPcs.map((p) => serializePc(store, p, { prefer }));
  return listCollection(r, {
    items,
    schema: { typeName: 'microsoft.graph.cloudPC', properties: pcProps(prefer), get: pathGet },
    selectable: PC_SELECTABLE,
    sortable: null,
    defaultOrder: () => 0,
    serialize: (item) => item,
    allowCount: true,
    contextPath: 'deviceManagement/virtualEndpoint/cloudPCs',
  });
}

export function getCloudPc(r: Routed, id: string): SimResponse {
  const store = r.deps.store;
  const pc = store.findPc(id);
  if (!pc) throw notFound('cloudPC', id);
  const item = serializePc(store, pc, { prefer: preferOf(r.req, store.has('enumsNeedPrefer')) });
  return entity(r, 'deviceManagement/virtualEndpoint/cloudPCs', item, PC_SELECTABLE, 'microsoft.graph.cloudPC');
}
