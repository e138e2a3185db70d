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

/** A property's value as the code keeps it: Graph's primitive, or what `read` made of an object. */
export type PropertyValue = string | number | boolean;

/** One of the derived type's own properties: what a retry would do again. */
export interface ActionProperty {
  /** Graph's property name on the derived type. */
  readonly name: string;
  /** How a person reads it, e.g. "target service plan"; shown as "<label> <value>". */
  readonly label: string;
  /** For a property Graph sends as an object (reviewStatus): the part a person needs, or undefined. */
  readonly read?: (value: Record<string, unknown>) => PropertyValue | undefined;
  /** For a yes/no property: the words for each value, e.g. "unhealthy snapshots ignored". */
  readonly yesNo?: readonly [yes: string, no: string];
}

/** The cloudPcStatus values a PC shows while an action runs on it. */
export type PcStatusWhileRunning = 'provisioning' | 'resizing' | 'restoring' | 'movingRegion';

export interface ActionTypeRecord {
  /** The short name: the derived type's name after "cloudPcBulk", first letter lower-case. */
  readonly type: string;
  /** Graph's `@odata.type` of the derived type. */
  readonly odataType: string;
  /** Retrying it wipes, rolls back, moves or rebuilds a PC (or cuts its user off): a person must approve. */
  readonly destructiveByDefault: boolean;
  /**
   * The names its entries carry in a PC's remote-action history, as Graph spells them: first the string the reference
   * examples show (the simulator writes that one), then Graph's cloudPcRemoteActionName value. Matched without case,
   * separators or a "CloudPc" prefix (historyNameMatches). Empty when none is known: then no history entry is ever taken
   * as this action's, reasons are "unknown", and the simulator writes no history for it.
   */
  readonly historyNames: readonly string[];
  /** A PC that is off fails it again until it is started. */
  readonly needsRunningPc: boolean;
  /** The derived type's own properties, in the order a person reads them. */
  readonly properties: readonly ActionProperty[];
  /** What a retry does to each Cloud PC, for the dry run and the confirmation ("restarts each Cloud PC"). */
  readonly effect: string;
  /** The Cloud PC's status while the action runs on it (cloudPcStatus), where the action has one. */
  readonly pcStatusWhileRunning?: PcStatusWhileRunning;
  /** The Cloud PC's power state once the action has succeeded, where the action sets one. */
  readonly powerStateAfter?: 'running' | 'poweredOff';
}

/** cloudPcReviewStatus is an object: what matters to the person is whether the PCs go under review or come out. */
function reviewStatusOf(v: Record<string, unknown>): PropertyValue | undefined {
  if (typeof v.inReview !== 'boolean') return undefined;
  const account = typeof v.azureStorageAccountName === 'string' ? `, snapshot saved to storage account ${v.azureStorageAccountName}` : '';
  return (v.inReview ? 'under review' : 'not under review') + (v.inReview ? account : '');
}

/** A row as written below: the short name and what differs from the defaults. */
interface Row {
  type: string;
  destructive: boolean;
  history: readonly string[];
  needsRunningPc: boolean;
  effect: string;
  properties?: readonly ActionProperty[];
  pcStatusWhileRunning?: PcStatusWhileRunning;
  powerStateAfter?: 'running' | 'poweredOff';
}

function row(r: Row): ActionTypeRecord {
  const odataType = PREFIX + r.type[0]!.toUpperCase() + r.type.slice(1);
  return {
    type: r.type,
    odataType,
    destructiveByDefault: r.destructive,
    historyNames: r.history,
    needsRunningPc: r.needsRunningPc,
    properties: r.properties ?? [],
    effect: r.effect,
    ...(r.pcStatusWhileRunning ? { pcStatusWhileRunning: r.pcStatusWhileRunning } : {}),
    ...(r.powerStateAfter ? { powerStateAfter: r.powerStateAfter } : {}),
  };
}

/** Every bulk-action type Graph's beta metadata names (a test holds this list to the official types). */
export const ACTION_TYPE_RECORDS: readonly ActionTypeRecord[] = [
  row({
    type: 'restart',
    destructive: false,
    history: ['Reboot', 'restart'],
    needsRunningPc: true,
    powerStateAfter: 'running',
    effect: 'restarts each Cloud PC; its user is signed out',
  }),
  row({
    type: 'reprovision',
    destructive: true,
    history: ['Reprovision'],
    needsRunningPc: false,
    pcStatusWhileRunning: 'provisioning',
    powerStateAfter: 'running',
    effect: "rebuilds each Cloud PC from its provisioning policy; the user's data and apps on it are lost",
  }),
  row({
    type: 'resize',
    destructive: true,
    history: ['Resize'],
    needsRunningPc: false,
    pcStatusWhileRunning: 'resizing',
    effect: 'moves each Cloud PC to another size (service plan); its user is cut off while it runs',
    properties: [{ name: 'targetServicePlanId', label: 'target service plan' }],
  }),
  row({
    type: 'restore',
    destructive: true,
    history: ['Restore'],
    needsRunningPc: false,
    pcStatusWhileRunning: 'restoring',
    effect: 'rolls each Cloud PC back to a restore point; changes made since are lost',
    properties: [
      { name: 'restorePointDateTime', label: 'restore point' },
      { name: 'timeRange', label: 'time range' },
      {
        name: 'ignoreUnhealthySnapshots',
        label: 'unhealthy snapshots',
        yesNo: ['unhealthy snapshots ignored', 'unhealthy snapshots not ignored'],
      },
    ],
  }),
  row({
    type: 'powerOn',
    destructive: false,
    history: ['CloudPcPowerOn', 'powerOn'],
    needsRunningPc: false,
    powerStateAfter: 'running',
    effect: 'starts each Cloud PC',
  }),
  row({
    type: 'powerOff',
    destructive: false,
    history: ['CloudPcPowerOff', 'powerOff'],
    needsRunningPc: false,
    powerStateAfter: 'poweredOff',
    effect: 'shuts each Cloud PC down; its user is signed out',
  }),
  row({
    type: 'troubleshoot',
    destructive: false,
    history: ['Troubleshoot'],
    needsRunningPc: true,
    effect: 'runs the connectivity troubleshooter on each Cloud PC',
  }),
  row({
    type: 'reinstallAgent',
    destructive: false,
    history: [],
    needsRunningPc: true,
    effect: 'reinstalls the Windows 365 agent on each Cloud PC',
  }),
  row({
    type: 'modifyDiskEncryptionType',
    destructive: true,
    history: [],
    needsRunningPc: false,
    effect: "changes each Cloud PC's disk encryption; its user is cut off while it runs",
    properties: [{ name: 'diskEncryptionType', label: 'disk encryption type' }],
  }),
  row({
    type: 'disasterRecovery',
    destructive: true,
    history: [],
    needsRunningPc: false,
    effect: 'switches each Cloud PC to or from its disaster-recovery copy; its user is cut off while it runs',
    properties: [
      { name: 'capabilityType', label: 'disaster-recovery step' },
      { name: 'licenseType', label: 'disaster-recovery licence' },
    ],
  }),
  row({
    type: 'disasterRecoveryFailback',
    destructive: true,
    history: [],
    needsRunningPc: false,
    effect: 'fails each Cloud PC back from its disaster-recovery copy; its user is cut off while it runs',
  }),
  row({
    type: 'disasterRecoveryFailover',
    destructive: true,
    history: [],
    needsRunningPc: false,
    effect: 'fails each Cloud PC over to its disaster-recovery copy; its user is cut off while it runs',
  }),
  row({
    type: 'move',
    destructive: true,
    history: ['moveRegion'],
    needsRunningPc: false,
    pcStatusWhileRunning: 'movingRegion',
    effect: 'moves each Cloud PC to another region; its user is cut off while it runs',
  }),
  row({
    type: 'setReviewStatus',
    destructive: false,
    history: ['placeUnderReview'],
    needsRunningPc: true,
    effect: "changes each Cloud PC's review status (placing it under review blocks its user)",
    properties: [{ name: 'reviewStatus', label: 'review status', read: reviewStatusOf }],
  }),
  row({
    type: 'createSnapshot',
    destructive: false,
    history: ['createSnapshot'],
    needsRunningPc: true,
    effect: 'takes a snapshot of each Cloud PC',
    properties: [
      { name: 'storageAccountId', label: 'snapshot storage account' },
      { name: 'accessTier', label: 'access tier' },
    ],
  }),
];

const BY_TYPE = new Map(ACTION_TYPE_RECORDS.map((r) => [r.type.toLowerCase(), r]));

/** The record of a type, or undefined for a type this version does not know (and for 'unknown'). */
export function actionTypeRecord(actionType: string): ActionTypeRecord | undefined {
  return BY_TYPE.get(actionType.toLowerCase());
}

/** Action types known when this was written; used for filters and documentation, not to reject new ones. */
export const KNOWN_ACTION_TYPES = ACTION_TYPE_RECORDS.map((r) => r.type) as readonly string[] as readonly [string, ...string[]];

/** The types whose retry a person must approve unless the operator changes CLOUDPC_MCP_DESTRUCTIVE_ACTIONS. */
export const ACTION_TYPES_DESTRUCTIVE_DEFAULT: readonly string[] = ACTION_TYPE_RECORDS.filter((r) => r.destructiveByDefault).map(
  (r) => r.type,
);

/** Every property any known type carries (once each), for reading a derived type's own properties off a Graph body. */
export const ACTION_PROPERTIES: readonly ActionProperty[] = [
  ...new Map(ACTION_TYPE_RECORDS.flatMap((r) => r.properties.map((p) => [p.name, p] as const))).values(),
];
export const ACTION_PROPERTY_NAMES: readonly string[] = ACTION_PROPERTIES.map((p) => p.name);

/** A property's value off a Graph body: its primitive, what `read` makes of an object, else undefined (not shown). */
export function readProperty(p: ActionProperty, raw: unknown): PropertyValue | undefined {
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
  if (p.read && typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return p.read(raw as Record<string, unknown>);
  return undefined;
}

/** A property as a person reads it: "target service plan 3bba…", "unhealthy snapshots not ignored". */
export function propertyText(p: ActionProperty, value: PropertyValue): string {
  if (typeof value === 'boolean' && p.yesNo) return value ? p.yesNo[0] : p.yesNo[1];
  return `${p.label} ${value}`;
}

/** The properties a type is read and described by: its record's, or every known one for a type this version lacks. */
export function propertiesOf(actionType: string): readonly ActionProperty[] {
  return actionTypeRecord(actionType)?.properties ?? ACTION_PROPERTIES;
}

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
  const wanted = normaliseActionName(actionName);
  return names.some((n) => normaliseActionName(n) === wanted);
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

/** What a retry does to each Cloud PC, for a person deciding it; a type this version does not know is said plainly. */
export function retryEffect(actionType: string): string {
  return (
    actionTypeRecord(actionType)?.effect ??
    'acts on each Cloud PC again in a way this version of cloudpc-mcp does not know (it may wipe, roll back or rebuild it)'
  );
}

/** An action type the code does not know is treated as destructive: a new Graph action must not slip past confirmation. */
export function isDestructive(actionType: string, destructive: ReadonlySet<string>): boolean {
  if (actionType === 'unknown') return true;
  return actionTypeRecord(actionType) === undefined || destructive.has(actionType.toLowerCase());
}
