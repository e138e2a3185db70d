// Which Cloud PCs of a bulk action failed, and why. Graph has no per-device list on the bulk action itself: the states
// come from the action status report (actionReport.ts), each device's from its latest row, and from nothing else, so
// every path that asks "did it fail?" (the answer, the dry run, the real call, a plan and its re-check) gets the same
// answer from the same reading. The reasons come from each failed PC's remote action history for THIS action's attempt
// (remoteActions.ts), looked up in batches within a cap the answer states.
import type { BatchOptions } from '../batch.js';
import type { BulkAction } from '../bulkActions.js';
import type { GraphClient } from '../client.js';
import { beginReport, type ReportRead, type ReportReading } from './actionReport.js';
import { classifyDeviceFailure, type FailureClass } from '../failureClasses.js';
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
  /** Set when Graph refused the report's BulkActionId filter and this action's rows were picked out here. */
  localFilter?: string;
  reasons?: ReasonSummary;
}

export interface OutcomeOptions {
  onlyFailed: boolean;
  /** At most this many failed devices get their reason looked up. */
  reasonCap: number;
  batch: BatchOptions;
}

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

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const time = (v: string | undefined): number => (v ? Date.parse(v) || 0 : 0);

/** The later-updated row; on a tie the later-requested one (a new attempt), then the one read last. */
function isNewer(d: DeviceOutcome, seen: DeviceOutcome): boolean {
  const a = time(d.lastUpdatedDateTime);
  const b = time(seen.lastUpdatedDateTime);
  return a !== b ? a > b : time(d.requestDateTime) >= time(seen.requestDateTime);
}

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
    if (!seen || isNewer(d, seen)) byId.set(key, d);
  }
  return [...byId.values()];
}

/** The one decision on states: each device's latest row, and only failed ones when only those were asked for. */
export function devicesOf(reading: ReportReading, onlyFailed: boolean): DeviceOutcome[] {
  const devices = latestPerDevice(reading.rows).sort(byName);
  return onlyFailed ? devices.filter((d) => d.state === 'failed') : devices;
}

/** Devices as an admin scans them: by name, then id (the report is read in its own, unique, order). */
function byName(a: DeviceOutcome, b: DeviceOutcome): number {
  const x = (a.name ?? '').toLowerCase();
  const y = (b.name ?? '').toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.cloudPcId < b.cloudPcId ? -1 : a.cloudPcId > b.cloudPcId ? 1 : 0;
}

/** Begins reading the report of an action whose record is still on its way (see beginReport). */
export function startOutcomes(
  graph: GraphClient,
  bulkActionId: string,
  likelyOnlyFailed: boolean | undefined,
  signal?: AbortSignal,
): ReportRead {
  return beginReport(graph, bulkActionId, likelyOnlyFailed, signal);
}

export async function deviceOutcomesOf(
  graph: GraphClient,
  action: BulkAction,
  opts: OutcomeOptions,
  started?: ReportRead,
): Promise<DeviceOutcomes> {
  const reading = await (started ?? beginReport(graph, action.id, opts.onlyFailed, opts.batch.signal)).finish(opts.onlyFailed);
  const base = { onlyFailed: opts.onlyFailed, more: reading.more, ...(reading.localFilter ? { localFilter: reading.localFilter } : {}) };
  // The summary counts are still worth showing when the report is unavailable (e.g. a role without report access).
  if (reading.unavailable) return { devices: [], ...base, unavailable: reading.unavailable };
  const devices = devicesOf(reading, opts.onlyFailed);
  const failed = devices.filter((d) => d.state === 'failed');
  if (!failed.length) return { devices, ...base };
  const chosen = failed.slice(0, Math.max(0, opts.reasonCap));
  const lookup = chosen.length ? await lookUpReasons(graph, action, chosen, opts.batch) : undefined;
  for (const d of failed) applyReason(d, action.actionType, lookup?.reasons.get(d.cloudPcId));
  const reasons: ReasonSummary = {
    lookedUp: chosen.length,
    failed: failed.length,
    cap: opts.reasonCap,
    historyForbidden: lookup?.historyForbidden ?? false,
  };
  return { devices, ...base, reasons };
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
