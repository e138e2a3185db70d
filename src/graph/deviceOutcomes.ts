// Which Cloud PCs of a bulk action failed, and why. Graph has no per-device list on the bulk action itself: the states
// come from the action status report, the reasons from each failed PC's remote action history for THIS action
// (remoteActions.ts), looked up in batches within a cap the answer states.
import type { BatchOptions } from './batch.js';
import type { BulkAction } from './bulkActions.js';
import type { GraphClient } from './client.js';
import { GraphError } from './errors.js';
import { classifyDeviceFailure, type FailureClass } from './failureClasses.js';
import { odataString } from './paging.js';
import { lookUpReasons, type DeviceReason, type ReasonSource, type StatusDetail } from './remoteActions.js';

export interface DeviceOutcome {
  cloudPcId: string;
  name?: string;
  userPrincipalName?: string;
  /** succeeded, failed, inProgress, pending, notSupported, canceled, none (or Graph's own value when new). */
  state: string;
  requestDateTime?: string;
  lastUpdatedDateTime?: string;
  /** Failed devices: whether this action's reason was found, and if not why not. */
  reasonStatus?: 'found' | 'noMatchingEntry' | 'lookupFailed' | 'notLookedUp';
  /** Why the lookup failed, when it did (e.g. "HTTP 403 Forbidden"). */
  lookupError?: string;
  /** "message (code)" of this action's own failure; never another action's, never the PC's status. */
  reason?: string;
  reasonCode?: string;
  reasonSource?: ReasonSource;
  failureClass?: FailureClass;
  /** The rule of the classification table that decided (docs/failures.md). */
  classRule?: string;
  fix?: string;
  /** The PC's own status now, read when no reason was found; it is not the action's reason. */
  pcStatus?: string;
  pcStatusDetail?: string;
}

export interface ReasonSummary {
  /** Failed devices whose reason was looked up (the first ones, in report order). */
  lookedUp: number;
  failed: number;
  cap: number;
  /** Graph refused the remote action history (it needs CloudPC.ReadWrite.All); reasons fell back to lastRemoteActionResult. */
  historyForbidden: boolean;
}

export interface DeviceOutcomes {
  devices: DeviceOutcome[];
  /** True when only failed devices were read. */
  onlyFailed: boolean;
  /** Set when Graph would not give per-device states; the summary counts still stand. */
  unavailable?: string;
  /** True when the action has more devices than were read. */
  more: boolean;
  reasons?: ReasonSummary;
}

export interface OutcomeOptions {
  onlyFailed: boolean;
  /** At most this many failed devices get their reason looked up. */
  reasonCap: number;
  batch: BatchOptions;
}

export const REPORT_PATH = '/deviceManagement/virtualEndpoint/reports/getActionStatusReports';
const REPORT_COLUMNS = ['CloudPcId', 'CloudPcDeviceDisplayName', 'DeviceOwnerUserPrincipalName', 'ActionState', 'RequestDateTime', 'LastUpdatedDateTime'];
// The report API allows at most 100 rows a request; 100 pages cover the largest retry the server sends.
const REPORT_PAGE = 100;
const MAX_REPORT_PAGES = 100;
// What the SDKs send for the report actions: the body is JSON served as application/octet-stream.
const REPORT_ACCEPT = 'application/octet-stream, application/json';

// The report speaks the remote-action vocabulary (actionState); the bulk action summary speaks this one.
const STATE_NAMES: Record<string, string> = {
  none: 'none',
  pending: 'pending',
  canceled: 'canceled',
  active: 'inProgress',
  done: 'succeeded',
  failed: 'failed',
  notsupported: 'notSupported',
  awaitingadminaction: 'awaitingAdminAction',
};

/** Pure: an actionState as the tools show it; a value Graph adds later is shown as itself. */
export function stateName(raw: string | undefined): string {
  if (raw === undefined) return 'unknown';
  return STATE_NAMES[raw.toLowerCase()] ?? raw;
}

interface Report {
  TotalRowCount?: number;
  Schema?: { Column?: string }[];
  Values?: unknown[][];
}

function rowsOf(report: Report | undefined): Record<string, unknown>[] {
  const cols = (report?.Schema ?? []).map((c) => c?.Column ?? '');
  return (report?.Values ?? []).filter(Array.isArray).map((v) => Object.fromEntries(cols.map((c, i) => [c, v[i]])));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const time = (v: string | undefined): number => (v ? Date.parse(v) || 0 : 0);

/**
 * Pure: one outcome per Cloud PC, the latest by LastUpdatedDateTime. A device retried more than once can appear in
 * several rows of the report.
 */
export function latestPerDevice(rows: readonly Record<string, unknown>[]): DeviceOutcome[] {
  const byId = new Map<string, DeviceOutcome>();
  for (const r of rows) {
    const id = str(r.CloudPcId);
    if (!id) continue;
    const d: DeviceOutcome = {
      cloudPcId: id,
      name: str(r.CloudPcDeviceDisplayName),
      userPrincipalName: str(r.DeviceOwnerUserPrincipalName),
      state: stateName(str(r.ActionState)),
      requestDateTime: str(r.RequestDateTime),
      lastUpdatedDateTime: str(r.LastUpdatedDateTime),
    };
    const key = id.toLowerCase();
    const seen = byId.get(key);
    if (!seen || time(d.lastUpdatedDateTime) >= time(seen.lastUpdatedDateTime)) byId.set(key, d);
  }
  return [...byId.values()];
}

async function readReport(graph: GraphClient, action: BulkAction, onlyFailed: boolean, signal?: AbortSignal): Promise<{ rows: Record<string, unknown>[]; more: boolean }> {
  const rows: Record<string, unknown>[] = [];
  // Filtering on the failed state makes a 5,000-device action cost pages of failures, not of everything.
  const filter = `BulkActionId eq ${odataString(action.id)}${onlyFailed ? " and ActionState eq 'failed'" : ''}`;
  for (let page = 0; page < MAX_REPORT_PAGES; page++) {
    const res = await graph.request<Report>({
      method: 'POST',
      path: REPORT_PATH,
      headers: { Accept: REPORT_ACCEPT },
      body: { filter, select: REPORT_COLUMNS, orderBy: ['CloudPcDeviceDisplayName'], skip: page * REPORT_PAGE, top: REPORT_PAGE },
      signal,
    });
    const got = rowsOf(res.body);
    rows.push(...got);
    const total = typeof res.body?.TotalRowCount === 'number' ? res.body.TotalRowCount : rows.length;
    if (got.length < REPORT_PAGE || rows.length >= total) return { rows, more: false };
  }
  return { rows, more: true };
}

export async function deviceOutcomesOf(graph: GraphClient, action: BulkAction, opts: OutcomeOptions): Promise<DeviceOutcomes> {
  const signal = opts.batch.signal;
  let report: { rows: Record<string, unknown>[]; more: boolean };
  try {
    report = await readReport(graph, action, opts.onlyFailed, signal);
  } catch (err) {
    if (signal?.aborted || !(err instanceof GraphError)) throw err;
    // The summary counts are still worth showing when the report is unavailable (e.g. a role without report access).
    const why = `the action status report could not be read (${err.status ? `HTTP ${err.status} ` : ''}${err.code ?? err.kind})`;
    return { devices: [], onlyFailed: opts.onlyFailed, more: false, unavailable: why };
  }
  const devices = latestPerDevice(report.rows);
  const failed = devices.filter((d) => d.state === 'failed');
  const chosen = failed.slice(0, Math.max(0, opts.reasonCap));
  let reasons: ReasonSummary | undefined;
  if (failed.length) {
    const lookup = chosen.length ? await lookUpReasons(graph, action, chosen.map((d) => d.cloudPcId), opts.batch) : undefined;
    for (const d of failed) applyReason(d, action.actionType, lookup?.reasons.get(d.cloudPcId));
    const stillFailed = (d: DeviceOutcome) => d.state === 'failed';
    reasons = {
      lookedUp: chosen.filter(stillFailed).length,
      failed: failed.filter(stillFailed).length,
      cap: opts.reasonCap,
      historyForbidden: lookup?.historyForbidden ?? false,
    };
  }
  return {
    devices: opts.onlyFailed ? devices.filter((d) => d.state === 'failed') : devices,
    onlyFailed: opts.onlyFailed,
    more: report.more,
    reasons,
  };
}

function detailText(d: StatusDetail | undefined): string | undefined {
  if (!d) return undefined;
  return d.message && d.code ? `${d.message} (${d.code})` : (d.message ?? d.code);
}

/** Attaches this action's reason and its class to a failed device (or says why there is none). */
function applyReason(d: DeviceOutcome, actionType: string, r: DeviceReason | undefined): void {
  if (!r) {
    d.reasonStatus = 'notLookedUp';
    d.failureClass = 'unknown';
    return;
  }
  d.pcStatus = r.pcStatus;
  d.pcStatusDetail = detailText(r.pcStatusDetail);
  if (r.entry) {
    // The history is fresher than a report row: a device retried since then is no longer failed.
    const now = stateName(r.entry.actionState);
    if (r.entry.actionState !== undefined && now !== 'failed' && time(r.entry.lastUpdatedDateTime) >= time(d.lastUpdatedDateTime)) {
      d.state = now;
      d.lastUpdatedDateTime = r.entry.lastUpdatedDateTime ?? d.lastUpdatedDateTime;
      return;
    }
    d.reasonStatus = 'found';
    d.reasonSource = r.source;
    d.reason = detailText(r.entry.statusDetail);
    d.reasonCode = r.entry.statusDetail?.code;
    const c = classifyDeviceFailure(r.entry.statusDetail, actionType);
    d.failureClass = c.class;
    d.classRule = c.rule;
    d.fix = c.fix;
    return;
  }
  d.reasonStatus = r.lookupFailed !== undefined ? 'lookupFailed' : 'noMatchingEntry';
  d.lookupError = r.lookupFailed;
  d.failureClass = 'unknown';
}
