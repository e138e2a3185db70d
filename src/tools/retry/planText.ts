// What a person and the assistant read about a plan: the approval question, the plan itself, and why nothing was sent.
import { retryEffect } from '../../core/actionTypes.js';
import type { PendingWhere } from './confirm.js';
import { ownerLabel, type FailedSetChange, type Plan, type PlanDevice } from './plans.js';

const FIRST_DEVICES = 5;
const MAX_DEVICES_IN_TEXT = 20;

function who(d: PlanDevice): string {
  const label = [d.name, d.userPrincipalName].filter(Boolean).join(', ');
  return label || d.cloudPcId;
}

function reasonOf(d: PlanDevice): string | undefined {
  const reason = d.reason ?? d.detail;
  return reason ? `${reason}${d.retryClass ? ` [${d.retryClass}]` : ''}` : d.retryClass;
}

export function minutesLeft(plan: Plan, now: number): number {
  return Math.max(0, Math.ceil((plan.expiresAt - now) / 60_000));
}

/** The elicitation message: what would happen, to whom, bound to the plan id. Plain text: clients render it as is. */
export function approvalQuestion(plan: Plan): string {
  const n = plan.cloudPcIds.length;
  const first = plan.devices.slice(0, FIRST_DEVICES).map(who).join('; ');
  const more = n > FIRST_DEVICES ? `; and ${n - FIRST_DEVICES} more` : '';
  return (
    `Approve retry plan ${plan.id}? It retries the ${plan.actionType} bulk action "${plan.displayName}" (${plan.bulkActionId})` +
    `${plan.actionDetails ? ` — ${plan.actionDetails} —` : ''} ` +
    `for exactly ${n} Cloud PC${n === 1 ? '' : 's'}: ${first}${more}. ` +
    `Retrying a ${plan.actionType} ${retryEffect(plan.actionType)}, and their users lose work in progress. ` +
    `The plan expires at ${new Date(plan.expiresAt).toISOString()}.`
  );
}

/** The plan as the assistant relays it after a dry run. */
export function planText(plan: Plan, now: number): string {
  const n = plan.cloudPcIds.length;
  const rows = plan.devices.slice(0, MAX_DEVICES_IN_TEXT).map((d) => {
    const reason = reasonOf(d);
    return `${d.cloudPcId} (${who(d)})${reason ? `: ${reason}` : ''}`;
  });
  const more = plan.devices.length > MAX_DEVICES_IN_TEXT ? `; … and ${plan.devices.length - MAX_DEVICES_IN_TEXT} more` : '';
  return (
    `Plan ${plan.id}: retry ${n} Cloud PC${n === 1 ? '' : 's'}${n ? ` — ${rows.join('; ')}${more}` : ''}. ` +
    `Valid for ${minutesLeft(plan, now)} min, for ${ownerLabel(plan.owner)}.` +
    (plan.destructive
      ? ` To run it, call retry_cloudpc_bulk_action with planId "${plan.id}": a person approves it first, and exactly these Cloud PCs are retried.`
      : ` To run exactly this plan, call retry_cloudpc_bulk_action with planId "${plan.id}".`)
  );
}

export function pageWaitText(plan: Plan, remainingMs: number): string {
  return `Waiting for a person to approve or decline plan ${plan.id} in the browser (${Math.ceil(remainingMs / 1000)} s left).`;
}

/** The answer when approval waits in the user's browser. Names no link unless the link grants nothing by itself. */
const WHERE_TEXT: Record<Exclude<PendingWhere, 'app'>, string> = {
  client: 'on the approval page your client opened for the user',
  browser: "in the user's browser (the approval page was opened there, and its link was sent to the client's log)",
  log: "on the approval page, whose one-time link was sent to the client's log and the server's stderr (not to you)",
};

export function pendingText(plan: Plan, where: PendingWhere, publicLink: string | undefined): string {
  const page = publicLink ? `on the approval page, which asks the user to sign in: ${publicLink}` : undefined;
  const place = where === 'app' ? `in the plan view shown with this result (Approve / Decline)${page ? `, or ${page}` : ''}` : (page ?? WHERE_TEXT[where]);
  return (
    `Not sent yet: plan ${plan.id} (${plan.cloudPcIds.length} Cloud PCs, ${plan.actionType} "${plan.displayName}") is waiting for the user's approval ${place}. ` +
    `Ask the user to approve or decline it there; after they approve, call retry_cloudpc_bulk_action with planId "${plan.id}". ` +
    'You cannot approve it yourself.'
  );
}

export function changeText(change: FailedSetChange): string {
  const parts: string[] = [];
  if (change.typeChanged) parts.push(`the action is now a ${change.typeChanged.to}, not a ${change.typeChanged.from}`);
  if (change.noLongerFailed.length) parts.push(`${change.noLongerFailed.length} planned Cloud PC(s) no longer failed: ${change.noLongerFailed.slice(0, 10).join(', ')}`);
  if (change.newlyFailed.length) parts.push(`${change.newlyFailed.length} Cloud PC(s) failed since the plan was made: ${change.newlyFailed.slice(0, 10).join(', ')}`);
  return parts.join('; ');
}
