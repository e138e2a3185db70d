// A large tenant for `npm run bench`: 10,000 Cloud PCs, 1,000 bulk actions, and one reprovision of 5,000 devices of
// which 2,000 failed for a mix of reasons (retryable, fix-first and unknown). Deterministic, like the demo seed.

import { detail, FAILURES, Gen } from './seed.js';
import type { BulkActionRecord, CloudPcRecord, DeviceRun, StatusDetail, Tenant } from './types.js';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

export const LARGE_IDS = {
  /** Reprovision of 5,000 Cloud PCs a day ago: 3,000 done, 2,000 failed. */
  bigReprovision: '5e1a7c3d-9b2f-4e60-8a14-c7d2b9f0e315',
} as const;

export const LARGE_SHAPE = { cloudPcs: 10_000, bulkActions: 1_000, bigDevices: 5_000, bigFailed: 2_000 } as const;

const UNKNOWN_FAILURE = detail('imageBuildStepFailed', 'Step 7 of the image build did not complete.');

/** The i-th failure of the big action: 40% internal error, 30% subnet full, 20% time-out, 10% a code no table knows. */
function bigFailure(i: number): StatusDetail {
  const k = i % 10;
  return k < 4 ? FAILURES.internal : k < 7 ? FAILURES.subnetFull : k < 9 ? FAILURES.timedOut : UNKNOWN_FAILURE;
}

function pcs(gen: Gen, now: number): CloudPcRecord[] {
  const out: CloudPcRecord[] = [];
  for (let i = 0; i < LARGE_SHAPE.cloudPcs; i++) {
    const name = `CPC-u${String(i).padStart(5, '0')}-${gen.suffix()}`;
    out.push({
      id: gen.guid(),
      displayName: name,
      managedDeviceId: gen.guid(),
      managedDeviceName: name,
      userPrincipalName: `u${String(i).padStart(5, '0')}@contoso.com`,
      status: 'provisioned',
      statusDetail: null,
      provisioningPolicyId: '2f0c8e4a-6b1d-4c93-a7e5-3d9b1f6c8a20',
      provisioningPolicyName: 'Contoso Standard Workers',
      servicePlanId: '3bba9856-7cf2-4396-904a-00de74fba3a4',
      servicePlanName: 'Cloud PC Enterprise 2vCPU/8GB/128GB',
      servicePlanType: 'enterprise',
      aadDeviceId: gen.guid(),
      powerState: 'running',
      productType: 'enterprise',
      imageDisplayName: 'Windows 11 Enterprise + Microsoft 365 Apps 24H2',
      osVersion: 'windows11',
      userAccountType: 'standardUser',
      lastModifiedDateTime: now - 30 * DAY,
      gracePeriodEndDateTime: null,
      history: [],
    });
  }
  return out;
}

function run(gen: Gen, cloudPcId: string, created: number, state: DeviceRun['state'], d: StatusDetail | null, k: number): DeviceRun {
  return {
    cloudPcId,
    state,
    requestDateTime: created,
    startDateTime: created,
    lastUpdatedDateTime: created + (3 + (k % 40)) * MIN,
    detail: d,
    failureOnRetry: d === FAILURES.subnetFull ? d : null,
    resolveAt: null,
    retryCount: 0,
    before: null,
    reportId: gen.guid(),
    attempts: [],
  };
}

const TYPES = ['cloudPcBulkRestart', 'cloudPcBulkPowerOn', 'cloudPcBulkPowerOff', 'cloudPcBulkTroubleshoot', 'cloudPcBulkReinstallAgent'];

function actions(gen: Gen, now: number, all: CloudPcRecord[]): BulkActionRecord[] {
  const bigCreated = now - DAY;
  const big: BulkActionRecord = {
    id: LARGE_IDS.bigReprovision,
    type: 'cloudPcBulkReprovision',
    displayName: 'Reprovision after image update - all workers',
    createdDateTime: bigCreated,
    initiatedByUserPrincipalName: 'it-ops@contoso.com',
    scheduledDuringMaintenanceWindow: false,
    extra: {},
    runs: all
      .slice(0, LARGE_SHAPE.bigDevices)
      .map((pc, k) =>
        k % 5 < 2
          ? run(gen, pc.id, bigCreated, 'failed', bigFailure(Math.floor(k / 5) * 2 + (k % 5)), k)
          : run(gen, pc.id, bigCreated, 'done', null, k),
      ),
  };
  const out = [big];
  // The rest: five devices each, spread over the last 100 days; every tenth has one failed device.
  for (let n = 1; n < LARGE_SHAPE.bulkActions; n++) {
    const created = now - Math.round((n / LARGE_SHAPE.bulkActions) * 100 * DAY) - 2 * DAY;
    const type = TYPES[n % TYPES.length]!;
    const runs = Array.from({ length: 5 }, (_, k) => {
      const pc = all[(n * 7 + k * 1_999) % all.length]!;
      return n % 10 === 0 && k === 0 ? run(gen, pc.id, created, 'failed', FAILURES.timedOut, k) : run(gen, pc.id, created, 'done', null, k);
    });
    out.push({
      id: gen.guid(),
      type,
      displayName: `${type.replace(/^cloudPcBulk/, '')} #${n}`,
      createdDateTime: created,
      initiatedByUserPrincipalName: 'adele.vance@contoso.com',
      scheduledDuringMaintenanceWindow: false,
      extra: {},
      runs,
    });
  }
  return out;
}

export function buildLargeTenant(now: number): Tenant {
  const gen = new Gen(0x1a59e);
  const cloudPcs = pcs(gen, now);
  return { cloudPcs, bulkActions: actions(gen, now, cloudPcs) };
}
