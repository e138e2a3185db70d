// Why a device failed in THIS bulk action: the entry of the PC's remote action history
// (retrieveCloudPcRemoteActionResults) whose action matches the bulk action's type and which started at or after the
// bulk action was created, the newest such. A PC's lastRemoteActionResult is its last action of any kind (and covers
// only some kinds), so it is used only when it passes the same match; the PC's own status is never an action's reason.
import { historyNameMatches } from '../core/actionTypes.js';
import { isPlainObject } from '../core/jsonShapes.js';
import { runBatch, type BatchAnswer, type BatchOptions } from './batch.js';
import type { BulkAction } from './bulkActions.js';
import type { GraphClient } from './client.js';
import { unwrapEntity } from './entity.js';
import { graphPath } from './types.js';

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

/** Pure: whether a history entry belongs to this bulk action (same kind, started at or after its creation). */
export function belongsTo(entry: RemoteActionEntry, action: Pick<BulkAction, 'actionType' | 'createdDateTime'>): boolean {
  const created = action.createdDateTime ? Date.parse(action.createdDateTime) : NaN;
  const started = entry.startDateTime ? Date.parse(entry.startDateTime) : NaN;
  if (Number.isNaN(created) || Number.isNaN(started) || started < created) return false;
  return historyNameMatches(action.actionType, entry.actionName);
}

/** Pure: the newest entry that belongs to the action, or undefined. */
export function matchingEntry(raw: readonly unknown[], action: Pick<BulkAction, 'actionType' | 'createdDateTime'>): RemoteActionEntry | undefined {
  let best: RemoteActionEntry | undefined;
  let bestAt = -Infinity;
  for (const r of raw) {
    const e = toRemoteActionEntry(r);
    if (!e || !belongsTo(e, action)) continue;
    const at = Date.parse(e.startDateTime!);
    if (at > bestAt) {
      best = e;
      bestAt = at;
    }
  }
  return best;
}

const PC_SELECT = 'id,status,statusDetail,statusDetails,lastRemoteActionResult';

/** Reads the reasons of the given failed devices: history in batches, then each unmatched PC's own record. */
export async function lookUpReasons(graph: GraphClient, action: BulkAction, cloudPcIds: readonly string[], opts: BatchOptions): Promise<ReasonLookup> {
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
      const entry = matchingEntry(value, action);
      reasons.set(id, entry ? { entry, source: 'remoteActionResults' } : {});
      if (!entry) needPc.push(id);
      continue;
    }
    if (a?.status === 403) historyForbidden = true;
    reasons.set(id, { lookupFailed: describeFailure(a) });
    needPc.push(id);
  }
  if (needPc.length === 0) return { reasons, historyForbidden };
  // The PC's record: its own status (labelled as such) and, where the history was refused, a last remote action
  // that passes the same match.
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
      const last = matchingEntry([pc.lastRemoteActionResult], action);
      if (last) {
        r.entry = last;
        r.source = 'lastRemoteActionResult';
        r.lookupFailed = undefined;
      }
    }
  }
  return { reasons, historyForbidden };
}

function describeFailure(a: BatchAnswer | undefined): string {
  if (!a) return 'no answer';
  if (a.status === 0) return `the lookup failed (${a.code ?? 'no answer'})`;
  return `HTTP ${a.status}${a.code ? ` ${a.code}` : ''}`;
}
