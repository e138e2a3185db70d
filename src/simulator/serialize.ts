// Records as Graph serialises them, in each shape the switched-on variants ask for.

import { actionName, type Store } from './store.js';
import type { BulkActionRecord, CloudPcRecord, RemoteActionRecord, StatusDetail } from './types.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Statuses Graph sends only with "Prefer: include-unknown-enum-members" (after the unknownFutureValue sentinel). */
export const STATUSES_AFTER_SENTINEL = [
  'movingRegion', 'resizePendingLicense', 'updatingSingleSignOn', 'modifyingSingleSignOn', 'refreshPolicyConfiguration',
  'preparing', 'failoverInProgress', 'failbackInProgress',
];

/** The remote actions cloudPC.lastRemoteActionResult covers. */
const LAST_RESULT_COVERS = new Set(['Reboot', 'Rename', 'Reprovision', 'Restore', 'Troubleshoot']);

/** The name a remote action result uses; Graph calls a restart 'Reboot' there. */
export function remoteActionName(type: string): string {
  const name = actionName(type);
  return name === 'Restart' ? 'Reboot' : name;
}

export interface ReadOptions {
  /** The request carried "Prefer: include-unknown-enum-members". */
  prefer: boolean;
}

/** Whether a request asked for enum members past the sentinel. */
export function prefersUnknownEnums(headers: Record<string, string | string[] | undefined>): boolean {
  const v = headers['prefer'];
  return (Array.isArray(v) ? v.join(',') : (v ?? '')).toLowerCase().includes('include-unknown-enum-members');
}

/** The bulk action as Graph serialises it (derived type in @odata.type, derived properties last). */
export function serializeAction(store: Store, action: BulkActionRecord, opts: { thin?: boolean } = {}): Record<string, unknown> {
  const thin = opts.thin === true && store.has('thinListItems');
  return {
    '@odata.type': `#microsoft.graph.${action.type}`,
    id: action.id,
    displayName: action.displayName,
    createdDateTime: store.has('nullCreatedDateTime') ? null : iso(action.createdDateTime),
    initiatedByUserPrincipalName: action.initiatedByUserPrincipalName,
    scheduledDuringMaintenanceWindow: action.scheduledDuringMaintenanceWindow,
    cloudPcIds: thin ? [] : action.runs.map((r) => r.cloudPcId),
    status: store.status(action),
    actionSummary: thin ? null : store.summary(action),
    ...action.extra,
  };
}

function entry(store: Store, pc: CloudPcRecord, r: RemoteActionRecord): Record<string, unknown> {
  const e: Record<string, unknown> = {
    actionName: r.actionName,
    actionState: r.actionState,
    startDateTime: iso(r.startDateTime),
    lastUpdatedDateTime: iso(r.lastUpdatedDateTime),
    cloudPcId: pc.id,
    managedDeviceId: pc.managedDeviceId,
  };
  // Older payloads carry only the deprecated statusDetails.
  if (store.has('statusDetails')) e.statusDetails = r.detail;
  else e.statusDetail = r.detail;
  return e;
}

/** Every attempt recorded for a Cloud PC, newest first. */
function history(store: Store, pc: CloudPcRecord, withOlder: boolean): RemoteActionRecord[] {
  const out: RemoteActionRecord[] = [];
  for (const { action, run } of store.runsOf(pc.id)) {
    const name = remoteActionName(action.type);
    for (const a of run.attempts) {
      out.push({ actionName: name, actionState: a.state, startDateTime: a.startDateTime, lastUpdatedDateTime: a.lastUpdatedDateTime, detail: a.detail });
    }
    out.push({ actionName: name, actionState: run.state, startDateTime: run.startDateTime, lastUpdatedDateTime: run.lastUpdatedDateTime, detail: run.detail });
  }
  if (withOlder) out.push(...pc.history);
  return out.sort((a, b) => b.startDateTime - a.startDateTime);
}

/** retrieveCloudPcRemoteActionResults. */
export function remoteActionResults(store: Store, pc: CloudPcRecord): Record<string, unknown>[] {
  return history(store, pc, store.has('remoteActionHistory')).map((r) => entry(store, pc, r));
}

/**
 * cloudPC.lastRemoteActionResult. Variant staleLastRemoteAction: the PC's older, unrelated action, as a real tenant
 * shows when the last action is of a kind lastRemoteActionResult does not cover.
 */
function lastRemoteActionResult(store: Store, pc: CloudPcRecord): Record<string, unknown> | null {
  if (store.has('staleLastRemoteAction')) {
    const older = history(store, pc, true).filter((r) => LAST_RESULT_COVERS.has(r.actionName));
    const stale = older[older.length - 1];
    return stale ? entry(store, pc, stale) : null;
  }
  const last = history(store, pc, false)[0];
  return last ? entry(store, pc, last) : null;
}

function status(store: Store, pc: CloudPcRecord, opts: ReadOptions): string {
  return store.has('enumsNeedPrefer') && !opts.prefer && STATUSES_AFTER_SENTINEL.includes(pc.status) ? 'unknownFutureValue' : pc.status;
}

export function serializePc(store: Store, pc: CloudPcRecord, opts: ReadOptions = { prefer: true }): Record<string, unknown> {
  return {
    id: pc.id,
    displayName: pc.displayName,
    imageDisplayName: pc.imageDisplayName,
    provisioningPolicyId: pc.provisioningPolicyId,
    provisioningPolicyName: pc.provisioningPolicyName,
    onPremisesConnectionName: 'Contoso-WEU-ANC',
    servicePlanId: pc.servicePlanId,
    servicePlanName: pc.servicePlanName,
    servicePlanType: pc.servicePlanType,
    status: status(store, pc, opts),
    statusDetail: pc.statusDetail satisfies StatusDetail | null,
    userPrincipalName: pc.userPrincipalName,
    lastModifiedDateTime: iso(pc.lastModifiedDateTime),
    managedDeviceId: pc.managedDeviceId,
    managedDeviceName: pc.managedDeviceName,
    aadDeviceId: pc.aadDeviceId,
    gracePeriodEndDateTime: pc.gracePeriodEndDateTime === null ? null : iso(pc.gracePeriodEndDateTime),
    userAccountType: pc.userAccountType,
    osVersion: pc.osVersion,
    powerState: pc.powerState,
    productType: pc.productType,
    lastRemoteActionResult: lastRemoteActionResult(store, pc),
  };
}
