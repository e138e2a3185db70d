// Everything the retry tool says in words, in one place: the dry run, the plan, the approval question, why nothing
// was sent, and what was sent. The dry run and the real call speak from the same target (and plan), so they never
// disagree. Short lines, one fact each; names from Graph are shown with their invisible characters written out and
// their ids beside them.
import { propertiesOf, propertyText, retryEffect } from '../../core/actionTypes.js';
import { visible } from '../../core/visible.js';
import type { BulkAction } from '../../graph/bulkActions.js';
import type { DeviceOutcome } from '../../graph/outcomes/deviceOutcomes.js';
import type { GraphResponse } from '../../graph/types.js';
import { classLabel, classLines, reasonCapLine, reasonText, who } from '../outcomes.js';
import { plural } from '../textTable.js';
import type { PendingWhere } from './confirm.js';
import { ownerLabel, type FailedSetChange, type Plan, type PlanDevice } from './plans.js';
import { goingDevices, type LeftOut, type RetryTarget } from './target.js';

const MAX_DEVICES_IN_TEXT = 20;
const MAX_IDS_IN_TEXT = 10;
const FIRST_DEVICES = 5;

/** "1 Cloud PC", "2 Cloud PCs". */
export function cloudPcs(n: number): string {
  return plural(n, 'Cloud PC');
}

export function labelOf(t: RetryTarget): string {
  return `${t.facts.actionType} bulk action "${visible(t.facts.displayName)}" (${t.bulkActionId})`;
}

function planLabel(plan: Plan): string {
  return `${plan.actionType} bulk action "${visible(plan.displayName)}" (${plan.bulkActionId})`;
}

/** What the action does, from its own derived-type properties, labelled as the action-type record says. */
export function parametersText(a: BulkAction | undefined): string | undefined {
  const p = a?.parameters;
  if (!p) return undefined;
  const parts = propertiesOf(a.actionType).flatMap((x) => (p[x.name] === undefined ? [] : [propertyText(x, p[x.name]!)]));
  return parts.length ? parts.join(', ') : undefined;
}

export function scopeOf(t: RetryTarget): string {
  if (t.send === undefined) return 'all of its failed Cloud PCs';
  const n = t.send.length;
  return t.only === 'retryable'
    ? `the ${n} retryable failed ${n === 1 ? 'Cloud PC' : 'Cloud PCs'}`
    : `${n} selected ${n === 1 ? 'Cloud PC' : 'Cloud PCs'}`;
}

const sim = (simulated: boolean) => (simulated ? ' [simulated tenant]' : '');

/** A device by its user and name, with its id beside them. */
function deviceName(d: Pick<DeviceOutcome, 'cloudPcId' | 'name' | 'userPrincipalName'>): string {
  return d.userPrincipalName || d.name ? `${who(d)} [${d.cloudPcId}]` : d.cloudPcId;
}

export function idList(ids: readonly string[]): string {
  return `${ids.slice(0, MAX_IDS_IN_TEXT).join(', ')}${ids.length > MAX_IDS_IN_TEXT ? `, … and ${ids.length - MAX_IDS_IN_TEXT} more` : ''}`;
}

function leftOutLines(t: RetryTarget): string[] {
  if (!t.leftOut.length) return [];
  const shown = t.leftOut
    .slice(0, MAX_DEVICES_IN_TEXT)
    .map((l: LeftOut) => `- ${deviceName(l)}: ${l.why}${l.fix ? `; fix: ${l.fix.replace(/\.$/, '')}` : ''}`);
  const more = t.leftOut.length > shown.length ? [`- … and ${t.leftOut.length - shown.length} more in the structured result`] : [];
  return [`Left out (${t.leftOut.length}):`, ...shown, ...more];
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
    lines.push(`Failed devices it would retry (${going.length}):`);
    lines.push(...going.slice(0, MAX_DEVICES_IN_TEXT).map((d) => `- ${deviceName(d)}: ${reasonText(d, cap)}`));
    if (going.length > MAX_DEVICES_IN_TEXT) lines.push(`- … and ${going.length - MAX_DEVICES_IN_TEXT} more`);
  }
  if (t.includeNotFailed && t.send) {
    const notFailed = t.send.filter((id) => !failed.some((d) => d.cloudPcId.toLowerCase() === id.toLowerCase()));
    if (notFailed.length) lines.push(`Sent although they did not fail (includeNotFailed: true): ${idList(notFailed)}.`);
  }
  lines.push(...classLines(t.send === undefined ? failed : going));
  if (t.send === undefined && failed.some((d) => d.failureClass !== 'retryable')) {
    lines.push('A retry of every failed device includes the ones to fix first; only: "retryable" leaves those out.');
  }
  const capLine = reasonCapLine(o);
  if (capLine) lines.push(capLine);
  return lines;
}

/**
 * What a call sends, said once: with a plan, exactly the plan's ids (a destructive retry is only ever sent from a
 * plan); without one, a call that names no ids sends none and Graph picks the failed devices itself.
 */
function sendLines(t: RetryTarget, plan: Plan | undefined): string[] {
  if (plan) {
    const lines = [
      `Executing plan ${plan.id} sends exactly ${plan.cloudPcIds.length === 1 ? 'this Cloud PC id' : `these ${plan.cloudPcIds.length} Cloud PC ids`}: ${idList(plan.cloudPcIds)}.`,
    ];
    if (plan.destructive) lines.push(`A person approves the plan before it is sent (retrying a ${plan.actionType} is destructive).`);
    else if (t.send === undefined) {
      lines.push(
        `A call without planId sends no ids: Graph then retries every device failed at that moment (${t.counts.failed ?? '?'} failed at last count).`,
      );
    }
    return lines;
  }
  if (t.send === undefined) {
    return [
      `A real call sends no ids: Graph retries every failed device (${t.counts.failed ?? '?'} failed at last count${t.counts.failed === undefined ? ': Graph did not say' : ''}).`,
    ];
  }
  return [`A real call sends ${plural(t.send.length, 'Cloud PC id')}: ${idList(t.send)}.`];
}

export function dryRunText(t: RetryTarget, simulated: boolean, plan?: Plan): string {
  const details = parametersText(t.action);
  const lines = [`Dry run, nothing sent${sim(simulated)}.`, `Action: ${labelOf(t)}${details ? `; ${details}` : ''}.`];
  if (t.nothingToRetry) lines.push(`Nothing to retry: ${t.nothingToRetry}. A real call would send nothing.`);
  else lines.push(...sendLines(t, plan), ...deviceLines(t));
  if (t.destructive && !t.nothingToRetry) lines.push(`What a retry does: it ${retryEffect(t.facts.actionType)}.`);
  lines.push(...leftOutLines(t));
  if (t.unchecked)
    lines.push(`Whether the chosen devices failed could not be checked (${t.unchecked}); a real call would send them as they are.`);
  if (t.notInAction.length)
    lines.push(`Not part of this bulk action (${t.notInAction.length}), would be refused: ${idList(t.notInAction)}.`);
  return lines.join('\n');
}

export function nothingText(t: RetryTarget, simulated: boolean): string {
  const lines = [`Nothing to retry, nothing sent${sim(simulated)}: ${t.nothingToRetry}.`, `Action: ${labelOf(t)}.`, ...leftOutLines(t)];
  if (t.selected && !t.only) lines.push('To send chosen Cloud PCs that did not fail anyway, call again with includeNotFailed: true.');
  if (t.only) lines.push('Fix what the devices to fix first need (see each fix), or retry chosen cloudPcIds.');
  return lines.join('\n');
}

function receiptLine(res: GraphResponse<unknown>): string {
  return `request-id ${res.requestId ?? '(none)'}, client-request-id ${res.clientRequestId}, date ${res.date}.`;
}

export function acceptedText(t: RetryTarget, simulated: boolean, res: GraphResponse<unknown>): string {
  const lines = [
    `Retry accepted${sim(simulated)}: Microsoft Graph accepted the retry of the ${labelOf(t)} for ${scopeOf(t)} (HTTP ${res.status}).`,
    'It runs asynchronously: check the bulk action again in a few minutes to see the outcome.',
    receiptLine(res),
    ...leftOutLines(t),
  ];
  if (t.unchecked) lines.push(`Whether the chosen devices failed could not be checked (${t.unchecked}); they were sent as they are.`);
  return lines.join('\n');
}

/** The answer once an approved plan was sent. */
export function planSentText(plan: Plan, simulated: boolean, res: GraphResponse<unknown>, approval: string): string {
  return [
    `Retry accepted${sim(simulated)}: Microsoft Graph accepted plan ${plan.id} (HTTP ${res.status}).`,
    `Action: ${planLabel(plan)}.`,
    `Sent exactly ${plan.cloudPcIds.length === 1 ? 'this Cloud PC id' : `these ${plan.cloudPcIds.length} Cloud PC ids`}: ${idList(plan.cloudPcIds)}.`,
    `Approved ${approval}.`,
    'It runs asynchronously: check the bulk action again in a few minutes.',
    receiptLine(res),
  ].join('\n');
}

// —— Plans ——

function planWho(d: PlanDevice): string {
  const label = [d.name, d.userPrincipalName]
    .filter(Boolean)
    .map((s) => visible(s!))
    .join(', ');
  return label ? `${label} [${d.cloudPcId}]` : d.cloudPcId;
}

function planReason(d: PlanDevice): string | undefined {
  const reason = d.reason ?? d.detail;
  const cls = d.retryClass ? classLabel(d.retryClass) : undefined;
  if (!reason) return cls;
  return `${reason}${cls ? ` [${cls}]` : ''}`;
}

export function minutesLeft(plan: Plan, now: number): number {
  return Math.max(0, Math.ceil((plan.expiresAt - now) / 60_000));
}

/** The elicitation message: what would happen, to whom, bound to the plan id. Plain text: clients render it as is. */
export function approvalQuestion(plan: Plan): string {
  const n = plan.cloudPcIds.length;
  const first = plan.devices.slice(0, FIRST_DEVICES).map(planWho).join('; ');
  const more = n > FIRST_DEVICES ? `; and ${n - FIRST_DEVICES} more` : '';
  return [
    `Approve retry plan ${plan.id}?`,
    `It retries the ${planLabel(plan)}${plan.actionDetails ? ` (${plan.actionDetails})` : ''} for exactly ${cloudPcs(n)}: ${first}${more}.`,
    `Retrying a ${plan.actionType} ${retryEffect(plan.actionType)}, and their users lose work in progress.`,
    `The plan expires at ${new Date(plan.expiresAt).toISOString()}.`,
  ].join('\n');
}

/**
 * The plan as the assistant relays it; the last line says what the assistant may do next. `withDevices: false` where
 * the devices were just listed (a dry run's own lines).
 */
export function planText(plan: Plan, now: number, withDevices = true): string {
  const n = plan.cloudPcIds.length;
  const rows = (withDevices ? plan.devices.slice(0, MAX_DEVICES_IN_TEXT) : []).map((d) => {
    const reason = planReason(d);
    return `- ${planWho(d)}${reason ? `: ${reason}` : ''}`;
  });
  if (withDevices && plan.devices.length > MAX_DEVICES_IN_TEXT) rows.push(`- … and ${plan.devices.length - MAX_DEVICES_IN_TEXT} more`);
  const call = `retry_cloudpc_bulk_action with bulkActionId "${plan.bulkActionId}" and planId "${plan.id}"`;
  return [
    `Plan ${plan.id}: retry ${cloudPcs(n)}, valid for ${minutesLeft(plan, now)} min, for ${ownerLabel(plan.owner)}.`,
    ...rows,
    plan.destructive
      ? `To send it, call ${call}. A person approves it first; you cannot approve it yourself.`
      : `To send exactly this plan, call ${call}.`,
  ].join('\n');
}

export function pageWaitText(plan: Plan, remainingMs: number): string {
  return `Waiting for a person to approve or decline plan ${plan.id} in the browser (${Math.ceil(remainingMs / 1000)} s left).`;
}

/** Where approval waits, in words. Names no link unless the link grants nothing by itself. */
function whereText(where: PendingWhere, publicLink: string | undefined, notOpened: string | undefined): string {
  switch (where) {
    case 'app':
      return `in the plan view shown with this result (Approve / Decline)${publicLink ? `, or on the approval page after signing in: ${publicLink}` : ''}`;
    case 'signIn':
      return `on the approval page, where they sign in as the plan's owner: ${publicLink}. Give them this link (the plan view's Approve button opens it too)`;
    case 'client':
      return 'on the approval page their client opened for them';
    case 'browser':
      return "on the approval page opened in their browser (its link is also in the client's log and the server's stderr)";
    case 'log':
      return `on the approval page, whose one-time link is in the client's log and the server's stderr (not shown to you)${notOpened ? `; no browser was opened, because ${notOpened}` : ''}`;
  }
}

export function pendingText(plan: Plan, where: PendingWhere, publicLink: string | undefined, notOpened?: string): string {
  return [
    `Not sent yet: plan ${plan.id} (${cloudPcs(plan.cloudPcIds.length)}, ${plan.actionType} "${visible(plan.displayName)}") waits for the user's approval.`,
    `Where: ${whereText(where, publicLink, notOpened)}.`,
    `Ask the user to approve or decline it there. After they approve, call retry_cloudpc_bulk_action with bulkActionId "${plan.bulkActionId}" and planId "${plan.id}".`,
    'You cannot approve it yourself.',
  ].join('\n');
}

export function changeText(change: FailedSetChange): string {
  const parts: string[] = [];
  if (change.typeChanged) parts.push(`the action is now a ${change.typeChanged.to}, not a ${change.typeChanged.from}`);
  if (change.noLongerFailed.length)
    parts.push(`${cloudPcs(change.noLongerFailed.length)} of the plan no longer failed: ${idList(change.noLongerFailed)}`);
  if (change.newlyFailed.length)
    parts.push(`${cloudPcs(change.newlyFailed.length)} failed since the plan was made: ${idList(change.newlyFailed)}`);
  return parts.join('; ');
}
