// retry_cloudpc_bulk_action: the operation at the heart of the server, in steps: target → confirm → send → answer
// (src/tools/retry/). A destructive retry is sent only by executing a plan a person approved (docs/approval.md), and
// a dry run never sends, with or without a plan.
import { z } from 'zod';
import { defineTool, type ToolOutcome } from './defineTool.js';
import { guid } from './inputs.js';
import { ToolError, type ToolContext } from './context.js';
import { seekApproval } from './retry/confirm.js';
import { checkPlan, makePlan, runPlan, sendRetry } from './retry/execute.js';
import { visible } from '../core/visible.js';
import { ownerLabel, PLAN_PROBLEM_TEXT, planProblem, type ApprovalWay, type Plan } from './retry/plans.js';
import {
  acceptedText,
  approvalQuestion,
  changeText,
  dryRunText,
  idList,
  labelOf,
  nothingText,
  pendingText,
  planSentText,
  planText,
} from './retry/answerText.js';
import { goingDevices, resolveTarget, type RetryTarget } from './retry/target.js';
import { toDeviceRow } from './rows.js';
import { APPROVAL_META_KEY, planView, retryOutput, type RetryOutput } from './retry/resultShape.js';

/** Graph takes the ids in one body; 10,000 is well above the largest bulk action an admin can create. */
export const MAX_RETRY_IDS = 10_000;

type Args = {
  bulkActionId: string;
  cloudPcIds?: string[];
  dryRun?: boolean;
  confirm?: boolean;
  planId?: string;
  only?: 'retryable';
  includeNotFailed?: boolean;
};
type Outcome = ToolOutcome<RetryOutput>;

export const retryBulkAction = defineTool({
  name: 'retry_cloudpc_bulk_action',
  title: 'Retry a Cloud PC bulk action',
  kind: 'destructive',
  view: true,
  description: [
    'Retry a Windows 365 Cloud PC bulk action (restart, reprovision, resize, restore, …) in Microsoft Graph.',
    'Omit cloudPcIds to retry every device that failed; give cloudPcIds to retry only those Cloud PCs (they must belong to the bulk action).',
    'only: "retryable" retries exactly the failed devices whose failure a retry can fix, leaving out fix-first and unknown ones (named, with why).',
    'Chosen Cloud PCs that did not fail are left out and named, unless includeNotFailed: true. With nothing to retry nothing is sent (status nothingToRetry).',
    'Use dryRun: true first: nothing is sent, it shows exactly what a real call would send, and the result is a plan (planId) of the exact Cloud PCs.',
    'dryRun: true never sends, also with planId: then it shows that plan as executing it now would send it.',
    'Retrying a reprovision, restore, resize or similar action wipes, rolls back or rebuilds PCs: it is sent only by executing a plan that a person approved, so call again with the same bulkActionId and the planId;',
    'the person approves in the client, on an approval page in their browser, or in the plan view. You cannot approve it yourself.',
    'Graph accepts the retry and runs it asynchronously: check the bulk action again later to see the outcome.',
    'Find ids with list_cloudpc_bulk_actions, get_cloudpc_bulk_action and list_cloud_pcs.',
  ].join(' '),
  input: {
    bulkActionId: guid('bulkActionId').describe('Id (GUID) of the bulk action to retry. With planId: the bulk action the plan is for.'),
    cloudPcIds: z
      .array(guid('Each cloudPcIds item'), { error: 'cloudPcIds must be an array of Cloud PC id strings.' })
      .min(1, {
        error: 'cloudPcIds is empty. Omit cloudPcIds to retry all failed devices of the bulk action, or list at least one Cloud PC id.',
      })
      .max(MAX_RETRY_IDS, { error: `cloudPcIds has more than ${MAX_RETRY_IDS} ids; split the retry into several calls.` })
      .optional()
      .describe('Cloud PC ids (GUIDs) to retry. Omit to retry all failed devices. Never pass an empty array.'),
    only: z
      .enum(['retryable'], { error: 'only must be "retryable" (or omitted).' })
      .optional()
      .describe(
        '"retryable": send exactly the failed devices (of cloudPcIds, if given) whose failure a retry can fix. Default: no such filter.',
      ),
    includeNotFailed: z
      .boolean({ error: 'includeNotFailed must be true or false.' })
      .optional()
      .describe(
        'Send chosen cloudPcIds even if their device did not fail (the admin insists). Default false: such ids are left out and named.',
      ),
    dryRun: z
      .boolean({ error: 'dryRun must be true or false.' })
      .optional()
      .describe('Show what a real call would send, make a plan of it, and send nothing. Default false.'),
    planId: z
      .string({ error: 'planId must be a string.' })
      .regex(/^plan-[0-9a-f]{32}$/, { error: 'planId must be a plan id from a dry run, such as plan-0123456789abcdef0123456789abcdef.' })
      .optional()
      .describe(
        'Execute this plan (from a dry run) of bulkActionId: exactly its Cloud PCs are retried, once a person approved it. With dryRun: true, only shows it.',
      ),
    confirm: z
      .boolean({ error: 'confirm must be true or false.' })
      .optional()
      .describe(
        'Only where the operator set CLOUDPC_MCP_CONFIRM_POLICY=model: true after the user explicitly agreed. Ignored otherwise. Default false.',
      ),
  },
  output: retryOutput,
  async handle(args, ctx) {
    if (args.planId) {
      const plan = await planFor(args, args.planId, ctx);
      return args.dryRun ? previewPlan(plan, ctx) : executePlan(args, plan, ctx);
    }
    const t = await resolveTarget(args, ctx);
    if (args.dryRun) return dryRun(t, ctx);
    if (t.notInAction.length) {
      throw new ToolError(
        `Not sent: ${t.notInAction.length === 1 ? '1 of the given Cloud PC ids is' : `${t.notInAction.length} of the given Cloud PC ids are`} not part of the ${labelOf(t)}: ${idList(t.notInAction)}. ` +
          "Remove them (get_cloudpc_bulk_action lists the action's devices) and call again.",
      );
    }
    if (t.nothingToRetry)
      return { structured: { ...baseOf(t, ctx), status: 'nothingToRetry' as const }, text: nothingText(t, ctx.deps.simulated) };
    if (!t.destructive) return sendNow(t, ctx);
    // A destructive retry without a plan gets one now, from the action's current state, and goes through approval.
    const plan = await makePlan(ctx, t);
    if ('none' in plan) throw new ToolError(`Not sent: nothing to plan for the ${labelOf(t)}: ${plan.none}.`);
    return approveThenRun(plan, ctx, args.confirm);
  },
});

function baseOf(t: RetryTarget, ctx: ToolContext) {
  return {
    bulkActionId: t.bulkActionId,
    actionType: t.facts.actionType,
    displayName: t.facts.displayName,
    target: t.send === undefined ? ('allFailed' as const) : ('selected' as const),
    cloudPcIds: t.send ?? [],
    duplicatesRemoved: t.duplicatesRemoved,
    destructive: t.destructive,
    counts: t.counts,
    ...(t.leftOut.length ? { leftOut: t.leftOut } : {}),
    simulated: ctx.deps.simulated,
  };
}

function planBase(plan: Plan, ctx: ToolContext) {
  return {
    bulkActionId: plan.bulkActionId,
    actionType: plan.actionType,
    displayName: plan.displayName,
    target: plan.target,
    cloudPcIds: plan.cloudPcIds,
    duplicatesRemoved: 0,
    destructive: plan.destructive,
    simulated: ctx.deps.simulated,
  };
}

/**
 * The view's secret for the app-only decision tool, in the result's _meta, only where it stays with the view
 * (ClientAbilities.appApproval); elsewhere the view's Approve opens the approval page (approvalUrl) instead.
 */
function viewMeta(plan: Plan, ctx: ToolContext): { meta?: Record<string, unknown> } {
  if (!ctx.client.appApproval || !plan.destructive || plan.state !== 'pending') return {};
  return { meta: { [APPROVAL_META_KEY]: { planId: plan.id, appToken: plan.appToken } } };
}

/** The sign-in approval page's address (remote mode), for the view's Approve button; never a link that grants anything. */
async function approvalUrl(plan: Plan, ctx: ToolContext): Promise<{ approvalUrl?: string }> {
  const page = ctx.deps.approvalPage;
  if (!page?.linkIsPublic || !plan.destructive || plan.state !== 'pending') return {};
  return { approvalUrl: await page.linkFor(plan) };
}

async function dryRun(t: RetryTarget, ctx: ToolContext): Promise<Outcome> {
  const devices = t.outcomes && goingDevices(t).map(toDeviceRow);
  const structured: RetryOutput = { ...baseOf(t, ctx), status: 'dryRun', devices, notInBulkAction: t.notInAction };
  // Nothing to retry, or ids that are not part of the action: a real call would send nothing, so no plan is made.
  const plan = await makePlan(ctx, t);
  if ('none' in plan) {
    const text = dryRunText(t, ctx.deps.simulated);
    return { structured, text: t.nothingToRetry ? text : `${text}\nNo plan was made: ${plan.none}.` };
  }
  return {
    // What executing the plan sends is the plan's ids, so those are the ids the dry run names.
    structured: { ...structured, cloudPcIds: plan.cloudPcIds, planId: plan.id, plan: planView(plan), ...(await approvalUrl(plan, ctx)) },
    text: `${dryRunText(t, ctx.deps.simulated, plan)}\n${planText(plan, ctx.deps.plans.now(), !t.outcomes || Boolean(t.outcomes.unavailable))}`,
    ...viewMeta(plan, ctx),
  };
}

async function sendNow(t: RetryTarget, ctx: ToolContext): Promise<Outcome> {
  const res = await sendRetry(ctx, t.bulkActionId, t.send);
  const base = baseOf(t, ctx);
  // Spelled out rather than spread from base: this is the path every accepted retry takes, and V8 builds a
  // spread-then-extended object slowly.
  const structured: RetryOutput = {
    status: 'accepted',
    bulkActionId: base.bulkActionId,
    actionType: base.actionType,
    displayName: base.displayName,
    target: base.target,
    cloudPcIds: base.cloudPcIds,
    duplicatesRemoved: base.duplicatesRemoved,
    destructive: base.destructive,
    counts: base.counts,
    ...(base.leftOut ? { leftOut: base.leftOut } : {}),
    requestId: res.requestId,
    clientRequestId: res.clientRequestId,
    date: res.date,
    simulated: base.simulated,
  };
  return { structured, text: acceptedText(t, ctx.deps.simulated, res) };
}

/** The plan `planId` names, if this caller may use it for this bulk action; a clear refusal otherwise. */
async function planFor(args: Args, planId: string, ctx: ToolContext): Promise<Plan> {
  const { plans, owner } = ctx.deps;
  const plan = await plans.get(planId);
  const problem = planProblem(plan, owner, plans.now());
  if (problem === 'used' && plan?.outcome?.kind === 'sent') {
    const sent = plan.outcome;
    throw new ToolError(
      `Not sent again: plan ${planId} was already sent at ${new Date(sent.at).toISOString()} (request-id ${sent.requestId ?? '(none)'}); a plan is sent once. Check the bulk action with get_cloudpc_bulk_action.`,
    );
  }
  if (problem) {
    throw new ToolError(
      `Not sent: plan ${planId} ${PLAN_PROBLEM_TEXT[problem]}. Make a new plan with a dry run (bulkActionId and dryRun: true) and call again with its planId.`,
    );
  }
  if (args.bulkActionId.toLowerCase() !== plan!.bulkActionId.toLowerCase()) {
    throw new ToolError(
      `Not sent: plan ${planId} is for bulk action ${plan!.bulkActionId}, not ${args.bulkActionId}. ` +
        `Call with bulkActionId "${plan!.bulkActionId}" and this planId, or make a plan for ${args.bulkActionId} with a dry run.`,
    );
  }
  if (args.cloudPcIds || args.only || args.includeNotFailed) {
    throw new ToolError(
      `Not sent: plan ${planId} fixes the Cloud PCs; call with bulkActionId and planId only (no cloudPcIds, only or includeNotFailed), or make a new plan with a dry run.`,
    );
  }
  return plan!;
}

/** dryRun with planId: the plan as executing it now would send it, re-checked against Graph; nothing is sent. */
async function previewPlan(plan: Plan, ctx: ToolContext): Promise<Outcome> {
  const base = planBase(plan, ctx);
  const { change } = await checkPlan(plan, ctx);
  const sim = ctx.deps.simulated ? ' [simulated tenant]' : '';
  const next =
    plan.destructive && plan.state === 'pending'
      ? 'A person approves it before it is sent.'
      : plan.state === 'declined'
        ? 'The user declined it: executing it sends nothing.'
        : '';
  if (change) {
    return {
      structured: { ...base, cloudPcIds: [], status: 'dryRun', planId: plan.id, plan: planView(plan), changes: change },
      text: [
        `Dry run, nothing sent${sim}.`,
        `Plan ${plan.id} no longer holds: ${changeText(change)}.`,
        'Executing it now sends nothing: a new plan would be offered instead.',
        `Make a new plan with a dry run (bulkActionId "${plan.bulkActionId}", dryRun: true).`,
      ].join('\n'),
    };
  }
  const ids = plan.state === 'declined' ? [] : plan.cloudPcIds;
  return {
    structured: { ...base, cloudPcIds: ids, status: 'dryRun', planId: plan.id, plan: planView(plan), ...(await approvalUrl(plan, ctx)) },
    text: [
      `Dry run, nothing sent${sim}. Checked against the action's current state: the plan still holds.`,
      next,
      planText(plan, ctx.deps.plans.now()),
    ]
      .filter(Boolean)
      .join('\n'),
    ...viewMeta(plan, ctx),
  };
}

async function executePlan(args: Args, plan: Plan, ctx: ToolContext): Promise<Outcome> {
  const { plans } = ctx.deps;
  if (plan.state === 'declined') {
    return {
      structured: { ...planBase(plan, ctx), status: 'declined', planId: plan.id, plan: planView(plan) },
      text: `Not sent: the user declined plan ${plan.id}. Nothing was changed.`,
    };
  }
  if (plan.destructive && plan.state === 'pending') return approveThenRun(plan, ctx, args.confirm);
  if (!plan.destructive && plan.state === 'pending')
    await plans.decide(plan.id, true, 'notNeeded', 'no one (a non-destructive action type needs no approval)');
  return run(plan, ctx);
}

async function approveThenRun(asked: Plan, ctx: ToolContext, confirmFlag: boolean | undefined): Promise<Outcome> {
  const base = planBase(asked, ctx);
  const outcome = await seekApproval(asked, ctx, confirmFlag);
  // The plan as the store has it now: the answer shows the decision just recorded.
  const plan = (await ctx.deps.plans.get(asked.id)) ?? asked;
  switch (outcome.kind) {
    case 'approved':
      return run(plan, ctx, { how: outcome.how, by: outcome.by });
    case 'declined':
      return {
        // A cancelled form is not a decision: the plan stays open, and the result says cancelled, as the text does.
        structured: { ...base, status: outcome.answer, planId: plan.id, plan: planView(plan) },
        text: `Not sent: the user ${outcome.answer} plan ${plan.id}, the retry of the ${plan.actionType} bulk action "${visible(plan.displayName)}". Nothing was changed.`,
      };
    case 'confirmationRequired':
      return {
        structured: { ...base, status: 'confirmationRequired', planId: plan.id, plan: planView(plan) },
        text: `Not sent.\n${approvalQuestion(plan)}\nAsk the user to confirm this explicitly; only if they agree, call retry_cloudpc_bulk_action with bulkActionId "${plan.bulkActionId}", planId "${plan.id}" and confirm: true.`,
      };
    case 'pending': {
      const publicLink = ctx.deps.approvalPage?.linkIsPublic ? outcome.link : undefined;
      return {
        structured: {
          ...base,
          status: 'approvalPending',
          planId: plan.id,
          plan: planView(plan),
          ...(publicLink ? { approvalUrl: publicLink } : {}),
        },
        text: pendingText(plan, outcome.where, publicLink, outcome.notOpened),
        ...viewMeta(plan, ctx),
      };
    }
  }
}

async function run(planInHand: Plan, ctx: ToolContext, approvedAs?: { how: ApprovalWay; by: string }): Promise<Outcome> {
  // Read again: the decision was recorded in the store (possibly by another replica) after this copy was read.
  const plan = (await ctx.deps.plans.get(planInHand.id)) ?? planInHand;
  const base = planBase(plan, ctx);
  const outcome = await runPlan(plan, ctx);
  if (outcome.kind === 'changed') {
    const next = outcome.next;
    const offer =
      'none' in next
        ? `No new plan was made: ${next.none}.`
        : `A new plan was made from the current state.\n${planText(next, ctx.deps.plans.now())}`;
    return {
      structured: {
        ...base,
        status: 'planChanged',
        planId: plan.id,
        changes: outcome.change,
        ...('none' in next ? {} : { newPlanId: next.id, plan: planView(next), ...(await approvalUrl(next, ctx)) }),
      },
      text: `Not sent: the action changed since plan ${plan.id} was made: ${changeText(outcome.change)}.\n${offer}`,
      ...('none' in next ? {} : viewMeta(next, ctx)),
    };
  }
  const { res } = outcome;
  const decision = approvedAs ?? plan.decision!;
  // As the store has it now: used, with what was sent (when the store could record it).
  const sentPlan = (await ctx.deps.plans.get(plan.id).catch(() => undefined)) ?? plan;
  ctx.deps.logger.info('retry sent for an approved plan', {
    planId: plan.id,
    bulkActionId: plan.bulkActionId,
    ids: plan.cloudPcIds.length,
    approvedVia: decision.how,
    approvedBy: decision.by,
    owner: ownerLabel(plan.owner),
    requestId: res.requestId,
  });
  return {
    structured: {
      ...base,
      status: 'accepted',
      planId: plan.id,
      plan: planView(sentPlan),
      approval: { via: decision.how, by: decision.by },
      requestId: res.requestId,
      clientRequestId: res.clientRequestId,
      date: res.date,
    },
    text: planSentText(plan, ctx.deps.simulated, res, `via ${decision.how} by ${decision.by}`),
  };
}
