// The kind of a bulk action is its derived type: '#microsoft.graph.cloudPcBulkReprovision' → 'reprovision'.
// Graph adds new derived types over time, so an unknown name is kept as it is, never rejected.

const PREFIX = '#microsoft.graph.cloudPcBulk';

/** Action types known when this was written; used for filters and documentation, not to reject new ones. */
export const KNOWN_ACTION_TYPES = [
  'restart',
  'reprovision',
  'resize',
  'restore',
  'powerOn',
  'powerOff',
  'troubleshoot',
  'reinstallAgent',
  'modifyDiskEncryptionType',
  'disasterRecovery',
  'disasterRecoveryFailback',
  'disasterRecoveryFailover',
  'move',
  'setReviewStatus',
  'createSnapshot',
] as const;

/**
 * Retrying these wipes, rolls back, moves or rebuilds a PC (or cuts its user off while it does), so a person must confirm.
 * Operators change the list with CLOUDPC_MCP_DESTRUCTIVE_ACTIONS.
 */
export const ACTION_TYPES_DESTRUCTIVE_DEFAULT: readonly string[] = [
  'reprovision',
  'restore',
  'resize',
  'move',
  'modifyDiskEncryptionType',
  'disasterRecovery',
  'disasterRecoveryFailback',
  'disasterRecoveryFailover',
];

export function actionTypeOf(odataType: unknown): string {
  if (typeof odataType !== 'string' || !odataType.startsWith(PREFIX) || odataType.length === PREFIX.length) {
    return 'unknown';
  }
  const rest = odataType.slice(PREFIX.length);
  return rest[0]!.toLowerCase() + rest.slice(1);
}

export function odataTypeOf(actionType: string): string {
  return PREFIX + actionType[0]!.toUpperCase() + actionType.slice(1);
}

/** An action type the code does not know is treated as destructive: a new Graph action must not slip past confirmation. */
export function isDestructive(actionType: string, destructive: ReadonlySet<string>): boolean {
  if (actionType === 'unknown') return true;
  const known = (KNOWN_ACTION_TYPES as readonly string[]).includes(actionType);
  return !known || destructive.has(actionType.toLowerCase());
}
