// retry_cloudpc_bulk_action: the operation at the heart of the server, in steps: target → confirm → send → render
// (src/tools/retry/). A destructive retry is sent only by executing a plan a person approved (docs/approval.md).
import { z } from 'zod';
import { defineTool, type ToolOutcome } from './defineTool.js';
import { guid } from './inputs.js';
import { ToolError, type ToolContext } from './context.js';
import { seekApproval } from './retry/confirm.js';
import { makePlan, runPlan } from './retry/execute.js';
import { ownerLabel, PLAN_PROBLEM_TEXT, planProblem, type ApprovalWay, type Plan } from './retry/plans.js';
import { approvalQuestion, changeText, pendingText, planText } from './retry/planText.js';
import { acceptedText, dryRunText, idList, labelOf, nothingText } from './retry/render.js';
import { sendRetry } from './retry/send.js';
import { goingDevices, resolveTarget, type RetryTarget } from './retry/target.js';
import { toDeviceRow } from './rows.js';
import { APPROVAL_META_KEY, planView, retryOutput, type RetryOutput } from './retry/output.js';

/** Graph takes the ids in one body; 10,000 is well above the largest bulk action an admin can create. */
export const MAX_RETRY_IDS = 10_000;

type Args = { bulkActionId?: string; cloudPcIds?: string[]; dryRun?: boolean; confirm?: boolean; planId?: string; only?: 'retryable'; includeNotFailed?: boolean };
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
    'Retrying a reprovision, restore, resize or similar action wipes, rolls back or rebuilds PCs: it is sent only by executing a plan that a person approved, so call again with planId;',
    'the person approves in the client, on an approval page in their browser, or in the plan view. You cannot approve it yourself.',
    'Graph accepts the retry and runs it asynchronously: check the bulk action again later to see the outcome.',
    'Find ids with list_cloudpc_bulk_actions, get_cloudpc_bulk_action and list_cloud_pcs.',
  ].join(' '),
  input: {
    bulkActionId: guid('bulkActionId').optional().describe('Id (GUID) of the bulk action to retry. Required unless planId is given.'),
    cloudPcIds: z
      .array(guid('Each cloudPcIds item'), { error: 'cloudPcIds must be an array of Cloud PC id strings.' })
      .min(1, { error: 'cloudPcIds is empty. Omit cloudPcIds to retry all failed devices of the bulk action, or list at least one Cloud PC id.' })
      .max(MAX_RETRY_IDS, { error: `cloudPcIds has more than ${MAX_RETRY_IDS} ids; split the retry into several calls.` })
      .optional()
      .describe('Cloud PC ids (GUIDs) to retry. Omit to retry all failed devices. Never pass an empty array.'),
    only: z
      .enum(['retryable'], { error: 'only must be "retryable" (or omitted).' })
      .optional()
      .describe('"retryable": send exactly the failed devices (of cloudPcIds, if given) whose failure a retry can fix. Default: no such filter.'),
    includeNotFailed: z
      .boolean({ error: 'includeNotFailed must be true or false.' })
      .optional()
      .describe('Send chosen cloudPcIds even if their device did not fail (the admin insists). Default false: such ids are left out and named.'),
    dryRun: z.boolean({ error: 'dryRun must be true or false.' }).optional().describe('Show what a real call would send, make a plan of it, and send nothing. Default false.'),
    planId: z
      .string({ error: 'planId must be a string.' })
      .regex(/^plan-[0-9a-f]{32}$/, { error: 'planId must be a plan id from a dry run, such as plan-0123456789abcdef0123456789abcdef.' })
      .optional()
      .describe('Execute this plan (from a dry run): exactly its Cloud PCs are retried, once a person approved it.'),
    confirm: z
      .boolean({ error: 'confirm must be true or false.' })
      .optional()
      .describe('Only where the operator set CLOUDPC_MCP_CONFIRM_POLICY=model: true after the user explicitly agreed. Ignored otherwise. Default false.'),
  },
  output: retryOutput,
  async handle(args, ctx) {
    if (args.planId) return executePlanById(args, args.planId, ctx);
    if (!args.bulkActionId) throw new ToolError('Invalid arguments for retry_cloudpc_bulk_action; nothing was sent to Microsoft Graph. Give bulkActionId (the bulk action to retry), or planId to execute a plan from a dry run.');
    const t = await resolveTarget({ ...args, bulkActionId: args.bulkActionId }, ctx);
    if (args.dryRun) return dryRun(t, ctx);
    if (t.notInAction.length) {
      throw new ToolError(
        `Not sent: ${t.notInAction.length} of the given Cloud PC id(s) are not part of the ${labelOf(t)}: ${idList(t.notInAction)}. ` +
          'Remove them (get_cloudpc_bulk_action lists the action\'s devices) and call again.',
      );
    }
    if (t.nothingToRetry) return { structured: { ...baseOf(t, ctx), status: 'nothingToRetry' as const }, text: nothingText(t, ctx.deps.simulated) };
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

/** The app-only secret goes in the result's _meta, which hosts give to the view and not to the model. */
function viewMeta(plan: Plan): Record<string, unknown> {
  return { [APPROVAL_META_KEY]: { planId: plan.id, appToken: plan.appToken } };
}

async function dryRun(t: RetryTarget, ctx: ToolContext): Promise<Outcome> {
  const text = dryRunText(t, ctx.deps.simulated);
  const devices = t.outcomes && goingDevices(t).map(toDeviceRow);
  const structured: RetryOutput = { ...baseOf(t, ctx), status: 'dryRun', devices, notInBulkAction: t.notInAction };
  // Nothing to retry, or ids that are not part of the action: a real call would send nothing, so no plan is made.
  const plan = await makePlan(ctx, t);
  if ('none' in plan) return { structured, text: t.nothingToRetry ? text : `${text}\nNo plan was made: ${plan.none}.` };
  return {
    structured: { ...structured, planId: plan.id, plan: planView(plan) },
    text: `${text}\n${planText(plan, ctx.deps.plans.now())}`,
    meta: viewMeta(plan),
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

async function executePlanById(args: Args, planId: string, ctx: ToolContext): Promise<Outcome> {
  const { plans, owner } = ctx.deps;
  const plan = await plans.get(planId);
  const problem = planProblem(plan, owner, plans.now());
  if (problem) {
    throw new ToolError(`Not sent: plan ${planId} ${PLAN_PROBLEM_TEXT[problem]}. Make a new plan with a dry run (dryRun: true) and call again with its planId.`);
  }
  if (args.cloudPcIds || (args.bulkActionId && args.bulkActionId.toLowerCase() !== plan!.bulkActionId.toLowerCase())) {
    throw new ToolError(`Not sent: plan ${planId} fixes the bulk action and the Cloud PCs; call with planId alone (and no cloudPcIds), or make a new plan with a dry run.`);
  }
  if (plan!.state === 'declined') {
    return { structured: { ...planBase(plan!, ctx), status: 'declined', planId, plan: planView(plan!) }, text: `Not sent: the user declined plan ${planId}. Nothing was changed.` };
  }
  if (plan!.destructive && plan!.state === 'pending') return approveThenRun(plan!, ctx, args.confirm);
  if (!plan!.destructive && plan!.state === 'pending') await plans.decide(planId, true, 'notNeeded', 'no one (a non-destructive action type needs no approval)');
  return run(plan!, ctx);
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
        text: `Not sent: the user ${outcome.answer} plan ${plan.id}, the retry of the ${plan.actionType} bulk action "${plan.displayName}". Nothing was changed.`,
      };
    case 'confirmationRequired':
      return {
        structured: { ...base, status: 'confirmationRequired', planId: plan.id, plan: planView(plan) },
        text: `Not sent: ${approvalQuestion(plan)} Ask the user to confirm this explicitly; only if they agree, call retry_cloudpc_bulk_action with planId "${plan.id}" and confirm: true.`,
      };
    case 'pending': {
      const publicLink = ctx.deps.approvalPage?.linkIsPublic ? outcome.link : undefined;
      return {
        structured: { ...base, status: 'approvalPending', planId: plan.id, plan: planView(plan) },
        text: pendingText(plan, outcome.where, publicLink),
        meta: viewMeta(plan),
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
    const offer = 'none' in next ? `No new plan was made: ${next.none}.` : `A new plan was made from the current state: ${planText(next, ctx.deps.plans.now())}`;
    return {
      structured: { ...base, status: 'planChanged', planId: plan.id, changes: outcome.change, ...('none' in next ? {} : { newPlanId: next.id, plan: planView(next) }) },
      text: `Not sent: the action changed since plan ${plan.id} was made: ${changeText(outcome.change)}. ${offer}`,
      ...('none' in next ? {} : { meta: viewMeta(next) }),
    };
  }
  const { res } = outcome;
  const decision = approvedAs ?? plan.decision!;
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
      approval: { via: decision.how, by: decision.by },
      requestId: res.requestId,
      clientRequestId: res.clientRequestId,
      date: res.date,
    },
    text:
      `Retry accepted${ctx.deps.simulated ? ' [simulated tenant]' : ''}: Microsoft Graph accepted plan ${plan.id}, the retry of the ${plan.actionType} bulk action "${plan.displayName}" for exactly ${plan.cloudPcIds.length} Cloud PC(s) ` +
      `(approved via ${decision.how} by ${decision.by}; HTTP ${res.status}). It runs asynchronously: check the bulk action again in a few minutes. ` +
      `request-id ${res.requestId ?? '(none)'}, client-request-id ${res.clientRequestId}, date ${res.date}.`,
  };
}
