// The two Cloud PC report actions, modelled on the beta reference pages
// (cloudpcreports-getactionstatusreports.md, cloudpcreports-retrievebulkactionstatusreport.md):
// - Request body: filter (OData: and, or, gt, ge, eq only), select, orderBy, search, groupBy, skip, top.
//   top defaults to 25; above 100 is rejected here (the page states a maximum of 100).
// - Response: 200 with Content-Type application/octet-stream (an Edm.Stream, NOT application/json) whose body
//   is JSON { TotalRowCount, Schema: [{ Column, PropertyType }], Values: [[…]] }. TotalRowCount counts all
//   matching rows, not the page. There is no @odata.context and no nextLink: callers page with skip/top.
// - getActionStatusReports has one row per (bulk action, Cloud PC), with exactly the columns the page shows
//   (variant duplicateReportRows: one row per attempt, so a retried device appears in several rows);
//   ActionState uses the cloudPcRemoteActionResult actionState values (none, pending, canceled, active, done,
//   failed, notSupported). Failure reasons are not a documented column: read them from the Cloud PC's
//   retrieveCloudPcRemoteActionResults instead.
// - Filter by bulk action with "BulkActionId eq '…'", by devices with "(CloudPcId eq 'a' or CloudPcId eq 'b')".

import { BadRequest, type RequestContext, type SimResponse } from './http.js';
import { norm, parseFilter, type PropType, type SortKey } from './odata/odata.js';
import { actionName, type Store } from './store.js';

type Cell = string | number | Record<string, unknown> | null;
type Row = Record<string, Cell>;

interface ColumnDef {
  name: string;
  propertyType: 'String' | 'DateTime' | 'Json' | 'Int64' | 'Double';
  filter?: PropType;
}

const ACTION_STATES = { enum: ['none', 'pending', 'canceled', 'active', 'done', 'failed', 'notSupported'] } as const;

const ACTION_STATUS_COLUMNS: ColumnDef[] = [
  { name: 'Id', propertyType: 'String', filter: 'string' },
  { name: 'CloudPcDeviceDisplayName', propertyType: 'String', filter: 'string' },
  { name: 'BulkActionId', propertyType: 'String', filter: 'string' },
  { name: 'BulkActionDisplayName', propertyType: 'String', filter: 'string' },
  { name: 'CloudPcId', propertyType: 'String', filter: 'string' },
  { name: 'InitiatedByUserPrincipalName', propertyType: 'String', filter: 'string' },
  { name: 'DeviceOwnerUserPrincipalName', propertyType: 'String', filter: 'string' },
  { name: 'Action', propertyType: 'String', filter: 'string' },
  { name: 'ActionState', propertyType: 'String', filter: ACTION_STATES },
  { name: 'RequestDateTime', propertyType: 'DateTime', filter: 'datetime' },
  { name: 'LastUpdatedDateTime', propertyType: 'DateTime', filter: 'datetime' },
  { name: 'ActionParameters', propertyType: 'Json' },
];

const BULK_STATUS_COLUMNS: ColumnDef[] = [
  { name: 'BulkActionId', propertyType: 'String', filter: 'string' },
  { name: 'BulkActionDisplayName', propertyType: 'String', filter: 'string' },
  { name: 'Action', propertyType: 'String', filter: 'string' },
  { name: 'BulkActionStatus', propertyType: 'String', filter: { enum: ['pending', 'succeeded', 'failed'] } },
  { name: 'InitiatedByUserPrincipalName', propertyType: 'String', filter: 'string' },
  { name: 'RequestDateTime', propertyType: 'DateTime', filter: 'datetime' },
  { name: 'SucceedCount', propertyType: 'Int64', filter: 'int' },
  { name: 'FailedCount', propertyType: 'Int64', filter: 'int' },
  { name: 'InprogressCount', propertyType: 'Int64', filter: 'int' },
  { name: 'TotalCount', propertyType: 'Int64', filter: 'int' },
  { name: 'Completion', propertyType: 'Double', filter: 'int' },
];

// The report pages list the supported filter operators explicitly.
const REPORT_OPERATORS = new Set(['eq', 'gt', 'ge', 'and', 'or']);

/** Report timestamps are second-precision UTC. */
const reportTime = (ms: number) => new Date(ms).toISOString().slice(0, 19) + 'Z';

function actionParameters(extra: Record<string, unknown>): Record<string, unknown> | null {
  return Object.keys(extra).length > 0 ? { ...extra } : null;
}

/** The bulk action a filter starts with "BulkActionId eq '…' [and …]" keeps to: only its rows need building. */
function onlyAction(filter: unknown): string | undefined {
  const m = typeof filter === 'string' ? /^\s*BulkActionId\s+eq\s+'([^']*)'\s*(?:$|and\s)/i.exec(filter) : null;
  return m ? m[1]!.toLowerCase() : undefined;
}

function actionStatusRows(store: Store, only?: string): Row[] {
  const rows: Row[] = [];
  const everyAttempt = store.has('duplicateReportRows');
  for (const a of store.tenant.bulkActions) {
    if (only !== undefined && a.id.toLowerCase() !== only) continue;
    for (const run of a.runs) {
      const pc = store.findPc(run.cloudPcId);
      const row = (reportId: string, state: string, lastUpdated: number, requested: number): Row => ({
        Id: reportId,
        CloudPcDeviceDisplayName: pc?.displayName ?? null,
        BulkActionId: a.id,
        BulkActionDisplayName: a.displayName,
        CloudPcId: run.cloudPcId,
        InitiatedByUserPrincipalName: a.initiatedByUserPrincipalName,
        DeviceOwnerUserPrincipalName: pc?.userPrincipalName ?? null,
        Action: actionName(a.type),
        ActionState: state,
        RequestDateTime: reportTime(requested),
        LastUpdatedDateTime: reportTime(lastUpdated),
        ActionParameters: actionParameters(a.extra),
      });
      // One row per attempt: each attempt is its own request. One row per device: the action's request.
      if (everyAttempt)
        for (const past of run.attempts) rows.push(row(past.reportId, past.state, past.lastUpdatedDateTime, past.startDateTime));
      rows.push(row(run.reportId, run.state, run.lastUpdatedDateTime, everyAttempt ? run.startDateTime : run.requestDateTime));
    }
  }
  return rows;
}

function bulkStatusRows(store: Store): Row[] {
  return store.tenant.bulkActions.map((a) => {
    const s = store.summary(a);
    const total = a.runs.length;
    const finished = s.successfulCount + s.failedCount + s.notSupportedCount;
    return {
      BulkActionId: a.id,
      BulkActionDisplayName: a.displayName,
      Action: actionName(a.type),
      BulkActionStatus: store.status(a),
      InitiatedByUserPrincipalName: a.initiatedByUserPrincipalName,
      RequestDateTime: reportTime(a.createdDateTime),
      SucceedCount: s.successfulCount,
      FailedCount: s.failedCount,
      InprogressCount: s.inProgressCount + s.pendingCount,
      TotalCount: total,
      Completion: total === 0 ? 100 : Math.round((finished / total) * 1000) / 10,
    };
  });
}

interface ReportBody {
  filter?: string;
  select?: string[];
  orderBy?: string[];
  groupBy?: string[];
  search?: string;
  skip?: number;
  top?: number;
}

function readBody(body: unknown): ReportBody {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequest('The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const known = new Set(['filter', 'select', 'orderBy', 'groupBy', 'search', 'skip', 'top']);
  for (const key of Object.keys(b)) {
    if (!known.has(key)) throw new BadRequest(`The parameter '${key}' in the request payload is not a valid parameter for the operation.`);
  }
  const strList = (k: string): string[] | undefined => {
    const v = b[k];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw new BadRequest(`The parameter '${k}' must be a collection of strings.`);
    return v as string[];
  };
  const str = (k: string): string | undefined => {
    const v = b[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new BadRequest(`The parameter '${k}' must be a string.`);
    return v;
  };
  const int = (k: string): number | undefined => {
    const v = b[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new BadRequest(`The parameter '${k}' must be a non-negative Int32.`);
    return v;
  };
  return {
    filter: str('filter'),
    select: strList('select'),
    orderBy: strList('orderBy'),
    groupBy: strList('groupBy'),
    search: str('search'),
    skip: int('skip'),
    top: int('top'),
  };
}

function runReport(columns: ColumnDef[], allRows: Row[], rawBody: unknown): SimResponse {
  const body = readBody(rawBody);
  const byName = (name: string): ColumnDef => {
    const col = columns.find((c) => c.name.toLowerCase() === name.trim().toLowerCase());
    if (!col) throw new BadRequest(`Invalid column name '${name}'. Valid columns are: ${columns.map((c) => c.name).join(', ')}.`);
    return col;
  };
  const selected = body.select && body.select.length > 0 ? body.select.map(byName) : columns;

  let rows = allRows;
  if (body.filter !== undefined) {
    const properties: Record<string, PropType> = {};
    for (const c of columns) if (c.filter) properties[c.name] = c.filter;
    const predicate = parseFilter<Row>(body.filter, {
      typeName: 'report',
      properties,
      get: (row, prop) => row[prop],
      operators: REPORT_OPERATORS,
      functions: new Set(),
    });
    rows = rows.filter(predicate);
  }
  if (body.search !== undefined) {
    const needle = body.search.toLowerCase();
    rows = rows.filter((r) =>
      columns.some(
        (c) => c.propertyType === 'String' && (typeof r[c.name] === 'string' ? (r[c.name] as string) : '').toLowerCase().includes(needle),
      ),
    );
  }

  const keys: SortKey[] = (body.orderBy && body.orderBy.length > 0 ? body.orderBy : ['RequestDateTime']).map((spec) => {
    const m = /^\s*(\S+)(?:\s+(asc|desc))?\s*$/i.exec(spec);
    if (!m) throw new BadRequest(`Invalid orderBy value '${spec}'.`);
    return { property: byName(m[1]!).name, desc: (m[2] ?? 'asc').toLowerCase() === 'desc' };
  });
  // A stable tie-breaker keeps skip/top paging consistent between calls.
  keys.push({ property: columns[0]!.name, desc: false });
  rows = sortRows(rows, keys);

  let values = rows.map((r) => selected.map((c) => r[c.name] ?? null));
  if (body.groupBy && body.groupBy.length > 0)
    values = grouped(
      values,
      body.groupBy.map((g) => byName(g).name),
      selected,
    );

  const top = body.top ?? 25;
  if (top > 100) throw new BadRequest(`The value of top (${top}) exceeds the maximum of 100.`);
  const skip = body.skip ?? 0;
  const payload = {
    TotalRowCount: values.length,
    Schema: selected.map((c) => ({ Column: c.name, PropertyType: c.propertyType })),
    Values: values.slice(skip, skip + top),
  };
  return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(JSON.stringify(payload), 'utf8') };
}

/** Sorted by the keys, each row's sort values computed once (a 5,000-row report is sorted on every page). */
function sortRows(rows: Row[], keys: SortKey[]): Row[] {
  const keyed = rows.map((row) => ({ row, values: keys.map((k) => norm(row[k.property])) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const x = a.values[i]!;
      const y = b.values[i]!;
      if (x === y) continue;
      const c = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      return keys[i]!.desc ? -c : c;
    }
    return 0;
  });
  return keyed.map((k) => k.row);
}

/** groupBy: the documented form groups by exactly the selected columns, so a group is a distinct row. */
function grouped(values: Cell[][], group: string[], selected: ColumnDef[]): Cell[][] {
  const sel = selected.map((c) => c.name);
  if (group.length !== sel.length || group.some((g, i) => g !== sel[i]))
    throw new BadRequest('groupBy must have the same content as select.');
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = JSON.stringify(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Filtering on these columns is not documented: a service may refuse either (each variant plays one refusal). */
const REFUSED_FILTER_COLUMNS = [
  ['reportFilterRefused', 'BulkActionId'],
  ['requestTimeFilterRefused', 'RequestDateTime'],
] as const;

export function getActionStatusReports(store: Store, _ctx: RequestContext, body: unknown): SimResponse {
  const filter = (body as { filter?: unknown } | undefined)?.filter;
  for (const [variant, column] of REFUSED_FILTER_COLUMNS) {
    if (store.has(variant) && typeof filter === 'string' && new RegExp(`\\b${column}\\b`, 'i').test(filter)) {
      throw new BadRequest(`Invalid filter: the column '${column}' cannot be used in a filter for this report.`);
    }
  }
  return runReport(ACTION_STATUS_COLUMNS, actionStatusRows(store, onlyAction(filter)), body);
}

export function retrieveBulkActionStatusReport(store: Store, _ctx: RequestContext, body: unknown): SimResponse {
  return runReport(BULK_STATUS_COLUMNS, bulkStatusRows(store), body);
}
