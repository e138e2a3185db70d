// Step 4 of a retry: what the assistant relays. Every answer names the action and what was (or was not) sent.
import type { GraphResponse } from '../../graph/types.js';
import type { DeviceRow, RetryTarget } from './target.js';

const MAX_DEVICES_IN_TEXT = 20;
const MAX_IDS_IN_TEXT = 10;

export function labelOf(t: RetryTarget): string {
  return `${t.facts.actionType} bulk action "${t.facts.displayName}" (${t.bulkActionId})`;
}

export function scopeOf(t: RetryTarget): string {
  const n = t.selected?.length;
  return n !== undefined ? `${n} selected Cloud PC${n === 1 ? '' : 's'}` : 'all of its failed Cloud PCs';
}

const sim = (simulated: boolean) => (simulated ? ' [simulated tenant]' : '');

export function idList(ids: readonly string[]): string {
  return `${ids.slice(0, MAX_IDS_IN_TEXT).join(', ')}${ids.length > MAX_IDS_IN_TEXT ? ', …' : ''}`;
}

function deviceLabel(d: DeviceRow): string {
  const who = [d.name, d.userPrincipalName].filter(Boolean).join(', ');
  return `${d.cloudPcId}${who ? ` (${who})` : ''}${d.detail ? `: ${d.detail}` : ''}`;
}

export function dryRunText(t: RetryTarget, simulated: boolean, devices: DeviceRow[], unavailable: string | undefined): string {
  const lines = [
    `Dry run, nothing sent${sim(simulated)}: retrying the ${labelOf(t)} would target ${scopeOf(t)}${t.destructive ? ' and needs the user\'s confirmation (destructive action type)' : ''}.`,
    devices.length
      ? `Devices that would be retried (${devices.length}): ${devices.slice(0, MAX_DEVICES_IN_TEXT).map(deviceLabel).join('; ')}${devices.length > MAX_DEVICES_IN_TEXT ? `; … and ${devices.length - MAX_DEVICES_IN_TEXT} more` : ''}.`
      : unavailable
        ? `Which devices would be retried is unknown: ${unavailable}. The action reports ${t.action?.actionSummary.failedCount} failed.`
        : 'Graph reports no failed devices to retry for this action right now.',
  ];
  if (t.notInAction.length) lines.push(`Not part of this bulk action (${t.notInAction.length}), would be refused: ${idList(t.notInAction)}.`);
  return lines.join('\n');
}

export function confirmationQuestion(t: RetryTarget): string {
  const failed = t.action?.actionSummary.failedCount;
  return (
    `Retry the ${labelOf(t)} for ${scopeOf(t)}${!t.selected && failed !== undefined ? ` (${failed} failed at last count)` : ''}? ` +
    `Retrying a ${t.facts.actionType} acts on the PCs again (it can wipe, roll back or rebuild them, and their users lose work in progress).`
  );
}

export function acceptedText(t: RetryTarget, simulated: boolean, res: GraphResponse<unknown>): string {
  return (
    `Retry accepted${sim(simulated)}: Microsoft Graph accepted the retry of the ${labelOf(t)} for ${scopeOf(t)} (HTTP ${res.status}). ` +
    'It runs asynchronously: check the bulk action again in a few minutes to see the outcome. ' +
    `request-id ${res.requestId ?? '(none)'}, client-request-id ${res.clientRequestId}, date ${res.date}.`
  );
}
