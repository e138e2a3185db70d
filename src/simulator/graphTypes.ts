// The simulator's answers are checked against Graph's official beta types (@microsoft/microsoft-graph-types-beta,
// generated from the beta metadata), not against our own idea of Graph: every entity it serialises `satisfies` one of
// these, so a property name or enum value Graph does not have fails `npm run typecheck`. Types only: nothing of the
// package is bundled or run.
import type * as Beta from '@microsoft/microsoft-graph-types-beta';

export type { Beta };

/** An entity as it travels in JSON: the official interface plus the OData annotations the interfaces leave out. */
export type OnTheWire<T> = T & { '@odata.type'?: string };

/**
 * cloudPcStatus as the beta metadata has it today. The types package (0.44.0-preview) lags the metadata by the three
 * newest members, which Graph sends only with "Prefer: include-unknown-enum-members" (docs/graph.md says so too). This
 * is the one place the project adds to the official types.
 */
export type CloudPcStatusNow = Beta.CloudPcStatus | 'refreshPolicyConfiguration' | 'failoverInProgress' | 'failbackInProgress';

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
