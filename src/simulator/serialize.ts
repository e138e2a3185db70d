// Records as Graph serialises them, in each shape the switched-on variants ask for.

import { CLOUD_PC_STATUSES_AFTER_SENTINEL } from '../core/cloudPcStatuses.js';
import { recordOf, type Store } from './store.js';
import type {
  Beta,
  BulkActionRecord,
  CloudPcOnTheWire,
  CloudPcRecord,
  CloudPcStatusNow,
  OnTheWire,
  RemoteActionRecord,
  StatusDetail,
} from './types.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Statuses Graph sends only with "Prefer: include-unknown-enum-members" (after the unknownFutureValue sentinel). */
export const STATUSES_AFTER_SENTINEL: readonly string[] = CLOUD_PC_STATUSES_AFTER_SENTINEL;

/** The remote actions cloudPC.lastRemoteActionResult covers. */
const LAST_RESULT_COVERS = new Set(['Reboot', 'Rename', 'Reprovision', 'Restore', 'Troubleshoot']);

/**
 * The name a remote action history entry of this bulk-action type carries: the first history name of its record, as
 * the reference examples spell it ('Reboot', 'CloudPcPowerOn', 'moveRegion'). Undefined for a type with no known
 * history name: the simulator then writes no history for it, as nothing says real Graph does.
 */
export function remoteActionName(type: string): string | undefined {
  return recordOf(type)?.historyNames[0];
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
  const base = {
    '@odata.type': `#microsoft.graph.${action.type}`,
    id: action.id,
    displayName: action.displayName,
    createdDateTime: store.has('nullCreatedDateTime') ? null : iso(action.createdDateTime),
    initiatedByUserPrincipalName: action.initiatedByUserPrincipalName,
    scheduledDuringMaintenanceWindow: action.scheduledDuringMaintenanceWindow,
    cloudPcIds: thin ? [] : action.runs.map((r) => r.cloudPcId),
    status: store.status(action),
    actionSummary: thin ? null : (store.summary(action) satisfies Beta.CloudPcBulkActionSummary),
  } satisfies OnTheWire<Beta.CloudPcBulkAction>;
  // The derived type's own properties, typed per type where the seed builds them (seedActions.ts).
  return { ...base, ...action.extra };
}

function entry(store: Store, pc: CloudPcRecord, r: RemoteActionRecord): Beta.CloudPcRemoteActionResult {
  // As in the reference example: managedDeviceId null, and both statusDetail and statusDetails present. Variant
  // statusDetails: an older payload that fills only the deprecated statusDetails.
  const detail = r.detail satisfies Beta.CloudPcStatusDetail | null;
  return {
    actionName: r.actionName,
    actionState: r.actionState,
    startDateTime: iso(r.startDateTime),
    lastUpdatedDateTime: iso(r.lastUpdatedDateTime),
    cloudPcId: pc.id,
    managedDeviceId: null,
    statusDetail: store.has('statusDetails') ? null : detail,
    statusDetails: store.has('statusDetails') ? detail : null,
  };
}

/** Every attempt recorded for a Cloud PC, newest first. */
function history(store: Store, pc: CloudPcRecord, withOlder: boolean): RemoteActionRecord[] {
  const out: RemoteActionRecord[] = [];
  for (const { action, run } of store.runsOf(pc.id)) {
    const name = remoteActionName(action.type);
    if (name === undefined) continue;
    for (const a of run.attempts) {
      out.push({
        actionName: name,
        actionState: a.state,
        startDateTime: a.startDateTime,
        lastUpdatedDateTime: a.lastUpdatedDateTime,
        detail: a.detail,
      });
    }
    out.push({
      actionName: name,
      actionState: run.state,
      startDateTime: run.startDateTime,
      lastUpdatedDateTime: run.lastUpdatedDateTime,
      detail: run.detail,
    });
  }
  if (withOlder) out.push(...pc.history);
  return out.sort((a, b) => b.startDateTime - a.startDateTime);
}

/** retrieveCloudPcRemoteActionResults. */
export function remoteActionResults(store: Store, pc: CloudPcRecord): Beta.CloudPcRemoteActionResult[] {
  return history(store, pc, store.has('remoteActionHistory')).map((r) => entry(store, pc, r));
}

/**
 * cloudPC.lastRemoteActionResult. Variant staleLastRemoteAction: the PC's older, unrelated action, as a real tenant
 * shows when the last action is of a kind lastRemoteActionResult does not cover.
 */
function lastRemoteActionResult(store: Store, pc: CloudPcRecord): Beta.CloudPcRemoteActionResult | null {
  if (store.has('staleLastRemoteAction')) {
    const older = history(store, pc, true).filter((r) => LAST_RESULT_COVERS.has(r.actionName));
    const stale = older[older.length - 1];
    return stale ? entry(store, pc, stale) : null;
  }
  const last = history(store, pc, false)[0];
  return last ? entry(store, pc, last) : null;
}

function status(store: Store, pc: CloudPcRecord, opts: ReadOptions): CloudPcStatusNow {
  return store.has('enumsNeedPrefer') && !opts.prefer && STATUSES_AFTER_SENTINEL.includes(pc.status) ? 'unknownFutureValue' : pc.status;
}

/**
 * As the reference examples serialise a Cloud PC: `@odata.type` on list items, managedDeviceId and aadDeviceId null
 * on a PC that never finished provisioning, powerState only on frontline PCs (it applies to frontline shared PCs only).
 */
export function serializePc(store: Store, pc: CloudPcRecord, opts: ReadOptions = { prefer: true }): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.cloudPC',
    id: pc.id,
    displayName: pc.displayName,
    imageDisplayName: pc.imageDisplayName,
    provisioningPolicyId: pc.provisioningPolicyId,
    provisioningPolicyName: pc.provisioningPolicyName,
    onPremisesConnectionName: 'Contoso-WEU-ANC',
    provisioningType: pc.productType === 'frontline' ? 'shared' : 'dedicated',
    deviceRegionName: 'westeurope',
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
    ...(pc.productType === 'frontline' ? { powerState: pc.powerState } : {}),
    productType: pc.productType,
    lastRemoteActionResult: lastRemoteActionResult(store, pc),
  } satisfies CloudPcOnTheWire;
}
