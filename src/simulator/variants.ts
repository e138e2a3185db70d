// Where Graph is documented to answer in more than one shape, the simulator can answer in each. Every variant is a
// switch: off by default (the tidy shape), on through startSimulator({ variants }), PUT /_simulator/variants, the
// standalone simulator's --variants and the server's --simulate-variants. docs/simulator.md lists them, and docs/graph.md
// ("What real tenants may return") gives the source of each.
// One variant brings data of its own (sameTypeAgain: a second restart of the same PCs, a few hours after the first,
// with other outcomes). The remote action history names no bulk action, so only the attempt's times tell the two
// apart: the case that must never lend one action's reason or success to the other.
import { DEMO_IDS, FAILURES, HOUR, MIN } from './seed.js';
import type { BulkActionRecord, DeviceRun, StatusDetail, Tenant } from './types.js';

export const SIMULATOR_VARIANTS = {
  thinListItems: 'List items carry "actionSummary": null and "cloudPcIds": []; GET by id gives the full item.',
  wrappedEntities: 'A single entity (GET by id) comes wrapped as {"value": {...}}.',
  statusDetails: 'Remote action results fill the deprecated statusDetails, with statusDetail null.',
  duplicateReportRows:
    'The action status report keeps one row per attempt (each with its own RequestDateTime), so a retried device appears in several rows.',
  reportFilterRefused:
    'The action status report answers 400 to a filter on BulkActionId (the documented example filters on ActionState only).',
  requestTimeFilterRefused:
    'The action status report answers 400 to a filter on RequestDateTime (the documented example filters on ActionState only).',
  reportForbidden: 'The action status report answers 403 (a role without report access).',
  reportMissing: 'The reports segment does not exist (as in a national cloud without the reports): 400 for any report.',
  sameTypeAgain:
    "Bob's and Carol's PCs are also in a second restart three hours after last night's: Bob's succeeds, Carol's fails for another reason.",
  nullCreatedDateTime: 'Bulk actions carry "createdDateTime": null (the property is nullable).',
  orderbyIgnored: 'The bulk action list ignores $orderby without an error (oldest first).',
  startswithRefused: 'The Cloud PC list answers 400 to a startswith() filter.',
  enumsNeedPrefer:
    'Cloud PC statuses added after unknownFutureValue come back as unknownFutureValue, and cannot be filtered on, without "Prefer: include-unknown-enum-members".',
  unsupportedQuery: 'The bulk action list answers 400 to $filter and $orderby.',
  offRootNextLink: 'List pages point their @odata.nextLink at a non-production host, outside the Graph root.',
  staleLastRemoteAction:
    "A PC's lastRemoteActionResult is an older, unrelated action (it covers only Reboot, Rename, Reprovision, Restore and Troubleshoot).",
  remoteActionHistory: 'PCs carry older, unrelated remote actions in their history (a 2023 reboot that failed, …).',
  batchThrottling: 'In a $batch, every other part is throttled once (429 with its own Retry-After: 1).',
  partlyFailedNotFailed: 'An action where some devices failed and others succeeded reports status "succeeded".',
  readOnlyPermissions: 'The caller has only CloudPC.Read.All: the remote action history and retry answer 403.',
} as const;

export type SimulatorVariant = keyof typeof SIMULATOR_VARIANTS;

export const VARIANT_NAMES = Object.keys(SIMULATOR_VARIANTS) as SimulatorVariant[];

/** Names that are not variants, for a clear refusal (case-sensitive, as documented). */
export function unknownVariants(names: readonly string[]): string[] {
  return names.filter((n) => !(VARIANT_NAMES as string[]).includes(n));
}

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
