// Why a device failed in THIS bulk action's attempt on it. The remote action history
// (retrieveCloudPcRemoteActionResults) names no bulk action, so an entry is this attempt's only if its name matches the
// action's type and it started inside the attempt: from the report row's RequestDateTime (else the action's
// createdDateTime) to the row's LastUpdatedDateTime, with a little slack for clocks and the report's whole seconds.
// A later action of the same type (next week's restart) starts after that window, so it never lends its reason or its
// success. A PC's lastRemoteActionResult is its last action of any kind (and covers only some kinds), so it is used only
// when it passes the same match; the PC's own status is never an action's reason.
import { historyNameMatches } from '../../core/actionTypes.js';
import { isPlainObject } from '../../core/jsonShapes.js';
import { runBatch, type BatchAnswer, type BatchOptions } from '../batch.js';
import type { BulkAction } from '../bulkActions.js';
import type { GraphClient } from '../client.js';
import { unwrapEntity } from '../entity.js';
import { graphPath } from '../types.js';

/** Graph's cloudPcStatusDetail (or the deprecated cloudPcStatusDetails), reduced to what a reason needs. */
export interface StatusDetail {
  code?: string;
  message?: string;
  /** Graph's own `retriable` entry of additionalInformation, when it gives one. */
  retriable?: boolean;
}

export interface RemoteActionEntry {
  actionName?: string;
  actionState?: string;
  startDateTime?: string;
  lastUpdatedDateTime?: string;
  statusDetail?: StatusDetail;
}

export type ReasonSource = 'remoteActionResults' | 'lastRemoteActionResult';

export interface DeviceReason {
  /** The matching entry, if one was found. */
  entry?: RemoteActionEntry;
  source?: ReasonSource;
  /** The PC's own status now (not the action's reason), when it was read. */
  pcStatus?: string;
  pcStatusDetail?: StatusDetail;
  /** Why no reason could be read (a failed lookup), as opposed to "no matching entry". */
  lookupFailed?: string;
}

export interface ReasonLookup {
  reasons: Map<string, DeviceReason>;
  /** Set when Graph refused the remote action history (a read-only server has only CloudPC.Read.All). */
  historyForbidden: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

export function statusDetailOf(raw: unknown): StatusDetail | undefined {
  if (!isPlainObject(raw)) return undefined;
  const code = str(raw.code);
  const message = str(raw.message);
  let retriable: boolean | undefined;
  if (Array.isArray(raw.additionalInformation)) {
    for (const kv of raw.additionalInformation) {
      if (isPlainObject(kv) && typeof kv.name === 'string' && kv.name.toLowerCase() === 'retriable') {
        const v = String(kv.value).toLowerCase();
        if (v === 'true' || v === 'false') retriable = v === 'true';
      }
    }
  }
  return code || message ? { code, message, retriable } : undefined;
}

export function toRemoteActionEntry(raw: unknown): RemoteActionEntry | undefined {
  if (!isPlainObject(raw)) return undefined;
  return {
    actionName: str(raw.actionName),
    actionState: str(raw.actionState),
    startDateTime: str(raw.startDateTime),
    lastUpdatedDateTime: str(raw.lastUpdatedDateTime),
    // statusDetails is deprecated (2024-08-31) but still returned by reference examples: read both.
    statusDetail: statusDetailOf(raw.statusDetail) ?? statusDetailOf(raw.statusDetails),
  };
}

/** One bulk action's attempt on one PC, as the report row (and the action) place it. */
export interface Attempt {
  actionType: string;
  /** The report row's RequestDateTime. */
  requestDateTime?: string;
  /** The action's createdDateTime: where the attempt starts when the row has no RequestDateTime. */
  createdDateTime?: string;
  /** The report row's LastUpdatedDateTime: the attempt ended by then. */
  lastUpdatedDateTime?: string;
}

/** Report times are whole seconds and clocks differ a little: an entry may start this much before the row's request. */
export const START_SLACK_MS = 60_000;
/**
 * …and this much after the row's last update: an attempt starts before its row was last updated, so this is only for
 * clocks, and kept short because an admin may start the next action of the same type minutes later.
 */
export const END_SLACK_MS = 60_000;

const at = (v: string | undefined): number => (v ? Date.parse(v) : NaN);

/** Pure: the window an entry of this attempt starts in, or undefined when nothing places the attempt. */
export function attemptWindow(a: Attempt): { from: number; to: number } | undefined {
  const start = Number.isNaN(at(a.requestDateTime)) ? at(a.createdDateTime) : at(a.requestDateTime);
  if (Number.isNaN(start)) return undefined;
  const end = at(a.lastUpdatedDateTime);
  return { from: start - START_SLACK_MS, to: Number.isNaN(end) ? Infinity : Math.max(end, start) + END_SLACK_MS };
}

/** Pure: whether a history entry belongs to this attempt (same kind, started inside it). */
export function belongsTo(entry: RemoteActionEntry, attempt: Attempt): boolean {
  const w = attemptWindow(attempt);
  const started = at(entry.startDateTime);
  if (!w || Number.isNaN(started) || started < w.from || started > w.to) return false;
  return historyNameMatches(attempt.actionType, entry.actionName);
}

/**
 * Pure: the entry of this attempt, or undefined. Inside a closed window the newest (a device retried within one row
 * keeps its latest try); with no end known, the earliest after the start, the one nearest the request.
 */
export function matchingEntry(raw: readonly unknown[], attempt: Attempt): RemoteActionEntry | undefined {
  const open = attemptWindow(attempt)?.to === Infinity;
  let best: RemoteActionEntry | undefined;
  let bestAt = NaN;
  for (const r of raw) {
    const e = toRemoteActionEntry(r);
    if (!e || !belongsTo(e, attempt)) continue;
    const t = at(e.startDateTime);
    if (Number.isNaN(bestAt) || (open ? t < bestAt : t > bestAt)) {
      best = e;
      bestAt = t;
    }
  }
  return best;
}

const PC_SELECT = 'id,status,statusDetail,statusDetails,lastRemoteActionResult';

/** A failed device of the action and its attempt's times (its latest report row). */
export interface FailedAttempt {
  cloudPcId: string;
  requestDateTime?: string;
  lastUpdatedDateTime?: string;
}

/** Reads the reasons of the given failed devices: history in batches, then each unmatched PC's own record. */
export async function lookUpReasons(
  graph: GraphClient,
  action: BulkAction,
  devices: readonly FailedAttempt[],
  opts: BatchOptions,
): Promise<ReasonLookup> {
  const attempts = new Map(
    devices.map((d) => [
      d.cloudPcId,
      {
        actionType: action.actionType,
        createdDateTime: action.createdDateTime,
        requestDateTime: d.requestDateTime,
        lastUpdatedDateTime: d.lastUpdatedDateTime,
      },
    ]),
  );
  const cloudPcIds = devices.map((d) => d.cloudPcId);
  const { reasons, historyForbidden, needPc } = await reasonsFromHistory(graph, cloudPcIds, attempts, opts);
  if (needPc.length === 0) return { reasons, historyForbidden };
  await addPcRecords(graph, reasons, attempts, needPc, opts);
  return { reasons, historyForbidden };
}

/** Reads each PC's remote action history (in batches); needPc lists the PCs it gave no reason for, in order. */
async function reasonsFromHistory(
  graph: GraphClient,
  cloudPcIds: readonly string[],
  attempts: ReadonlyMap<string, Attempt>,
  opts: BatchOptions,
): Promise<ReasonLookup & { needPc: string[] }> {
  const reasons = new Map<string, DeviceReason>();
  let historyForbidden = false;
  const history = await runBatch(
    graph,
    cloudPcIds.map((id) => ({ id, url: graphPath`/deviceManagement/virtualEndpoint/cloudPCs/${id}/retrieveCloudPcRemoteActionResults` })),
    opts,
  );
  const needPc: string[] = [];
  for (const id of cloudPcIds) {
    const a = history.get(id);
    if (a && a.status === 200) {
      const value = isPlainObject(a.body) && Array.isArray(a.body.value) ? a.body.value : [];
      const entry = matchingEntry(value, attempts.get(id)!);
      reasons.set(id, entry ? { entry, source: 'remoteActionResults' } : {});
      if (!entry) needPc.push(id);
      continue;
    }
    if (a?.status === 403) historyForbidden = true;
    reasons.set(id, { lookupFailed: describeFailure(a) });
    needPc.push(id);
  }
  return { reasons, historyForbidden, needPc };
}

/**
 * Adds the PC's record: its own status (labelled as such) and, where the history was refused, a last remote action
 * that passes the same match.
 */
async function addPcRecords(
  graph: GraphClient,
  reasons: Map<string, DeviceReason>,
  attempts: ReadonlyMap<string, Attempt>,
  needPc: readonly string[],
  opts: BatchOptions,
): Promise<void> {
  const pcs = await runBatch(
    graph,
    needPc.map((id) => ({
      id,
      url: `${graphPath`/deviceManagement/virtualEndpoint/cloudPCs/${id}`}?$select=${PC_SELECT}`,
      headers: { Prefer: 'include-unknown-enum-members' },
    })),
    opts,
  );
  for (const id of needPc) {
    const r = reasons.get(id)!;
    const a = pcs.get(id);
    const pc = a && a.status === 200 ? unwrapEntity(a.body) : undefined;
    if (!pc) continue;
    r.pcStatus = str(pc.status);
    r.pcStatusDetail = statusDetailOf(pc.statusDetail) ?? statusDetailOf(pc.statusDetails);
    if (r.lookupFailed !== undefined) {
      const last = matchingEntry([pc.lastRemoteActionResult], attempts.get(id)!);
      if (last) {
        r.entry = last;
        r.source = 'lastRemoteActionResult';
        r.lookupFailed = undefined;
      }
    }
  }
}

function describeFailure(a: BatchAnswer | undefined): string {
  if (!a) return 'no answer';
  if (a.status === 0) return `the lookup failed (${a.code ?? 'no answer'})`;
  return `HTTP ${a.status}${a.code ? ` ${a.code}` : ''}`;
}
