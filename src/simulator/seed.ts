// The Contoso demo tenant as data: its ids, failures, Cloud PCs and bulk actions (built in seedActions.ts). Ids come from
// literals or a fixed-seed generator, so they are identical on every run. Like real Graph ids, only some of them carry
// RFC 4122 version/variant bits.

import type { CloudPcRecord, DeviceRun, OwnProperties, RemoteActionRecord, StatusDetail } from './types.js';
import { seededRandom } from './random.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export const DEMO_TENANT_DOMAIN = 'contoso.com';

/** Notable objects of the demo tenant, for the demo script and tests. */
export const DEMO_IDS = {
  /** Overnight restart: 8 Cloud PCs, 5 done, 3 failed (bob: not running, carol: timed out, dave: grace period — dave fails again on retry). */
  failedRestart: '8f1c2d3e-6a7b-4c8d-9e0f-a1b2c3d4e5f6',
  /** Reprovision yesterday afternoon: 6 Cloud PCs, 4 done, 2 failed (erin: internal error, frank: subnet out of IP addresses — frank fails again). */
  failedReprovision: '3b9e7c41-d05a-8f26-1c73-e4a98b2d6f10',
  /** Restore to a point in time two days ago; all 3 devices done. */
  restore: 'a7d4f2b9-31c6-4e58-b0a7-5d9c2e81f364',
  /** Resize to 8vCPU/32GB: 4 done, 1 notSupported (grace's Frontline Cloud PC); status succeeded. */
  resize: 'e52b8a07-9c1d-3f64-7a2e-0b8d5c9f1e43',
  /** Power-on started minutes ago; 2 done, 2 still active for good (status pending). */
  pendingPowerOn: '6c0a9d3f-2e7b-4a15-8d6c-f3b1e09a7d52',
  /** Weekly restart a week ago; all done. */
  succeededRestart: 'd1f7b3a5-8e2c-4d09-a6f1-7b3e5c9d2a84',
  /** An older restart (5 days ago) where carol's Cloud PC timed out. */
  olderFailedRestart: '2a6e4c8b-0d1f-9e37-5b2a-c8f06d4e1b97',
  /** Troubleshoot 4 days ago; one powered-off Cloud PC failed. */
  failedTroubleshoot: 'f08d3b6e-4a2c-4719-8e5d-2c7a9f1b3e60',
  /** Disaster-recovery failover (standard licence) a week and a half ago; all 3 devices done. */
  disasterRecovery: '5e3a9c71-0b4d-4f26-8a1e-c7d2b9f4e083',

  alicePc: '0f4e2a9c-7b13-4d8e-a5c6-9e1b3d7f2a48',
  aliceDevPc: 'c93a1e57-2d8b-6f04-e1a9-7b5c3d0f8e26',
  bobPc: '5d8b3f10-e6a2-4c79-9b41-0a7e2c6d8f35',
  carolPc: 'b2e7c4a9-1f3d-5e86-c0b7-4d9a2e6f1c83',
  davePc: '71c9e3b5-4a0d-4f62-8e1b-d6a3c9f5e207',
  erinPc: '9e2f6a4c-b1d8-3e75-a4c0-5f8d2b7e9a16',
  frankPc: '4a7d1c9e-3b6f-4e28-b5d0-8c2e6a4f1d93',
  /** Frontline Cloud PC that the resize reported as notSupported. */
  gracePc: 'e6b04d2f-8a3c-1d97-f2e5-a0c7b9d3e458',

  policies: {
    standard: '2f0c8e4a-6b1d-4c93-a7e5-3d9b1f6c8a20',
    developers: '8d4b2f6e-0a9c-7e13-b5d8-1c6f4a2e9b75',
    frontline: 'c1e5a9d3-7f2b-4b68-9c0e-6a4d8f2b1e39',
  },
  servicePlans: {
    enterprise2x8: '3bba9856-7cf2-4396-904a-00de74fba3a4',
    enterprise4x16: '9ecf691d-8b82-46cb-b254-cd061b2c02fb',
    enterprise8x32: '51855c77-4d2e-4736-be67-6dca605f2b57',
    frontline2x8: '057efbfe-a95d-4263-acb0-12b4a31fed8d',
  },
} as const;

export const POLICIES = {
  standard: { id: DEMO_IDS.policies.standard, name: 'Contoso Standard Workers', plan: 'enterprise2x8' },
  developers: { id: DEMO_IDS.policies.developers, name: 'Contoso Developers', plan: 'enterprise4x16' },
  frontline: { id: DEMO_IDS.policies.frontline, name: 'Contoso Frontline Shift A', plan: 'frontline2x8' },
} as const;
export type PolicyKey = keyof typeof POLICIES;

const PLAN_NAMES: Record<keyof typeof DEMO_IDS.servicePlans, string> = {
  enterprise2x8: 'Cloud PC Enterprise 2vCPU/8GB/128GB',
  enterprise4x16: 'Cloud PC Enterprise 4vCPU/16GB/256GB',
  enterprise8x32: 'Cloud PC Enterprise 8vCPU/32GB/512GB',
  frontline2x8: 'Cloud PC Frontline 2vCPU/8GB/128GB',
};

export const ADMINS = ['adele.vance@contoso.com', 'it-ops@contoso.com', 'megan.bowen@contoso.com'] as const;

// ---------------------------------------------------------------- deterministic generation

export class Gen {
  private readonly rand: () => number;
  private n = 0;
  constructor(seed: number) {
    this.rand = seededRandom(seed);
  }
  int(max: number): number {
    return Math.floor(this.rand() * max);
  }
  hex(len: number): string {
    let s = '';
    for (let i = 0; i < len; i++) s += '0123456789abcdef'[this.int(16)]!;
    return s;
  }
  /** Every third id is plain random hex, the others look like v4 GUIDs. */
  guid(): string {
    const h = this.hex(32).split('');
    if (this.n++ % 3 !== 0) {
      h[12] = '4';
      h[16] = '89ab'[this.int(4)]!;
    }
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
  suffix(): string {
    let s = '';
    for (let i = 0; i < 5; i++) s += 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'[this.int(34)]!;
    return s;
  }
}

export function detail(code: string, message: string, retriable?: boolean): StatusDetail {
  return {
    code,
    message,
    additionalInformation: retriable === undefined ? [] : [{ name: 'retriable', value: String(retriable) }],
  };
}

// Codes from Graph's documentation where it has one for the cause (internalServerError, operationNotSupported,
// resourceAvailabilityCheckNoSubnetIP); the others are illustrative and classified by their message.
export const FAILURES = {
  notRunning: detail('cloudPcNotRunning', 'The Cloud PC is not running. Start the Cloud PC and try again.', false),
  timedOut: detail('operationTimeout', 'Operation timed out. The Cloud PC did not respond before the deadline.', true),
  gracePeriod: detail(
    'cloudPcInGracePeriod',
    "The Cloud PC is in its grace period because the user's Windows 365 license was removed. Reassign a license to run actions on it.",
    false,
  ),
  internal: detail('internalServerError', 'An internal error occurred while reprovisioning. Retry the action.', true),
  subnetFull: detail(
    'resourceAvailabilityCheckNoSubnetIP',
    "The subnet 'snet-cloudpc-weu' of Azure network connection 'Contoso-WEU-ANC' has no free IP addresses.",
    false,
  ),
  frontlineResize: detail('operationNotSupported', 'Resizing is not supported for Windows 365 Frontline Cloud PCs.', false),
} as const;

// ---------------------------------------------------------------- Cloud PCs

const USERS = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'kevin',
  'laura',
  'mike',
  'nina',
  'oscar',
  'peggy',
  'quinn',
  'rachel',
  'sam',
  'tina',
  'uma',
  'victor',
  'wendy',
  'xavier',
  'yara',
  'zoe',
  'aaron',
  'bianca',
  'chris',
  'diana',
  'ethan',
  'fiona',
  'george',
  'hannah',
  'isaac',
  'jasmine',
  'kyle',
  'leah',
  'marco',
  'nora',
  'owen',
  'priya',
  'raj',
  'sofia',
  'tom',
  'ursula',
  'vince',
  'will',
] as const;

/** Users with a second Cloud PC, and the policy of that second one. */
const SECOND_PCS: [string, PolicyKey][] = [
  ['alice', 'developers'],
  ['ivan', 'developers'],
  ['kevin', 'frontline'],
  ['marco', 'developers'],
  ['nina', 'frontline'],
  ['priya', 'developers'],
  ['raj', 'developers'],
  ['sam', 'frontline'],
  ['tina', 'frontline'],
  ['victor', 'developers'],
  ['yara', 'frontline'],
  ['zoe', 'frontline'],
];

interface PcSpec {
  id?: string;
  user: string;
  policy: PolicyKey;
  suffix?: string;
  displayName?: string;
}

const NOTABLE_PCS: Record<string, Omit<PcSpec, 'user'>> = {
  alice: { id: DEMO_IDS.alicePc, policy: 'standard', suffix: '7Q2M1' },
  bob: { id: DEMO_IDS.bobPc, policy: 'standard', suffix: 'K3P9D' },
  carol: { id: DEMO_IDS.carolPc, policy: 'developers', suffix: 'X8V2L', displayName: "Carol's build box" },
  dave: { id: DEMO_IDS.davePc, policy: 'standard', suffix: 'M4T7Q' },
  erin: { id: DEMO_IDS.erinPc, policy: 'developers', suffix: 'R2H6W' },
  frank: { id: DEMO_IDS.frankPc, policy: 'developers', suffix: 'Z9C3N' },
  grace: { id: DEMO_IDS.gracePc, policy: 'frontline', suffix: 'F7J2P' },
};

/** A reboot that failed long ago: the unrelated action a PC's lastRemoteActionResult can still show. */
const OLD_REBOOT = (): RemoteActionRecord => ({
  actionName: 'Reboot',
  actionState: 'failed',
  startDateTime: Date.UTC(2023, 10, 14, 2, 0, 0),
  lastUpdatedDateTime: Date.UTC(2023, 10, 14, 2, 3, 0),
  detail: FAILURES.notRunning,
});

/** Older remote actions of the notable PCs, unrelated to any bulk action of the seed. */
const OLD_HISTORY: Record<string, () => RemoteActionRecord[]> = {
  bob: () => [OLD_REBOOT()],
  erin: () => [OLD_REBOOT()],
  frank: () => [
    OLD_REBOOT(),
    {
      ...OLD_REBOOT(),
      actionName: 'Troubleshoot',
      actionState: 'done',
      detail: null,
      startDateTime: Date.UTC(2024, 1, 2, 9, 0, 0),
      lastUpdatedDateTime: Date.UTC(2024, 1, 2, 9, 20, 0),
    },
  ],
  grace: () => [OLD_REBOOT()],
};

/** Statuses Graph added after unknownFutureValue, on two ordinary PCs (variant enumsNeedPrefer hides them). */
const LATER_STATUSES: Record<string, CloudPcRecord['status']> = { heidi: 'movingRegion', judy: 'resizePendingLicense' };

function pcSpecs(): PcSpec[] {
  const specs: PcSpec[] = [];
  USERS.forEach((user, i) => {
    const notable = NOTABLE_PCS[user];
    specs.push(notable ? { user, ...notable } : { user, policy: i % 7 === 3 ? 'frontline' : i % 4 === 1 ? 'developers' : 'standard' });
  });
  for (const [user, policy] of SECOND_PCS) {
    specs.push(user === 'alice' ? { user, policy, id: DEMO_IDS.aliceDevPc, suffix: 'D4V8K' } : { user, policy });
  }
  return specs;
}

export function buildCloudPcs(gen: Gen, now: number): CloudPcRecord[] {
  return pcSpecs().map((spec, i) => {
    const policy = POLICIES[spec.policy];
    const suffix = spec.suffix ?? gen.suffix();
    const managedDeviceName = `CPC-${spec.user.slice(0, 5)}-${suffix}`;
    const id = spec.id ?? gen.guid();
    return {
      id,
      displayName: spec.displayName ?? managedDeviceName,
      managedDeviceId: gen.guid(),
      managedDeviceName,
      userPrincipalName: `${spec.user}@${DEMO_TENANT_DOMAIN}`,
      status: (spec.id === undefined && spec.policy !== 'frontline' && LATER_STATUSES[spec.user]) || 'provisioned',
      statusDetail: null,
      provisioningPolicyId: policy.id,
      provisioningPolicyName: policy.name,
      servicePlanId: DEMO_IDS.servicePlans[policy.plan],
      servicePlanName: PLAN_NAMES[policy.plan],
      servicePlanType: 'enterprise',
      aadDeviceId: gen.guid(),
      powerState: spec.policy === 'frontline' && i % 2 === 0 ? 'poweredOff' : 'running',
      productType: spec.policy === 'frontline' ? 'frontline' : 'enterprise',
      imageDisplayName: 'Windows 11 Enterprise + Microsoft 365 Apps 24H2',
      osVersion: 'windows11',
      userAccountType: 'standardUser',
      lastModifiedDateTime: now - (20 + (i % 11)) * DAY,
      gracePeriodEndDateTime: null,
      history: OLD_HISTORY[spec.user] && spec.id ? OLD_HISTORY[spec.user]!() : [],
    } satisfies CloudPcRecord;
  });
}

// ---------------------------------------------------------------- bulk actions (data; built in seedActions.ts)

export type Outcome = { state: DeviceRun['state']; detail?: StatusDetail; failureOnRetry?: StatusDetail; minutes?: number };

export interface ActionSpec {
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

/** 02:00 UTC of the night that has most recently ended (before 06:00 UTC that is the previous night). */
export function lastNight(now: number): number {
  const midnight = Math.floor(now / DAY) * DAY;
  const twoAm = midnight + 2 * HOUR;
  return now - midnight >= 6 * HOUR ? twoAm : twoAm - DAY;
}

/** The demo tenant's bulk actions: the notable ones the demo and tests rely on, then older uneventful history. */
export function actionSpecs(now: number): ActionSpec[] {
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
      } satisfies OwnProperties<'cloudPcBulkRestore'>,
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
      extra: { targetServicePlanId: DEMO_IDS.servicePlans.enterprise8x32 } satisfies OwnProperties<'cloudPcBulkResize'>,
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
    {
      id: DEMO_IDS.disasterRecovery,
      type: 'cloudPcBulkDisasterRecovery',
      displayName: 'Fail over Standard Workers to West US',
      created: night - 10 * DAY + 15 * HOUR,
      initiator: ADMINS[2],
      extra: { capabilityType: 'failover', licenseType: 'standard' } satisfies OwnProperties<'cloudPcBulkDisasterRecovery'>,
      devices: [],
      extraDevices: 3,
      pool: 'standard',
    },
  ];
  // Older, uneventful history, so that lists need more than one page and filters have something to skip.
  // Every bulk-action type Graph has appears at least once (the notable actions above and this history together).
  const history: [string, number, PolicyKey, number, Record<string, unknown>?][] = [
    ['cloudPcBulkRestart', 1, 'standard', 5],
    ['cloudPcBulkPowerOff', 1.5, 'frontline', 4],
    ['cloudPcBulkReinstallAgent', 2.5, 'standard', 3],
    ['cloudPcBulkPowerOn', 3.5, 'frontline', 4],
    ['cloudPcBulkRestart', 6, 'developers', 4],
    [
      'cloudPcBulkModifyDiskEncryptionType',
      6.5,
      'standard',
      3,
      { diskEncryptionType: 'customerManagedKey' } satisfies OwnProperties<'cloudPcBulkModifyDiskEncryptionType'>,
    ],
    ['cloudPcBulkReprovision', 9, 'standard', 2],
    [
      'cloudPcBulkCreateSnapshot',
      10,
      'developers',
      3,
      {
        storageAccountId:
          '/subscriptions/6f0c1b7e-2d4a-4c3b-9e8f-1a2b3c4d5e6f/resourceGroups/rg-cloudpc/providers/Microsoft.Storage/storageAccounts/contosocpcsnapshots',
        accessTier: 'cool',
      } satisfies OwnProperties<'cloudPcBulkCreateSnapshot'>,
    ],
    ['cloudPcBulkRestart', 11, 'standard', 6],
    ['cloudPcBulkTroubleshoot', 12, 'standard', 2],
    ['cloudPcBulkPowerOn', 13, 'frontline', 3],
    ['cloudPcBulkDisasterRecoveryFailover', 14, 'developers', 3],
    ['cloudPcBulkReinstallAgent', 15, 'developers', 2],
    ['cloudPcBulkMove', 16, 'standard', 4],
    [
      'cloudPcBulkSetReviewStatus',
      16.5,
      'developers',
      1,
      {
        reviewStatus: { inReview: true, azureStorageAccountName: 'contosocpcsnapshots', accessTier: 'cool' },
      } satisfies OwnProperties<'cloudPcBulkSetReviewStatus'>,
    ],
    ['cloudPcBulkDisasterRecoveryFailback', 17, 'developers', 3],
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
