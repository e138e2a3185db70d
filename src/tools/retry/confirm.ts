// Step 2 of a retry: a person's approval of the exact plan before a destructive retry is sent. Which way to ask is a
// pure decision (approvalRoute) from the operator's policy and what the client can do; seekApproval then asks.
import type { ConfirmPolicy } from '../../config/config.js';
import { ToolError, type ClientAbilities, type ToolContext } from '../context.js';
import { ownerLabel, waitForDecision, type ApprovalWay, type Plan } from './plans.js';
import { approvalQuestion, cloudPcs, pageWaitText } from './answerText.js';
import { visible } from '../../core/visible.js';

export type ApprovalRoute =
  { kind: 'elicitation' | 'url' | 'app' | 'page' | 'model' | 'confirmationRequired' } | { kind: 'refuse'; reason: string };

/**
 * Pure: how a destructive retry gets its approval. In order of preference: a form in the client (elicitation), the
 * approval page opened by the client (URL-mode elicitation), the MCP Apps view's buttons, the approval page opened by
 * the server; under policy model, the model's confirm: true when the client cannot ask.
 */
export function approvalRoute(
  policy: ConfirmPolicy,
  client: ClientAbilities,
  pageAvailable: boolean,
  confirmFlag: boolean | undefined,
): ApprovalRoute {
  if (policy === 'refuse') {
    return {
      kind: 'refuse',
      reason:
        "the server's policy (CLOUDPC_MCP_CONFIRM_POLICY=refuse) allows no destructive retry through this server; use the Intune admin center, or ask the operator to change the policy",
    };
  }
  if (client.form) return { kind: 'elicitation' };
  if (policy === 'model') return { kind: confirmFlag === true ? 'model' : 'confirmationRequired' };
  if (client.url && pageAvailable) return { kind: 'url' };
  // Only where the view's secret stays with the view (see ClientAbilities.appApproval); elsewhere a view's Approve
  // opens the approval page, because a tool call alone must never approve.
  if (client.appApproval) return { kind: 'app' };
  if (pageAvailable) return { kind: 'page' };
  return {
    kind: 'refuse',
    reason:
      'a person must approve it, but this MCP client cannot ask them (no elicitation, no MCP Apps view) and the approval page is turned off (CLOUDPC_MCP_APPROVAL_PAGE=off). ' +
      'Use a client that supports elicitation, or ask the operator to turn the approval page on',
  };
}

/**
 * Where the person finds the plan: the MCP Apps view, the page the client opened, a browser the server opened, a link
 * in the log, or (remote mode) the sign-in page whose link the assistant relays.
 */
export type PendingWhere = 'app' | 'client' | 'browser' | 'log' | 'signIn';

export type ApprovalOutcome =
  | { kind: 'approved'; how: ApprovalWay; by: string }
  | { kind: 'declined'; answer: 'declined' | 'cancelled' }
  | { kind: 'pending'; where: PendingWhere; link?: string; notOpened?: string }
  | { kind: 'confirmationRequired' };

/** Asks for approval of `plan` the way `approvalRoute` chooses; records the decision in the plan store. */
export async function seekApproval(plan: Plan, ctx: ToolContext, confirmFlag: boolean | undefined): Promise<ApprovalOutcome> {
  const { config, plans, approvalPage, owner } = ctx.deps;
  const by = ownerLabel(owner);
  const route = approvalRoute(config.confirmPolicy, ctx.client, approvalPage !== undefined, confirmFlag);
  switch (route.kind) {
    case 'refuse':
      throw new ToolError(`Not sent: retrying a ${plan.actionType} is destructive, and ${route.reason}.`);
    case 'confirmationRequired':
      return { kind: 'confirmationRequired' };
    case 'model':
      await plans.decide(plan.id, true, 'model', 'the model (CLOUDPC_MCP_CONFIRM_POLICY=model)');
      return { kind: 'approved', how: 'model', by: 'the model (CLOUDPC_MCP_CONFIRM_POLICY=model)' };
    case 'elicitation': {
      const answer = await ctx.confirm(approvalQuestion(plan));
      if (answer === 'accepted') {
        await plans.decide(plan.id, true, 'elicitation', by);
        return { kind: 'approved', how: 'elicitation', by };
      }
      if (answer === 'declined') await plans.decide(plan.id, false, 'elicitation', by);
      // Unsupported cannot happen here (the route checked); a cancelled form leaves the plan open for another try.
      return { kind: 'declined', answer: answer === 'declined' ? 'declined' : 'cancelled' };
    }
    case 'app':
      return { kind: 'pending', where: 'app', ...(approvalPage ? { link: (await announce(plan, ctx, false)).link } : {}) };
    case 'url':
    case 'page':
      return approvalOnPage(plan, ctx, route.kind);
  }
}

/** Sends the page link to the person (never to the model, unless the page itself demands the owner's sign-in). */
async function announce(plan: Plan, ctx: ToolContext, openBrowser: boolean): Promise<{ link: string; opened: boolean; why?: string }> {
  const page = ctx.deps.approvalPage!;
  const link = await page.linkFor(plan);
  const result = openBrowser ? await page.open(link) : undefined;
  const what = `retry plan ${plan.id} (${cloudPcs(plan.cloudPcIds.length)}, ${plan.actionType} "${visible(plan.displayName)}")`;
  // Said only when the opener reported success: "opened" where nothing opened sends the person looking for a window.
  const lead = result?.opened
    ? `A browser window was opened to approve or decline ${what}. If it did not show the page, open this link`
    : `${result ? `No browser was opened (${result.why}). ` : ''}Open this link to approve or decline ${what}`;
  ctx.notify('warning', `${lead}: ${link}`);
  return { link, opened: result?.opened === true, ...(result && !result.opened ? { why: result.why } : {}) };
}

async function approvalOnPage(plan: Plan, ctx: ToolContext, route: 'url' | 'page'): Promise<ApprovalOutcome> {
  const { plans, config, approvalPage } = ctx.deps;
  let link: string;
  let where: PendingWhere = 'client';
  let notOpened: string | undefined;
  if (approvalPage!.linkIsPublic && route === 'page') {
    // Remote mode's sign-in page: the link grants nothing by itself, so the assistant relays it (and the view opens
    // it); waiting would hold the HTTP call open while the person signs in.
    link = await approvalPage!.linkFor(plan);
    ctx.notify('warning', `Approve or decline retry plan ${plan.id} after signing in: ${link}`);
    return { kind: 'pending', where: 'signIn', link };
  }
  const announced = async () => {
    const a = await announce(plan, ctx, config.approvalPage === 'browser');
    where = a.opened ? 'browser' : 'log';
    notOpened = a.why;
    return a.link;
  };
  if (route === 'url') {
    link = await approvalPage!.linkFor(plan);
    const answer = await ctx.openUrl(
      `Approve or decline retry plan ${plan.id}: ${cloudPcs(plan.cloudPcIds.length)} of the ${plan.actionType} bulk action "${visible(plan.displayName)}".`,
      link,
      plan.id,
    );
    if (answer === 'declined' || answer === 'cancelled') {
      if (answer === 'declined') await plans.decide(plan.id, false, 'url', ownerLabel(ctx.deps.owner));
      return { kind: 'declined', answer };
    }
    if (answer === 'unsupported') link = await announced();
  } else {
    link = await announced();
  }
  const decided = await waitForDecision(plans, plan.id, config.approvalWaitMs, ctx.signal, (remaining) =>
    ctx.progress(0, undefined, pageWaitText(plan, remaining)),
  );
  if (route === 'url') ctx.urlCompleted(plan.id);
  if (decided?.state === 'approved') {
    // The page recorded the approval; it came through the client's URL elicitation, which the audit line names.
    if (route === 'url' && decided.decision!.how === 'page') decided.decision!.how = 'url';
    return { kind: 'approved', how: decided.decision!.how, by: decided.decision!.by };
  }
  if (decided?.state === 'declined') return { kind: 'declined', answer: 'declined' };
  return { kind: 'pending', where, link, ...(notOpened ? { notOpened } : {}) };
}
