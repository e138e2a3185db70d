// The Contoso demo tenant's bulk actions: the notable ones the demo and tests rely on, and older uneventful history.
// Timestamps sit relative to the simulator clock so that "last night" reads right in a demo.

import { ADMINS, buildCloudPcs, DAY, DEMO_IDS, FAILURES, Gen, HOUR, MIN, POLICIES, type PolicyKey } from './seed.js';
import type { BulkActionRecord, CloudPcRecord, DeviceRun, StatusDetail, Tenant } from './types.js';

// ---------------------------------------------------------------- bulk actions

type Outcome = { state: DeviceRun['state']; detail?: StatusDetail; failureOnRetry?: StatusDetail; minutes?: number };

interface ActionSpec {
  id?: string;
  type: string;
  displayName?: string;
  created: number;
  initiator: string;
  maintenanceWindow?: boolean;
  extra?: Record<string, unknown>;
  /** Explicit devices and outcomes; the rest are drawn from the pool and succeed. */
  devices: [string, Outcome][];
  extraDevices?: number;
  /** Policy whose Cloud PCs fill extraDevices. */
  pool?: PolicyKey;
}

const DONE: Outcome = { state: 'done' };

/** Graph's portal names bulk actions like this when the admin gives no name. */
function autoName(type: string, at: number): string {
  const d = new Date(at);
  const action = type.replace(/^cloudPc/, '');
  return `${action} on ${d.getUTCFullYear()}-${d.getUTCMonth() + 1}-${d.getUTCDate()} ${String(d.getUTCHours()).padStart(2, '0')}:${String(
    d.getUTCMinutes(),
  ).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')} GMT+0000 (Coordinated Universal Time)`;
}

/** 02:00 UTC of the night that has most recently ended (before 06:00 UTC that is the previous night). */
export function lastNight(now: number): number {
  const midnight = Math.floor(now / DAY) * DAY;
  const twoAm = midnight + 2 * HOUR;
  return now - midnight >= 6 * HOUR ? twoAm : twoAm - DAY;
}

function actionSpecs(now: number): ActionSpec[] {
  const night = lastNight(now);
  const specs: ActionSpec[] = [
    {
      id: DEMO_IDS.failedRestart,
      type: 'cloudPcBulkRestart',
      displayName: 'Overnight restart - Contoso Standard Workers',
      created: night,
      initiator: ADMINS[0],
      maintenanceWindow: true,
      devices: [
        [DEMO_IDS.alicePc, { state: 'done', minutes: 4 }],
        [DEMO_IDS.bobPc, { state: 'failed', detail: FAILURES.notRunning, minutes: 2 }],
        [DEMO_IDS.carolPc, { state: 'failed', detail: FAILURES.timedOut, minutes: 30 }],
        [DEMO_IDS.davePc, { state: 'failed', detail: FAILURES.gracePeriod, failureOnRetry: FAILURES.gracePeriod, minutes: 1 }],
      ],
      extraDevices: 4,
      pool: 'standard',
    },
    {
      id: DEMO_IDS.failedReprovision,
      type: 'cloudPcBulkReprovision',
      displayName: 'Reprovision after image update - Developers',
      created: night - 12 * HOUR,
      initiator: ADMINS[1],
      devices: [
        [DEMO_IDS.erinPc, { state: 'failed', detail: FAILURES.internal, minutes: 48 }],
        [DEMO_IDS.frankPc, { state: 'failed', detail: FAILURES.subnetFull, failureOnRetry: FAILURES.subnetFull, minutes: 6 }],
        [DEMO_IDS.aliceDevPc, { state: 'done', minutes: 71 }],
      ],
      extraDevices: 3,
      pool: 'developers',
    },
    {
      id: DEMO_IDS.restore,
      type: 'cloudPcBulkRestore',
      displayName: 'Restore to before the failed driver update',
      created: night - 2 * DAY + 9 * HOUR,
      initiator: ADMINS[0],
      extra: {
        restorePointDateTime: new Date(night - 3 * DAY + 18 * HOUR).toISOString(),
        timeRange: 'before',
        ignoreUnhealthySnapshots: false,
      },
      devices: [],
      extraDevices: 3,
      pool: 'standard',
    },
    {
      id: DEMO_IDS.resize,
      type: 'cloudPcBulkResize',
      displayName: 'Resize developers to 8vCPU/32GB',
      created: night - 3 * DAY + 8 * HOUR,
      initiator: ADMINS[2],
      extra: { targetServicePlanId: DEMO_IDS.servicePlans.enterprise8x32 },
      devices: [[DEMO_IDS.gracePc, { state: 'notSupported', detail: FAILURES.frontlineResize, minutes: 0 }]],
      extraDevices: 4,
      pool: 'developers',
    },
    {
      id: DEMO_IDS.pendingPowerOn,
      type: 'cloudPcBulkPowerOn',
      displayName: 'Power on - support desk shift',
      created: now - 12 * MIN,
      initiator: ADMINS[1],
      devices: [],
      extraDevices: 4,
      pool: 'frontline',
    },
    {
      id: DEMO_IDS.succeededRestart,
      type: 'cloudPcBulkRestart',
      displayName: 'Weekly restart - Frontline',
      created: night - 7 * DAY,
      initiator: ADMINS[0],
      maintenanceWindow: true,
      devices: [],
      extraDevices: 6,
      pool: 'frontline',
    },
    {
      id: DEMO_IDS.olderFailedRestart,
      type: 'cloudPcBulkRestart',
      created: night - 5 * DAY + 13 * HOUR,
      initiator: ADMINS[2],
      devices: [[DEMO_IDS.carolPc, { state: 'failed', detail: FAILURES.timedOut, minutes: 30 }]],
      extraDevices: 2,
      pool: 'developers',
    },
    {
      id: DEMO_IDS.failedTroubleshoot,
      type: 'cloudPcBulkTroubleshoot',
      displayName: 'Troubleshoot Frontline connection issues',
      created: night - 4 * DAY + 10 * HOUR,
      initiator: ADMINS[1],
      devices: [],
      extraDevices: 3,
      pool: 'frontline',
    },
  ];
  // Older, uneventful history, so that lists need more than one page and filters have something to skip.
  const history: [string, number, PolicyKey, number, Record<string, unknown>?][] = [
    ['cloudPcBulkRestart', 1, 'standard', 5],
    ['cloudPcBulkPowerOff', 1.5, 'frontline', 4],
    ['cloudPcBulkReinstallAgent', 2.5, 'standard', 3],
    ['cloudPcBulkPowerOn', 3.5, 'frontline', 4],
    ['cloudPcBulkRestart', 6, 'developers', 4],
    ['cloudPcBulkModifyDiskEncryptionType', 6.5, 'standard', 3, { diskEncryptionType: 'customerManagedKey' }],
    ['cloudPcBulkPowerOff', 8, 'frontline', 5],
    ['cloudPcBulkReprovision', 9, 'standard', 2],
    ['cloudPcBulkCreateSnapshot', 10, 'developers', 3, { storageAccountId: '/subscriptions/6f0c1b7e-2d4a-4c3b-9e8f-1a2b3c4d5e6f/resourceGroups/rg-cloudpc/providers/Microsoft.Storage/storageAccounts/contosocpcsnapshots', accessTier: 'cool' }],
    ['cloudPcBulkRestart', 11, 'standard', 6],
    ['cloudPcBulkTroubleshoot', 12, 'standard', 2],
    ['cloudPcBulkPowerOn', 13, 'frontline', 3],
    ['cloudPcBulkRestart', 14, 'developers', 3],
    ['cloudPcBulkReinstallAgent', 15, 'developers', 2],
    ['cloudPcBulkRestart', 16, 'standard', 4],
    ['cloudPcBulkPowerOff', 17, 'frontline', 4],
    ['cloudPcBulkRestart', 18, 'standard', 5],
  ];
  history.forEach(([type, daysAgo, pool, count, extra], i) => {
    specs.push({
      type,
      displayName: i % 3 === 0 ? undefined : `${type.replace(/^cloudPcBulk/, '')} - ${POLICIES[pool].name}`,
      created: night - daysAgo * DAY + (i % 5) * HOUR,
      initiator: ADMINS[i % ADMINS.length]!,
      maintenanceWindow: type === 'cloudPcBulkRestart' && i % 2 === 0,
      extra,
      devices: [],
      extraDevices: count,
      pool,
    });
  });
  return specs;
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
      pc.status = 'failed';
      pc.statusDetail = d;
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
