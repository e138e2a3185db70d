// Shapes shared by the simulator's modules and exposed to tests. Enum-valued fields use Graph's official beta types
// (graphTypes.ts), so a value Graph does not have fails the type check.
import type { Beta, CloudPcStatusNow } from './graphTypes.js';

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
