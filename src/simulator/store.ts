// Tenant state and its transitions. Time only moves when someone looks: advance(now) runs before every
// request and every state read, so retries resolve by the (injectable) clock without any timers.

import { BadRequest, GraphError } from './http.js';
import { buildTenant } from './seed.js';
import type { BulkActionRecord, BulkActionStatus, CloudPcRecord, DeviceRun, RecordedRetry, Tenant } from './types.js';

export const BULK_ACTION_TYPES = [
  'cloudPcBulkRestart', 'cloudPcBulkReprovision', 'cloudPcBulkResize', 'cloudPcBulkRestore', 'cloudPcBulkPowerOn',
  'cloudPcBulkPowerOff', 'cloudPcBulkTroubleshoot', 'cloudPcBulkReinstallAgent', 'cloudPcBulkModifyDiskEncryptionType',
  'cloudPcBulkDisasterRecovery', 'cloudPcBulkDisasterRecoveryFailback', 'cloudPcBulkDisasterRecoveryFailover',
  'cloudPcBulkMove', 'cloudPcBulkSetReviewStatus', 'cloudPcBulkCreateSnapshot',
] as const;

export interface ActionSummary {
  successfulCount: number;
  failedCount: number;
  inProgressCount: number;
  notSupportedCount: number;
  pendingCount: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** 'cloudPcBulkRestart' → 'Restart': the Action column of the reports. */
export function actionName(type: string): string {
  return type.replace(/^cloudPcBulk/, '');
}

/** The name cloudPC.lastRemoteActionResult uses; Graph calls a restart 'Reboot' there. */
function remoteActionName(type: string): string {
  const name = actionName(type);
  return name === 'Restart' ? 'Reboot' : name;
}

// What a running attempt does to the Cloud PC, by action type.
const IN_PROGRESS_STATUS: Record<string, string> = {
  cloudPcBulkReprovision: 'provisioning',
  cloudPcBulkRestore: 'restoring',
  cloudPcBulkResize: 'resizing',
};

export class Store {
  tenant: Tenant;
  readonly retries: RecordedRetry[] = [];

  constructor(
    private readonly seed: 'demo' | 'empty',
    private readonly progressMs: number,
    now: number,
  ) {
    this.tenant = buildTenant(seed, now);
  }

  reset(now: number): void {
    this.tenant = buildTenant(this.seed, now);
    this.retries.length = 0;
  }

  findAction(id: string): BulkActionRecord | undefined {
    const want = id.toLowerCase();
    return this.tenant.bulkActions.find((a) => a.id.toLowerCase() === want);
  }

  findPc(id: string): CloudPcRecord | undefined {
    const want = id.toLowerCase();
    return this.tenant.cloudPcs.find((p) => p.id.toLowerCase() === want);
  }

  /** Resolves every retried device whose time has come. Outcomes are fixed by the seed, not random. */
  advance(now: number): void {
    for (const action of this.tenant.bulkActions) {
      for (const run of action.runs) {
        if ((run.state !== 'active' && run.state !== 'pending') || run.resolveAt === null || run.resolveAt > now) continue;
        const pc = this.findPc(run.cloudPcId);
        run.lastUpdatedDateTime = run.resolveAt;
        run.resolveAt = null;
        if (run.failureOnRetry) {
          run.state = 'failed';
          run.detail = run.failureOnRetry;
          if (pc && run.before) {
            pc.status = action.type === 'cloudPcBulkReprovision' ? 'failed' : run.before.status;
            pc.statusDetail = action.type === 'cloudPcBulkReprovision' ? run.failureOnRetry : run.before.statusDetail;
            pc.powerState = run.before.powerState;
          }
        } else {
          run.state = 'done';
          run.detail = null;
          if (pc) this.applySuccess(action.type, pc, run);
        }
        if (pc) pc.lastModifiedDateTime = run.lastUpdatedDateTime;
        run.before = null;
      }
    }
  }

  private applySuccess(type: string, pc: CloudPcRecord, run: DeviceRun): void {
    if (IN_PROGRESS_STATUS[type] !== undefined) {
      pc.status = 'provisioned';
      pc.statusDetail = null;
    } else if (run.before) {
      pc.status = run.before.status;
      pc.statusDetail = run.before.statusDetail;
    }
    if (type === 'cloudPcBulkRestart' || type === 'cloudPcBulkPowerOn' || type === 'cloudPcBulkReprovision') pc.powerState = 'running';
    else if (type === 'cloudPcBulkPowerOff') pc.powerState = 'poweredOff';
    else if (run.before) pc.powerState = run.before.powerState;
  }

  /**
   * Applies an accepted retry and returns the devices that were re-run.
   *
   * Modelled semantics (Graph documents only "if not provided, all failed devices are retried"):
   * - No cloudPcIds, or an empty array: every device currently `failed` is re-run. An empty list is read as
   *   "not provided", so a caller must never send [] meaning "nothing".
   * - With cloudPcIds: every id must belong to the action (case-insensitive GUID match), else 400 naming how
   *   many did not; nothing is applied then. Ids that belong but are not currently failed (done, notSupported,
   *   or still running from an earlier retry) are accepted and silently not re-run, so repeating a retry is
   *   harmless.
   * - Nothing to re-run is still 202: the service accepts the request and has nothing to do.
   */
  retry(actionId: string, cloudPcIds: string[] | undefined, now: number): string[] {
    const action = this.findAction(actionId);
    if (!action) throw notFound('cloudPcBulkAction', actionId);
    let targets: DeviceRun[];
    if (cloudPcIds === undefined || cloudPcIds.length === 0) {
      targets = action.runs.filter((r) => r.state === 'failed');
    } else {
      const wanted = [...new Set(cloudPcIds.map((id) => id.toLowerCase()))];
      const inAction = new Set(action.runs.map((r) => r.cloudPcId.toLowerCase()));
      const missing = wanted.filter((id) => !inAction.has(id));
      if (missing.length > 0) {
        const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ', …' : '');
        throw new BadRequest(
          `${missing.length} of the ${wanted.length} Cloud PC IDs in cloudPcIds ${missing.length === 1 ? 'is' : 'are'} not part of bulk action '${action.id}': ${shown}.`,
        );
      }
      targets = action.runs.filter((r) => r.state === 'failed' && wanted.includes(r.cloudPcId.toLowerCase()));
    }
    for (const run of targets) {
      const pc = this.findPc(run.cloudPcId);
      run.before = pc ? { status: pc.status, powerState: pc.powerState, statusDetail: pc.statusDetail } : null;
      run.state = 'active';
      run.detail = null;
      run.startDateTime = now;
      run.lastUpdatedDateTime = now;
      run.resolveAt = now + this.progressMs;
      run.retryCount++;
      if (pc) {
        const status = IN_PROGRESS_STATUS[action.type];
        if (status !== undefined) {
          pc.status = status;
          pc.statusDetail = null;
        }
        pc.lastModifiedDateTime = now;
      }
    }
    return targets.map((r) => r.cloudPcId);
  }

  summary(action: BulkActionRecord): ActionSummary {
    const s: ActionSummary = { successfulCount: 0, failedCount: 0, inProgressCount: 0, notSupportedCount: 0, pendingCount: 0 };
    for (const r of action.runs) {
      if (r.state === 'done') s.successfulCount++;
      else if (r.state === 'failed') s.failedCount++;
      else if (r.state === 'active') s.inProgressCount++;
      else if (r.state === 'notSupported') s.notSupportedCount++;
      else s.pendingCount++;
    }
    return s;
  }

  /** pending while anything runs; otherwise failed if any device failed. notSupported devices do not fail the action. */
  status(action: BulkActionRecord): BulkActionStatus {
    const s = this.summary(action);
    if (s.inProgressCount + s.pendingCount > 0) return 'pending';
    return s.failedCount > 0 ? 'failed' : 'succeeded';
  }

  /** The bulk action as Graph serialises it (derived type in @odata.type, derived properties last). */
  serializeAction(action: BulkActionRecord): Record<string, unknown> {
    return {
      '@odata.type': `#microsoft.graph.${action.type}`,
      id: action.id,
      displayName: action.displayName,
      createdDateTime: iso(action.createdDateTime),
      initiatedByUserPrincipalName: action.initiatedByUserPrincipalName,
      scheduledDuringMaintenanceWindow: action.scheduledDuringMaintenanceWindow,
      cloudPcIds: action.runs.map((r) => r.cloudPcId),
      status: this.status(action),
      actionSummary: this.summary(action),
      ...action.extra,
    };
  }

  /** Every attempt recorded for a Cloud PC, newest first (retrieveCloudPcRemoteActionResults). */
  remoteActionResults(pc: CloudPcRecord): Record<string, unknown>[] {
    const out: { at: number; value: Record<string, unknown> }[] = [];
    for (const action of this.tenant.bulkActions) {
      for (const run of action.runs) {
        if (run.cloudPcId !== pc.id) continue;
        out.push({
          at: run.startDateTime,
          value: {
            actionName: remoteActionName(action.type),
            actionState: run.state,
            startDateTime: iso(run.startDateTime),
            lastUpdatedDateTime: iso(run.lastUpdatedDateTime),
            cloudPcId: pc.id,
            managedDeviceId: pc.managedDeviceId,
            statusDetail: run.detail,
          },
        });
      }
    }
    return out.sort((a, b) => b.at - a.at).map((o) => o.value);
  }

  serializePc(pc: CloudPcRecord): Record<string, unknown> {
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
      status: pc.status,
      statusDetail: pc.statusDetail,
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
      lastRemoteActionResult: this.remoteActionResults(pc)[0] ?? null,
    };
  }
}

export function notFound(typeName: string, id: string): GraphError {
  return new GraphError(404, 'itemNotFound', `The requested ${typeName} with id '${id}' was not found.`);
}
