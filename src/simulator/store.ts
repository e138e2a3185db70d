// Tenant state and its transitions. Time only moves when someone looks: advance(now) runs before every
// request and every state read, so retries resolve by the (injectable) clock without any timers.

import { ACTION_TYPE_RECORDS, actionTypeOf, actionTypeRecord, type ActionTypeRecord } from '../core/actionTypes.js';
import { BadRequest, GraphError } from './http.js';
import { buildTenant, type SeedName } from './seeds.js';
import type { BulkActionRecord, BulkActionStatus, CloudPcRecord, DeviceRun, RecordedRetry, Tenant } from './types.js';
import { syncSameTypeAgain, unknownVariants, type SimulatorVariant } from './variants.js';

/** The derived type names the simulator serves ('cloudPcBulkRestart', …): every row of the one record. */
export const BULK_ACTION_TYPES: readonly string[] = ACTION_TYPE_RECORDS.map((r) => r.odataType.replace('#microsoft.graph.', ''));

export interface ActionSummary {
  successfulCount: number;
  failedCount: number;
  inProgressCount: number;
  notSupportedCount: number;
  pendingCount: number;
}

/** The record of a simulated action's type ('cloudPcBulkRestart' → the restart row); undefined for a type not in it. */
export function recordOf(type: string): ActionTypeRecord | undefined {
  return actionTypeRecord(actionTypeOf(`#microsoft.graph.${type}`));
}

/** 'cloudPcBulkRestart' → 'Restart': the Action column of the reports (the reference example shows 'Resize'). */
export function actionName(type: string): string {
  return type.replace(/^cloudPcBulk/, '');
}

export class Store {
  tenant: Tenant;
  readonly retries: RecordedRetry[] = [];
  /** Switched-on variants; reset() goes back to the ones the simulator started with. */
  readonly variants: Set<SimulatorVariant>;
  /** $batch parts already throttled once (variant batchThrottling), by url. */
  readonly throttledParts = new Set<string>();
  private pcIndex: { list: CloudPcRecord[]; size: number; map: Map<string, CloudPcRecord> } | undefined;
  private runIndex: Map<string, { action: BulkActionRecord; run: DeviceRun }[]> | undefined;

  constructor(
    private readonly seed: SeedName,
    private readonly progressMs: number,
    now: number,
    private readonly startVariants: readonly SimulatorVariant[] = [],
  ) {
    this.tenant = buildTenant(seed, now);
    this.variants = new Set(startVariants);
    this.syncVariantData();
  }

  /** Data that exists only while its variant is on (variants.ts). */
  private syncVariantData(): void {
    syncSameTypeAgain(this.tenant, this.has('sameTypeAgain'));
    this.runIndex = undefined;
  }

  has(v: SimulatorVariant): boolean {
    return this.variants.has(v);
  }

  /** Exactly these variants on, the others off (until reset). Throws on a name that is not a variant. */
  setVariants(on: readonly string[]): void {
    const bad = unknownVariants(on);
    if (bad.length) throw new BadRequest(`Not simulator variants: ${bad.join(', ')}. GET /_simulator/variants lists them.`);
    this.variants.clear();
    for (const v of on as SimulatorVariant[]) this.variants.add(v);
    this.syncVariantData();
  }

  reset(now: number): void {
    this.tenant = buildTenant(this.seed, now);
    this.retries.length = 0;
    this.variants.clear();
    for (const v of this.startVariants) this.variants.add(v);
    this.throttledParts.clear();
    this.pcIndex = undefined;
    this.runIndex = undefined;
    this.syncVariantData();
  }

  findAction(id: string): BulkActionRecord | undefined {
    const want = id.toLowerCase();
    return this.tenant.bulkActions.find((a) => a.id.toLowerCase() === want);
  }

  findPc(id: string): CloudPcRecord | undefined {
    // Indexed (10,000 PCs in the large seed); rebuilt when a test swaps or grows the list.
    const list = this.tenant.cloudPcs;
    if (!this.pcIndex || this.pcIndex.list !== list || this.pcIndex.size !== list.length) {
      this.pcIndex = { list, size: list.length, map: new Map(list.map((p) => [p.id.toLowerCase(), p])) };
    }
    return this.pcIndex.map.get(id.toLowerCase());
  }

  /** Every device run of a Cloud PC across bulk actions; the index lives until the next advance(). */
  runsOf(pcId: string): { action: BulkActionRecord; run: DeviceRun }[] {
    if (!this.runIndex) {
      this.runIndex = new Map();
      for (const action of this.tenant.bulkActions) {
        for (const run of action.runs) {
          const key = run.cloudPcId.toLowerCase();
          const list = this.runIndex.get(key) ?? [];
          list.push({ action, run });
          this.runIndex.set(key, list);
        }
      }
    }
    return this.runIndex.get(pcId.toLowerCase()) ?? [];
  }

  /** Resolves every retried device whose time has come. Outcomes are fixed by the seed, not random. */
  advance(now: number): void {
    this.runIndex = undefined;
    for (const action of this.tenant.bulkActions) {
      for (const run of action.runs) {
        if ((run.state !== 'active' && run.state !== 'pending') || run.resolveAt === null || run.resolveAt > now) continue;
        this.resolve(action, run);
      }
    }
  }

  private resolve(action: BulkActionRecord, run: DeviceRun): void {
    const pc = this.findPc(run.cloudPcId);
    run.lastUpdatedDateTime = run.resolveAt!;
    run.resolveAt = null;
    if (run.failureOnRetry) {
      run.state = 'failed';
      run.detail = run.failureOnRetry;
      if (pc && run.before) {
        // A failed rebuild leaves the PC failed; other actions leave it as it was.
        const reprovision = recordOf(action.type)?.type === 'reprovision';
        pc.status = reprovision ? 'failed' : run.before.status;
        pc.statusDetail = reprovision ? run.failureOnRetry : run.before.statusDetail;
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

  private applySuccess(type: string, pc: CloudPcRecord, run: DeviceRun): void {
    const record = recordOf(type);
    if (record?.pcStatusWhileRunning !== undefined) {
      pc.status = 'provisioned';
      pc.statusDetail = null;
    } else if (run.before) {
      pc.status = run.before.status;
      pc.statusDetail = run.before.statusDetail;
    }
    if (record?.powerStateAfter) pc.powerState = record.powerStateAfter;
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
      const wanted = new Set(cloudPcIds.map((id) => id.toLowerCase()));
      const inAction = new Set(action.runs.map((r) => r.cloudPcId.toLowerCase()));
      const missing = [...wanted].filter((id) => !inAction.has(id));
      if (missing.length > 0) {
        const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ', …' : '');
        throw new BadRequest(
          `${missing.length} of the ${wanted.size} Cloud PC IDs in cloudPcIds ${missing.length === 1 ? 'is' : 'are'} not part of bulk action '${action.id}': ${shown}.`,
        );
      }
      targets = action.runs.filter((r) => r.state === 'failed' && wanted.has(r.cloudPcId.toLowerCase()));
    }
    for (const run of targets) this.rerun(action, run, now);
    return targets.map((r) => r.cloudPcId);
  }

  private rerun(action: BulkActionRecord, run: DeviceRun, now: number): void {
    const pc = this.findPc(run.cloudPcId);
    // A new array, not a push: tests and the bench build runs by spreading a template run.
    run.attempts = [
      ...run.attempts,
      {
        state: run.state,
        detail: run.detail,
        startDateTime: run.startDateTime,
        lastUpdatedDateTime: run.lastUpdatedDateTime,
        reportId: run.reportId,
      },
    ];
    run.reportId = `${run.reportId.slice(0, 24)}${String(run.attempts.length).padStart(12, '0')}`;
    run.before = pc ? { status: pc.status, powerState: pc.powerState, statusDetail: pc.statusDetail } : null;
    run.state = 'active';
    run.detail = null;
    run.startDateTime = now;
    run.lastUpdatedDateTime = now;
    run.resolveAt = now + this.progressMs;
    run.retryCount++;
    if (pc) {
      const status = recordOf(action.type)?.pcStatusWhileRunning;
      if (status !== undefined) {
        pc.status = status;
        pc.statusDetail = null;
      }
      pc.lastModifiedDateTime = now;
    }
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

  /**
   * pending while anything runs; otherwise failed if any device failed. notSupported devices do not fail the action.
   * Variant partlyFailedNotFailed: a mix of failed and succeeded devices reports succeeded (Graph defines no value for it).
   */
  status(action: BulkActionRecord): BulkActionStatus {
    const s = this.summary(action);
    if (s.inProgressCount + s.pendingCount > 0) return 'pending';
    if (s.failedCount > 0 && s.successfulCount > 0 && this.has('partlyFailedNotFailed')) return 'succeeded';
    return s.failedCount > 0 ? 'failed' : 'succeeded';
  }
}

export function notFound(typeName: string, id: string): GraphError {
  return new GraphError(404, 'itemNotFound', `The requested ${typeName} with id '${id}' was not found.`);
}
