// Graph's cloudPcStatus, once for the product (filters, the Prefer header's meaning) and the simulator, checked
// against the official beta types (@microsoft/microsoft-graph-types-beta; types only, nothing of it is bundled), so a
// member Graph does not have fails `npm run typecheck`.
import type { CloudPcStatus } from '@microsoft/microsoft-graph-types-beta';

/**
 * cloudPcStatus as the beta metadata has it today. The types package (0.44.0-preview) lags the metadata by the three
 * newest members, which Graph sends only with "Prefer: include-unknown-enum-members" (docs/graph.md says so too). This
 * is the one place the project adds to the official types.
 */
export type CloudPcStatusNow = CloudPcStatus | 'refreshPolicyConfiguration' | 'failoverInProgress' | 'failbackInProgress';

/** The members up to the unknownFutureValue sentinel: what Graph sends without the Prefer header. */
export const CLOUD_PC_STATUSES_UP_TO_SENTINEL = [
  'notProvisioned',
  'provisioning',
  'provisioned',
  'inGracePeriod',
  'deprovisioning',
  'failed',
  'provisionedWithWarnings',
  'resizing',
  'pendingProvision',
  'restoring',
  'unknownFutureValue',
] as const satisfies readonly CloudPcStatus[];

/** The members after the sentinel: Graph sends them only with "Prefer: include-unknown-enum-members". */
export const CLOUD_PC_STATUSES_AFTER_SENTINEL = [
  'movingRegion',
  'resizePendingLicense',
  'updatingSingleSignOn',
  'modifyingSingleSignOn',
  'refreshPolicyConfiguration',
  'preparing',
  'failoverInProgress',
  'failbackInProgress',
] as const satisfies readonly CloudPcStatusNow[];
