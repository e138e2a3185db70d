// Step 4 of a retry: what the assistant relays. Every answer names the action, what it does (its own properties), and
// what was (or was not) sent; the dry run and the real call speak from the same target, so they never disagree.
import type { BulkAction } from '../../graph/bulkActions.js';
import type { DeviceOutcome } from '../../graph/outcomes/deviceOutcomes.js';
import type { GraphResponse } from '../../graph/types.js';
import { classLines, reasonCapLine, reasonText, who } from '../outcomes.js';
import { plural } from '../render.js';
import { goingDevices, type LeftOut, type RetryTarget } from './target.js';

const MAX_DEVICES_IN_TEXT = 20;
const MAX_IDS_IN_TEXT = 10;

export function labelOf(t: RetryTarget): string {
  return `${t.facts.actionType} bulk action "${t.facts.displayName}" (${t.bulkActionId})`;
}

/** What the action does, from its own derived-type properties. */
export function parametersText(a: BulkAction | undefined): string | undefined {
  const p = a?.parameters;
  if (!p) return undefined;
  const parts: string[] = [];
  if (p.restorePointDateTime !== undefined) {
    parts.push(
      `restore point ${p.restorePointDateTime}` +
        (p.timeRange !== undefined ? `, time range ${p.timeRange}` : '') +
        (p.ignoreUnhealthySnapshots !== undefined ? `, unhealthy snapshots ${p.ignoreUnhealthySnapshots ? 'ignored' : 'not ignored'}` : ''),
    );
  }
  if (p.targetServicePlanId !== undefined) parts.push(`target service plan ${p.targetServicePlanId}`);
  if (p.diskEncryptionType !== undefined) parts.push(`disk encryption type ${p.diskEncryptionType}`);
  if (p.storageAccountId !== undefined) parts.push(`snapshot storage account ${p.storageAccountId}${p.accessTier !== undefined ? ` (access tier ${p.accessTier})` : ''}`);
  return parts.length ? parts.join('; ') : undefined;
}

function labelWithParameters(t: RetryTarget): string {
  const p = parametersText(t.action);
  return p ? `${labelOf(t)} (${p})` : labelOf(t);
}

export function scopeOf(t: RetryTarget): string {
  if (t.send === undefined) return 'all of its failed Cloud PCs';
  const n = t.send.length;
  return t.only === 'retryable' ? `the ${n} retryable failed Cloud PC${n === 1 ? '' : 's'}` : `${n} selected Cloud PC${n === 1 ? '' : 's'}`;
}

const sim = (simulated: boolean) => (simulated ? ' [simulated tenant]' : '');

/** A device by its user and name, with its id for the record. */
function deviceName(d: Pick<DeviceOutcome, 'cloudPcId' | 'name' | 'userPrincipalName'>): string {
  return d.userPrincipalName || d.name ? `${who(d)} [${d.cloudPcId}]` : d.cloudPcId;
}

export function idList(ids: readonly string[]): string {
  return `${ids.slice(0, MAX_IDS_IN_TEXT).join(', ')}${ids.length > MAX_IDS_IN_TEXT ? ', …' : ''}`;
}

function leftOutLines(t: RetryTarget): string[] {
  if (!t.leftOut.length) return [];
  const shown = t.leftOut
    .slice(0, MAX_DEVICES_IN_TEXT)
    .map((l: LeftOut) => `${deviceName(l)}: ${l.why}${l.fix ? ` — fix: ${l.fix.replace(/\.$/, '')}` : ''}`);
  const more = t.leftOut.length > shown.length ? `; … and ${t.leftOut.length - shown.length} more in the structured result` : '';
  return [`Left out (${t.leftOut.length}): ${shown.join('; ')}${more}.`];
}

function sendText(t: RetryTarget): string {
  if (t.send === undefined) {
    return `no ids, so Graph retries every failed device (${t.counts.failed ?? '?'} failed at last count${t.counts.failed === undefined ? ': Graph did not say' : ''})`;
  }
  return `${plural(t.send.length, 'Cloud PC id')}: ${idList(t.send)}`;
}

/** The devices a real call would act on, as far as they were read. */
function deviceLines(t: RetryTarget): string[] {
  const o = t.outcomes;
  if (!o) return [];
  if (o.unavailable) return [`Which devices failed is unknown: ${o.unavailable}.`];
  const failed = o.devices.filter((d) => d.state === 'failed');
  const cap = o.reasons?.cap ?? 0;
  const going = goingDevices(t);
  const lines: string[] = [];
  if (going.length) {
    const shown = going.slice(0, MAX_DEVICES_IN_TEXT).map((d) => `${deviceName(d)}: ${reasonText(d, cap)}`);
    lines.push(`Failed devices it would retry (${going.length}): ${shown.join('; ')}${going.length > shown.length ? `; … and ${going.length - shown.length} more` : ''}.`);
  }
  if (t.includeNotFailed && t.send) {
    const notFailed = t.send.filter((id) => !failed.some((d) => d.cloudPcId.toLowerCase() === id.toLowerCase()));
    if (notFailed.length) lines.push(`Sent although they did not fail (includeNotFailed: true): ${idList(notFailed)}.`);
  }
  lines.push(...classLines(t.send === undefined ? failed : going));
  if (t.send === undefined && failed.some((d) => d.failureClass !== 'retryable')) {
    lines.push('Graph retries every failed device, the fix-first ones too; only: "retryable" leaves those out.');
  }
  const capLine = reasonCapLine(o);
  if (capLine) lines.push(capLine);
  return lines;
}

export function dryRunText(t: RetryTarget, simulated: boolean): string {
  const head = t.nothingToRetry
    ? `Dry run, nothing sent${sim(simulated)}: nothing to retry for the ${labelWithParameters(t)}: ${t.nothingToRetry}. A real call would send nothing.`
    : `Dry run, nothing sent${sim(simulated)}: retrying the ${labelWithParameters(t)} would send ${sendText(t)}` +
      `${t.destructive ? ', and is sent only once a person approves the exact plan (destructive action type)' : ''}.`;
  const lines = [head, ...(t.nothingToRetry ? [] : deviceLines(t)), ...leftOutLines(t)];
  if (t.unchecked) lines.push(`Whether the chosen devices failed could not be checked (${t.unchecked}); a real call would send them as they are.`);
  if (t.notInAction.length) lines.push(`Not part of this bulk action (${t.notInAction.length}), would be refused: ${idList(t.notInAction)}.`);
  return lines.join('\n');
}

export function nothingText(t: RetryTarget, simulated: boolean): string {
  const lines = [`Nothing to retry, nothing sent${sim(simulated)}: ${t.nothingToRetry} (${labelOf(t)}).`, ...leftOutLines(t)];
  if (t.selected && !t.only) lines.push('To send chosen Cloud PCs that did not fail anyway, call again with includeNotFailed: true.');
  if (t.only) lines.push('Fix what the fix-first devices need first (see each fix), or retry chosen cloudPcIds.');
  return lines.join('\n');
}

export function acceptedText(t: RetryTarget, simulated: boolean, res: GraphResponse<unknown>): string {
  const lines = [
    `Retry accepted${sim(simulated)}: Microsoft Graph accepted the retry of the ${labelOf(t)} for ${scopeOf(t)} (HTTP ${res.status}). ` +
      'It runs asynchronously: check the bulk action again in a few minutes to see the outcome. ' +
      `request-id ${res.requestId ?? '(none)'}, client-request-id ${res.clientRequestId}, date ${res.date}.`,
    ...leftOutLines(t),
  ];
  if (t.unchecked) lines.push(`Whether the chosen devices failed could not be checked (${t.unchecked}); they were sent as they are.`);
  return lines.join('\n');
}
