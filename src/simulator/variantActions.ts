// Bulk actions that exist only while a variant is on (variant sameTypeAgain): the same PCs in a second action of the
// same type, a few hours after the first, with other outcomes. The remote action history names no bulk action, so only
// the attempt's times tell the two apart: the case that must never lend one action's reason or success to the other.
import { DEMO_IDS, FAILURES, HOUR, MIN } from './seed.js';
import type { BulkActionRecord, DeviceRun, StatusDetail, Tenant } from './types.js';

/** The second restart: Bob's PC succeeds in it, Carol's fails for another reason than in last night's. */
export const SAME_TYPE_AGAIN_ID = '0d5e7a19-3c2b-4f8e-9a61-7b4c2e8d1f05';

function run(cloudPcId: string, created: number, state: DeviceRun['state'], detail: StatusDetail | null, k: number): DeviceRun {
  return {
    cloudPcId,
    state,
    requestDateTime: created,
    startDateTime: created,
    lastUpdatedDateTime: created + 2 * MIN,
    detail,
    failureOnRetry: null,
    resolveAt: null,
    retryCount: 0,
    before: null,
    reportId: `5a3e7a19-3c2b-4f8e-9a61-${String(k).padStart(12, '0')}`,
    attempts: [],
  };
}

/** Adds or removes the variant's action so the tenant matches the variant switch. */
export function syncSameTypeAgain(tenant: Tenant, on: boolean): void {
  const i = tenant.bulkActions.findIndex((a) => a.id === SAME_TYPE_AGAIN_ID);
  if (!on) {
    if (i >= 0) tenant.bulkActions.splice(i, 1);
    return;
  }
  if (i >= 0) return;
  const first = tenant.bulkActions.find((a) => a.id === DEMO_IDS.failedRestart);
  if (!first) return;
  const created = first.createdDateTime + 3 * HOUR;
  const action: BulkActionRecord = {
    id: SAME_TYPE_AGAIN_ID,
    type: 'cloudPcBulkRestart',
    displayName: 'Restart again - Bob and Carol',
    createdDateTime: created,
    initiatedByUserPrincipalName: first.initiatedByUserPrincipalName,
    scheduledDuringMaintenanceWindow: false,
    extra: {},
    runs: [run(DEMO_IDS.bobPc, created, 'done', null, 1), run(DEMO_IDS.carolPc, created, 'failed', FAILURES.notRunning, 2)],
  };
  tenant.bulkActions.push(action);
}
