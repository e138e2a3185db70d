// Builds the Contoso demo tenant from its data (seed.ts): devices drawn from the policies' pools, the seeded outcomes,
// and the Cloud PC state those outcomes imply.

import { actionSpecs, buildCloudPcs, DEMO_IDS, FAILURES, Gen, MIN, POLICIES, DAY, type Outcome, type PolicyKey } from './seed.js';
import type { BulkActionRecord, CloudPcRecord, DeviceRun, Tenant } from './types.js';

const DONE: Outcome = { state: 'done' };

/** Graph's portal names bulk actions like this when the admin gives no name. */
function autoName(type: string, at: number): string {
  const d = new Date(at);
  const action = type.replace(/^cloudPc/, '');
  return `${action} on ${d.getUTCFullYear()}-${d.getUTCMonth() + 1}-${d.getUTCDate()} ${String(d.getUTCHours()).padStart(2, '0')}:${String(
    d.getUTCMinutes(),
  ).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')} GMT+0000 (Coordinated Universal Time)`;
}

function buildBulkActions(gen: Gen, now: number, pcs: CloudPcRecord[]): BulkActionRecord[] {
  const notable = new Set<string>();
  for (const v of Object.values(DEMO_IDS) as unknown[]) if (typeof v === 'string') notable.add(v);
  const pools: Record<PolicyKey, CloudPcRecord[]> = {
    standard: pcs.filter((p) => p.provisioningPolicyId === POLICIES.standard.id && !notable.has(p.id)),
    developers: pcs.filter((p) => p.provisioningPolicyId === POLICIES.developers.id && !notable.has(p.id)),
    frontline: pcs.filter((p) => p.provisioningPolicyId === POLICIES.frontline.id && !notable.has(p.id)),
  };
  const cursor: Record<PolicyKey, number> = { standard: 0, developers: 0, frontline: 0 };

  return actionSpecs(now).map((spec) => {
    const id = spec.id ?? gen.guid();
    const devices = [...spec.devices];
    const pool = spec.pool ? pools[spec.pool] : [];
    for (let k = 0; k < (spec.extraDevices ?? 0) && pool.length > 0; k++) {
      const pc = pool[cursor[spec.pool!]++ % pool.length]!;
      devices.push([pc.id, DONE]);
    }
    if (spec.id === DEMO_IDS.pendingPowerOn) {
      // The last two devices of the running power-on never finish: a permanently pending action for demos.
      devices.forEach((d, k) => {
        if (k >= 2) d[1] = { state: 'active' };
      });
    }
    if (spec.id === DEMO_IDS.failedTroubleshoot && devices[0]) {
      const [pcId] = devices[0];
      devices[0] = [pcId, { state: 'failed', detail: FAILURES.notRunning, minutes: 3 }];
    }
    const runs: DeviceRun[] = devices.map(([cloudPcId, outcome], k) => {
      const inProgress = outcome.state === 'active' || outcome.state === 'pending';
      const finished = spec.created + (outcome.minutes ?? 3 + ((k * 7) % 13)) * MIN;
      return {
        cloudPcId,
        state: outcome.state,
        requestDateTime: spec.created,
        startDateTime: spec.created,
        lastUpdatedDateTime: inProgress ? Math.min(now, spec.created + 2 * MIN) : finished,
        detail: outcome.detail ?? null,
        failureOnRetry: outcome.failureOnRetry ?? null,
        resolveAt: null,
        retryCount: 0,
        before: null,
        reportId: gen.guid(),
        attempts: [],
      };
    });
    return {
      id,
      type: spec.type,
      displayName: spec.displayName ?? autoName(spec.type, spec.created),
      createdDateTime: spec.created,
      initiatedByUserPrincipalName: spec.initiator,
      scheduledDuringMaintenanceWindow: spec.maintenanceWindow ?? false,
      extra: spec.extra ?? {},
      runs,
    };
  });
}

/** Cloud PC state that the seeded failures imply. */
function applyAftermath(pcs: CloudPcRecord[], actions: BulkActionRecord[], now: number): void {
  const byId = new Map(pcs.map((p) => [p.id, p]));
  const troubled = actions.find((a) => a.id === DEMO_IDS.failedTroubleshoot)?.runs[0];
  const off = troubled ? byId.get(troubled.cloudPcId) : undefined;
  if (off) off.powerState = 'poweredOff';
  const dave = byId.get(DEMO_IDS.davePc);
  if (dave) {
    dave.status = 'inGracePeriod';
    dave.gracePeriodEndDateTime = now + 5 * DAY;
  }
  for (const [id, d] of [
    [DEMO_IDS.erinPc, FAILURES.internal],
    [DEMO_IDS.frankPc, FAILURES.subnetFull],
  ] as const) {
    const pc = byId.get(id);
    if (pc) {
      // A rebuild that failed leaves a PC no longer enrolled: Graph then has no Intune or Entra device id for it (as the
      // reference example of failed Cloud PCs shows).
      pc.status = 'failed';
      pc.statusDetail = d;
      pc.managedDeviceId = null;
      pc.aadDeviceId = null;
    }
  }
}

export function buildDemoTenant(now: number): Tenant {
  const gen = new Gen(0x0c0de365);
  const cloudPcs = buildCloudPcs(gen, now);
  const bulkActions = buildBulkActions(gen, now, cloudPcs);
  applyAftermath(cloudPcs, bulkActions, now);
  return { cloudPcs, bulkActions };
}
