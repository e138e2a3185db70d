// Plans from what Graph says now, and their execution: the action is read again just before sending, and a plan whose
// failed set no longer holds is not sent (a new plan is offered instead). A plan sends exactly its ids, never `{}`.
// The POST itself (sendRetry) is here too: every retry is sent through it, once everything before it said yes.
import { EmptyIdListError, getBulkAction, postRetry, type BulkAction } from '../../graph/bulkActions.js';
import type { DeviceOutcome } from '../../graph/outcomes/deviceOutcomes.js';
import type { GraphResponse } from '../../graph/types.js';
import { ToolError, type ToolContext } from '../context.js';
import { outcomesFor, startReading } from '../outcomes.js';
import { failedSetChange, type ActionCounts, type FailedSetChange, type Plan, type PlanDevice } from './plans.js';
import { parametersText } from './answerText.js';
import { goingDevices, resolveTarget, type RetryTarget } from './target.js';

function planDevice(d: DeviceOutcome): PlanDevice {
  return {
    cloudPcId: d.cloudPcId,
    ...(d.name ? { name: d.name } : {}),
    ...(d.userPrincipalName ? { userPrincipalName: d.userPrincipalName } : {}),
    state: d.state,
    ...(d.reason ? { reason: d.reason } : {}),
    ...(d.failureClass ? { retryClass: d.failureClass } : {}),
    ...(d.fix ? { fix: d.fix } : {}),
  };
}

export async function sendRetry(ctx: ToolContext, bulkActionId: string, cloudPcIds: string[] | undefined): Promise<GraphResponse<unknown>> {
  // Graph refuses retry for application permissions; saying so here beats a bare 403 after the fact.
  const tokens = ctx.deps.tokens();
  if (!tokens.delegated) {
    throw new ToolError(
      `Not sent: the server signs in as an application (${tokens.description}), and Microsoft Graph supports retrying bulk actions only with ` +
        'delegated permission: a signed-in user with CloudPC.ReadWrite.All and a Windows 365 role that allows bulk actions. ' +
        'Set CLOUDPC_MCP_AUTH to browser or devicecode (or remove the service principal variables) and restart the server.',
    );
  }
  return postRetry(ctx.deps.graph(), {
    bulkActionId,
    cloudPcIds,
    signal: ctx.signal,
    onThrottle: (n) =>
      ctx.progress(
        n.attempt,
        undefined,
        `Graph is throttling (HTTP ${n.status}); waiting ${Math.ceil(n.waitMs / 1000)} s before attempt ${n.attempt + 1}.`,
      ),
  }).catch((err: unknown) => {
    throw err instanceof EmptyIdListError ? new ToolError(err.message) : err;
  });
}

function actionCounts(a: BulkAction | undefined): ActionCounts | undefined {
  const s = a?.actionSummary;
  if (!s) return undefined;
  const counts: ActionCounts = {};
  if (s.successfulCount !== undefined) counts.succeeded = s.successfulCount;
  if (s.failedCount !== undefined) counts.failed = s.failedCount;
  if (s.inProgressCount !== undefined) counts.inProgress = s.inProgressCount;
  if (s.pendingCount !== undefined) counts.pending = s.pendingCount;
  if (s.notSupportedCount !== undefined) counts.notSupported = s.notSupportedCount;
  return counts;
}

/** Why no plan can be made for this target, or undefined when one can. */
function noPlanReason(t: RetryTarget): string | undefined {
  if (t.notInAction.length) return 'some given ids are not part of the action';
  if (t.nothingToRetry) return t.nothingToRetry;
  const o = t.outcomes;
  if (t.send === undefined) {
    if (!o || o.unavailable)
      return `which Cloud PCs failed could not be read${o?.unavailable ? ` (${o.unavailable})` : ''}, so there are no exact ids to plan; name the Cloud PCs with cloudPcIds`;
    if (o.more)
      return 'the action has more failed Cloud PCs than one call reads, so there are no exact ids for "all failed"; plan them in parts with cloudPcIds';
    if (!goingDevices(t).length) return 'the action has no failed Cloud PCs to retry right now';
  }
  return undefined;
}

/** A plan of exactly the devices a retry would act on now (t.send, or every failed device read), owned by this user. */
export async function makePlan(ctx: ToolContext, t: RetryTarget): Promise<Plan | { none: string }> {
  // A real "all failed" call lets Graph pick the devices; a plan needs them by name.
  if (t.send === undefined && !t.outcomes && !t.nothingToRetry && t.action)
    t.outcomes = await outcomesFor(ctx, t.action, { onlyFailed: true, reasons: true });
  const why = noPlanReason(t);
  if (why) return { none: why };
  const failed = goingDevices(t);
  const byId = new Map(failed.map((d) => [d.cloudPcId.toLowerCase(), d]));
  const ids = t.send ?? failed.map((d) => d.cloudPcId);
  // Ids the admin insisted on although they did not fail: their state is not expected to be "failed" later either.
  const insisted = t.includeNotFailed && t.outcomes && !t.outcomes.unavailable ? ids.filter((id) => !byId.has(id.toLowerCase())) : [];
  const details = parametersText(t.action);
  const counts = actionCounts(t.action);
  return ctx.deps.plans.create({
    bulkActionId: t.bulkActionId,
    actionType: t.facts.actionType,
    displayName: t.facts.displayName,
    destructive: t.destructive,
    target: t.send === undefined ? 'allFailed' : 'selected',
    cloudPcIds: ids,
    devices: ids.map((id) => {
      const d = byId.get(id.toLowerCase());
      return d ? planDevice(d) : { cloudPcId: id, state: insisted.includes(id) ? 'did not fail' : 'unknown' };
    }),
    owner: ctx.deps.owner,
    ...(t.only ? { only: t.only } : {}),
    ...(insisted.length ? { insisted } : {}),
    ...(details ? { actionDetails: details } : {}),
    ...(counts ? { actionCounts: counts } : {}),
  });
}

export type RunOutcome =
  { kind: 'sent'; res: GraphResponse<unknown> } | { kind: 'changed'; change: FailedSetChange; next: Plan | { none: string } };

/** How the action's failed set differs from the plan now (re-read from Graph); undefined when the plan still holds. */
export async function checkPlan(plan: Plan, ctx: ToolContext): Promise<{ change?: FailedSetChange; failedNow: string[] }> {
  const reading = startReading(ctx, plan.bulkActionId, true);
  const action = await getBulkAction(ctx.deps.graph(), plan.bulkActionId, ctx.signal);
  const now = await outcomesFor(ctx, action, { onlyFailed: true, reasons: false }, reading);
  if (now.unavailable || now.more) {
    const why = now.unavailable ?? 'the action has more failed Cloud PCs than one call reads';
    throw new ToolError(
      `Not sent: plan ${plan.id} could not be checked against the action's current state, because which Cloud PCs failed could not be read (${why}). Try again shortly.`,
    );
  }
  const failedNow = now.devices.filter((d) => d.state === 'failed').map((d) => d.cloudPcId);
  const change = failedSetChange(plan, failedNow, action.actionType);
  return change ? { change, failedNow } : { failedNow };
}

/** A new plan from the current state, keeping what is still true of the old one. */
export async function replanAfterChange(plan: Plan, failedNow: string[], ctx: ToolContext): Promise<Plan | { none: string }> {
  const stillFailed = new Set(failedNow.map((id) => id.toLowerCase()));
  const kept = plan.target === 'selected' ? plan.cloudPcIds.filter((id) => stillFailed.has(id.toLowerCase())) : undefined;
  if (kept?.length === 0) return { none: 'none of the planned Cloud PCs still failed' };
  const t = await resolveTarget(
    { bulkActionId: plan.bulkActionId, ...(kept ? { cloudPcIds: kept } : {}), ...(plan.only ? { only: plan.only } : {}), dryRun: true },
    ctx,
  );
  return makePlan(ctx, t);
}

/** Re-reads the action; sends the plan's exact ids when its failed set still holds, else offers a new plan. */
export async function runPlan(plan: Plan, ctx: ToolContext): Promise<RunOutcome> {
  const { change, failedNow } = await checkPlan(plan, ctx);
  if (change) {
    const next = await replanAfterChange(plan, failedNow, ctx);
    await ctx.deps.plans.settle(plan.id, { kind: 'changed', at: ctx.deps.plans.now(), ...('none' in next ? {} : { newPlanId: next.id }) });
    return { kind: 'changed', change, next };
  }
  // Used before the POST, not after: after an ambiguous failure the retry may have been accepted, so the plan is gone.
  if (!(await ctx.deps.plans.use(plan.id)))
    throw new ToolError(`Not sent: plan ${plan.id} is no longer approved (it expired or was used meanwhile).`);
  const res = await sendRetry(ctx, plan.bulkActionId, plan.cloudPcIds);
  // Sent: a store that fails now must not make the answer say otherwise; the outcome is only lost to the page.
  await ctx.deps.plans
    .settle(plan.id, {
      kind: 'sent',
      at: ctx.deps.plans.now(),
      ...(res.requestId ? { requestId: res.requestId } : {}),
      clientRequestId: res.clientRequestId,
      cloudPcIds: plan.cloudPcIds,
    })
    .catch((err: unknown) =>
      ctx.deps.logger.warn(`plan ${plan.id} was sent, but its outcome could not be recorded`, { error: (err as Error).message }),
    );
  return { kind: 'sent', res };
}
