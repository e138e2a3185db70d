// Shapes shared by the simulator's modules and exposed to tests, checked against Graph's official beta types
// (@microsoft/microsoft-graph-types-beta, generated from the beta metadata), not against our own idea of Graph: enum
// fields use its types and every entity the simulator serialises `satisfies` one of its interfaces, so a property name
// or enum value Graph does not have fails `npm run typecheck`. Types only: nothing of the package is bundled or run.
import type * as Beta from '@microsoft/microsoft-graph-types-beta';
import type { CloudPcStatusNow } from '../core/cloudPcStatuses.js';

export type { Beta };

/** An entity as it travels in JSON: the official interface plus the OData annotations the interfaces leave out. */
export type OnTheWire<T> = T & { '@odata.type'?: string };

/** cloudPcStatus with the members the types package lags by (core/cloudPcStatuses.ts). */
export type { CloudPcStatusNow };

/** A Cloud PC as serialised, with the status members the types package does not have yet. */
export type CloudPcOnTheWire = OnTheWire<Omit<Beta.CloudPC, 'status'> & { status?: CloudPcStatusNow }>;

/** Every derived bulk-action type by its name; a test holds the names to the record and to the types package. */
export interface BulkActionTypes {
  cloudPcBulkRestart: Beta.CloudPcBulkRestart;
  cloudPcBulkReprovision: Beta.CloudPcBulkReprovision;
  cloudPcBulkResize: Beta.CloudPcBulkResize;
  cloudPcBulkRestore: Beta.CloudPcBulkRestore;
  cloudPcBulkPowerOn: Beta.CloudPcBulkPowerOn;
  cloudPcBulkPowerOff: Beta.CloudPcBulkPowerOff;
  cloudPcBulkTroubleshoot: Beta.CloudPcBulkTroubleshoot;
  cloudPcBulkReinstallAgent: Beta.CloudPcBulkReinstallAgent;
  cloudPcBulkModifyDiskEncryptionType: Beta.CloudPcBulkModifyDiskEncryptionType;
  cloudPcBulkDisasterRecovery: Beta.CloudPcBulkDisasterRecovery;
  cloudPcBulkDisasterRecoveryFailback: Beta.CloudPcBulkDisasterRecoveryFailback;
  cloudPcBulkDisasterRecoveryFailover: Beta.CloudPcBulkDisasterRecoveryFailover;
  cloudPcBulkMove: Beta.CloudPcBulkMove;
  cloudPcBulkSetReviewStatus: Beta.CloudPcBulkSetReviewStatus;
  cloudPcBulkCreateSnapshot: Beta.CloudPcBulkCreateSnapshot;
}

/** A derived type's own properties (what the seeds put in a bulk action's `extra`), as Graph types them. */
export type OwnProperties<K extends keyof BulkActionTypes> = Omit<BulkActionTypes[K], keyof Beta.CloudPcBulkAction>;

/** Per-device state of a bulk action, using Graph's actionState enum (cloudPcRemoteActionResult). */
export type DeviceActionState = Beta.ActionState;

export type BulkActionStatus = Exclude<Beta.CloudPcBulkActionStatus, 'unknownFutureValue'>;

/** Graph's cloudPcStatusDetail. */
export interface StatusDetail {
  code: string;
  message: string;
  additionalInformation: { name: string; value: string }[];
}

export interface CloudPcRecord {
  id: string;
  displayName: string;
  /** Null on a PC that never finished provisioning, as in the reference examples. */
  managedDeviceId: string | null;
  managedDeviceName: string;
  userPrincipalName: string;
  status: CloudPcStatusNow;
  statusDetail: StatusDetail | null;
  provisioningPolicyId: string;
  provisioningPolicyName: string;
  servicePlanId: string;
  servicePlanName: string;
  servicePlanType: Beta.CloudPcServicePlanType;
  /** Null on a PC that never finished provisioning, as in the reference examples. */
  aadDeviceId: string | null;
  /** Whether it runs; Graph serialises powerState on frontline PCs only (serialize.ts), the simulator tracks it on all. */
  powerState: Beta.CloudPcPowerState;
  productType: Beta.CloudPcProductType;
  imageDisplayName: string;
  osVersion: Beta.CloudPcOperatingSystem;
  userAccountType: Beta.CloudPcUserAccountType;
  lastModifiedDateTime: number;
  gracePeriodEndDateTime: number | null;
  /** Older remote actions of this PC that belong to no bulk action here (variants remoteActionHistory, staleLastRemoteAction). */
  history: RemoteActionRecord[];
}

/** One entry of a PC's remote action history (cloudPcRemoteActionResult). */
export interface RemoteActionRecord {
  actionName: string;
  actionState: DeviceActionState;
  startDateTime: number;
  lastUpdatedDateTime: number;
  detail: StatusDetail | null;
}

/** An earlier attempt of a device in a bulk action, kept when the device is retried. */
export interface PastAttempt {
  state: DeviceActionState;
  detail: StatusDetail | null;
  startDateTime: number;
  lastUpdatedDateTime: number;
  reportId: string;
}

export interface DeviceRun {
  cloudPcId: string;
  state: DeviceActionState;
  /** When the bulk action asked for this device; never changes (the report's RequestDateTime). */
  requestDateTime: number;
  /** When the device's latest attempt started (changes on retry). */
  startDateTime: number;
  lastUpdatedDateTime: number;
  detail: StatusDetail | null;
  /** Set on devices whose cause survives a retry (licence, quota): every retry fails again with it. */
  failureOnRetry: StatusDetail | null;
  /** Epoch ms at which an active/pending device resolves; null = it stays in progress. */
  resolveAt: number | null;
  retryCount: number;
  /** Cloud PC status/power to restore when a retried attempt ends without changing them. */
  before: { status: CloudPcRecord['status']; powerState: CloudPcRecord['powerState']; statusDetail: StatusDetail | null } | null;
  /** Stable row id for the action status report. */
  reportId: string;
  /** Earlier attempts, oldest first (the remote action history shows them; duplicateReportRows reports them). */
  attempts: PastAttempt[];
}

export interface BulkActionRecord {
  id: string;
  /** Derived type name without namespace, e.g. 'cloudPcBulkRestart'. */
  type: string;
  displayName: string;
  createdDateTime: number;
  initiatedByUserPrincipalName: string;
  scheduledDuringMaintenanceWindow: boolean;
  /** Derived-type properties (targetServicePlanId, restorePointDateTime, …) as Graph serialises them. */
  extra: Record<string, unknown>;
  runs: DeviceRun[];
}

export interface Tenant {
  cloudPcs: CloudPcRecord[];
  bulkActions: BulkActionRecord[];
}

export interface RecordedRequest {
  /** ISO time by the simulator clock. */
  at: string;
  method: string;
  /** Path as sent, without the query string. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON when the body is JSON, raw text otherwise, undefined when empty. */
  body: unknown;
  headers: { 'client-request-id'?: string; 'content-type'?: string; accept?: string; prefer?: string; consistencylevel?: string };
  /** Whether an Authorization header was present; its value is never kept. */
  hasAuthorization: boolean;
  /** The request-id the simulator assigned (sent back as the request-id header when a response was sent). */
  requestId: string;
  /** Status sent, if any (absent for reset/stall faults). */
  status?: number;
  /** Kind of fault that handled this request, if one did. */
  fault?: string;
  /** A stalled request whose connection the client closed (it gave up or cancelled) before the simulator shut down. */
  closedByClient?: boolean;
  /** Other Graph requests that had arrived and were not yet answered when this one arrived (0: none in parallel). */
  othersInFlight?: number;
  /** For POST /$batch: the parts, in order, with the status each got. */
  parts?: { id: string; method: string; path: string; status: number }[];
}

export interface RecordedRetry {
  at: string;
  bulkActionId: string;
  /** The ids the caller sent, or 'allFailed' when the body named none. */
  cloudPcIds: string[] | 'allFailed';
  /** Devices that were actually re-run (failed ones among the targets). */
  rerunCloudPcIds: string[];
  requestId: string;
  clientRequestId?: string;
}
