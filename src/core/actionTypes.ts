// Everything the code knows about a bulk-action type, in one record per type. Every layer that needs to know
// something about a type (the list filter, destructive defaults, the action's own properties and their labels, which
// remote-action history entries belong to it, whether it needs a running PC, the simulator's seeds) reads it here, so
// adding or changing a type is one row.
//
// The kind of a bulk action is its derived type: '#microsoft.graph.cloudPcBulkReprovision' → 'reprovision'.
// Graph adds new derived types over time, so an unknown name is kept as it is, never rejected, and is treated as
// destructive with no history name (its reasons are "unknown", never borrowed from another action).
// Sources: the derived types and their properties are Graph's beta metadata as published in
// @microsoft/microsoft-graph-types-beta (CloudPcBulk*); history names are Graph's cloudPcRemoteActionName enum and the
// actionName strings of the retrieveCloudPcRemoteActionResults reference examples (docs/graph.md).

const PREFIX = '#microsoft.graph.cloudPcBulk';

/** One of the derived type's own properties: what a retry would do again. */
export interface ActionProperty {
  /** Graph's property name on the derived type. */
  readonly name: string;
  /** How a person reads it, e.g. "target service plan". */
  readonly label: string;
}

export interface ActionTypeRecord {
  /** The short name: the derived type's name after "cloudPcBulk", first letter lower-case. */
  readonly type: string;
  /** Graph's `@odata.type` of the derived type. */
  readonly odataType: string;
  /** Retrying it wipes, rolls back, moves or rebuilds a PC (or cuts its user off): a person must approve. */
  readonly destructiveByDefault: boolean;
  /**
   * The names its entries carry in a PC's remote-action history, normalised (see normaliseActionName): Graph's
   * cloudPcRemoteActionName values and the strings seen in reference examples. Empty when none is known: then no
   * history entry is ever taken as this action's, and reasons are "unknown".
   */
  readonly historyNames: readonly string[];
  /** A PC that is off fails it again until it is started. */
  readonly needsRunningPc: boolean;
  /** The derived type's own properties, in the order a person reads them. */
  readonly properties: readonly ActionProperty[];
  /** What a retry does to each Cloud PC, for the dry run and the confirmation ("restarts each Cloud PC"). */
  readonly effect: string;
}

function row(
  type: string,
  destructiveByDefault: boolean,
  historyNames: readonly string[],
  needsRunningPc: boolean,
  effect: string,
  properties: readonly ActionProperty[] = [],
): ActionTypeRecord {
  const odataType = PREFIX + type[0]!.toUpperCase() + type.slice(1);
  return { type, odataType, destructiveByDefault, historyNames: historyNames.map(normaliseActionName), needsRunningPc, properties, effect };
}

/** Every bulk-action type Graph's beta metadata names (a test holds this list to the official types). */
export const ACTION_TYPE_RECORDS: readonly ActionTypeRecord[] = [
  row('restart', false, ['Reboot', 'restart'], true, 'restarts each Cloud PC; its user is signed out'),
  row('reprovision', true, ['Reprovision'], false, "rebuilds each Cloud PC from its provisioning policy; the user's data and apps on it are lost"),
  row('resize', true, ['Resize'], false, 'moves each Cloud PC to another size (service plan); its user is cut off while it runs', [
    { name: 'targetServicePlanId', label: 'target service plan' },
  ]),
  row('restore', true, ['Restore'], false, 'rolls each Cloud PC back to a restore point; changes made since are lost', [
    { name: 'restorePointDateTime', label: 'restore point' },
    { name: 'timeRange', label: 'time range' },
    { name: 'ignoreUnhealthySnapshots', label: 'ignore unhealthy snapshots' },
  ]),
  row('powerOn', false, ['powerOn', 'CloudPcPowerOn'], false, 'starts each Cloud PC'),
  row('powerOff', false, ['powerOff', 'CloudPcPowerOff'], false, 'shuts each Cloud PC down; its user is signed out'),
  row('troubleshoot', false, ['Troubleshoot'], true, 'runs the connectivity troubleshooter on each Cloud PC'),
  row('reinstallAgent', false, [], true, 'reinstalls the Windows 365 agent on each Cloud PC'),
  row('modifyDiskEncryptionType', true, [], false, "changes each Cloud PC's disk encryption; its user is cut off while it runs", [
    { name: 'diskEncryptionType', label: 'disk encryption type' },
  ]),
  row('disasterRecovery', true, [], false, 'switches each Cloud PC to or from its disaster-recovery copy; its user is cut off while it runs', [
    { name: 'capabilityType', label: 'disaster-recovery step (failover or failback)' },
    { name: 'licenseType', label: 'disaster-recovery licence' },
  ]),
  row('disasterRecoveryFailback', true, [], false, 'fails each Cloud PC back from its disaster-recovery copy; its user is cut off while it runs'),
  row('disasterRecoveryFailover', true, [], false, 'fails each Cloud PC over to its disaster-recovery copy; its user is cut off while it runs'),
  row('move', true, ['moveRegion'], false, 'moves each Cloud PC to another region; its user is cut off while it runs'),
  row('setReviewStatus', false, ['placeUnderReview'], true, "changes each Cloud PC's review status (placing it under review blocks its user)", [
    { name: 'reviewStatus', label: 'review status' },
  ]),
  row('createSnapshot', false, ['createSnapshot'], true, 'takes a snapshot of each Cloud PC', [
    { name: 'storageAccountId', label: 'snapshot storage account' },
    { name: 'accessTier', label: 'access tier' },
  ]),
];

const BY_TYPE = new Map(ACTION_TYPE_RECORDS.map((r) => [r.type.toLowerCase(), r]));

/** The record of a type, or undefined for a type this version does not know (and for 'unknown'). */
export function actionTypeRecord(actionType: string): ActionTypeRecord | undefined {
  return BY_TYPE.get(actionType.toLowerCase());
}

/** Action types known when this was written; used for filters and documentation, not to reject new ones. */
export const KNOWN_ACTION_TYPES = ACTION_TYPE_RECORDS.map((r) => r.type) as readonly string[] as readonly [string, ...string[]];

/** The types whose retry a person must approve unless the operator changes CLOUDPC_MCP_DESTRUCTIVE_ACTIONS. */
export const ACTION_TYPES_DESTRUCTIVE_DEFAULT: readonly string[] = ACTION_TYPE_RECORDS.filter((r) => r.destructiveByDefault).map((r) => r.type);

/** Every property any known type carries, for reading a derived type's own properties off a Graph body. */
export const ACTION_PROPERTY_NAMES: readonly string[] = [...new Set(ACTION_TYPE_RECORDS.flatMap((r) => r.properties.map((p) => p.name)))];

/** A history name compared without case, separators or the "CloudPc" prefix some payloads carry ("CloudPcPowerOn"). */
export function normaliseActionName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/^cloudpc/, '');
}

/** Whether a remote-action history entry's `actionName` is one this bulk-action type appears under. */
export function historyNameMatches(actionType: string, actionName: string | undefined): boolean {
  if (actionName === undefined) return false;
  const names = actionTypeRecord(actionType)?.historyNames ?? [];
  return names.includes(normaliseActionName(actionName));
}

/** Whether a known type needs a running PC; an unknown type might, so a "not running" failure is believed for it. */
export function needsRunningPc(actionType: string): boolean {
  return actionTypeRecord(actionType)?.needsRunningPc ?? true;
}

export function actionTypeOf(odataType: unknown): string {
  if (typeof odataType !== 'string' || !odataType.startsWith(PREFIX) || odataType.length === PREFIX.length) {
    return 'unknown';
  }
  const rest = odataType.slice(PREFIX.length);
  return rest[0]!.toLowerCase() + rest.slice(1);
}

export function odataTypeOf(actionType: string): string {
  return actionTypeRecord(actionType)?.odataType ?? PREFIX + actionType[0]!.toUpperCase() + actionType.slice(1);
}

/** An action type the code does not know is treated as destructive: a new Graph action must not slip past confirmation. */
export function isDestructive(actionType: string, destructive: ReadonlySet<string>): boolean {
  if (actionType === 'unknown') return true;
  return actionTypeRecord(actionType) === undefined || destructive.has(actionType.toLowerCase());
}
