// Plans from what Graph says now, and their execution: the action is read again just before sending, and a plan whose
// failed set no longer holds is not sent (a new plan is offered instead). A plan sends exactly its ids, never `{}`.
import { getBulkAction, type BulkAction } from '../../graph/bulkActions.js';
import type { GraphResponse } from '../../graph/types.js';
import { ToolError, type ToolContext } from '../context.js';
import { failedSetChange, type FailedSetChange, type Plan, type PlanDevice } from './plans.js';
import { sendRetry } from './send.js';
import { devicesToRetry, type DeviceRow } from './target.js';

export interface PlanBasis {
  bulkActionId: string;
  action: BulkAction;
  destructive: boolean;
  /** undefined: every failed device. */
  selected?: string[];
}

function planDevice(d: DeviceRow): PlanDevice {
  // reason and retryClass come with issue 11's device rows; older rows carry only detail.
  const extra = d as DeviceRow & Pick<PlanDevice, 'reason' | 'retryClass'>;
  return {
    cloudPcId: d.cloudPcId,
    ...(d.name ? { name: d.name } : {}),
    ...(d.userPrincipalName ? { userPrincipalName: d.userPrincipalName } : {}),
    ...(d.state ? { state: d.state } : {}),
    ...(d.detail ? { detail: d.detail } : {}),
    ...(extra.reason ? { reason: extra.reason } : {}),
    ...(extra.retryClass ? { retryClass: extra.retryClass } : {}),
  };
}

/** Why no plan can be made from these devices, or undefined when one can. */
function noPlanReason(basis: PlanBasis, devices: DeviceRow[], unavailable: string | undefined): string | undefined {
  if (unavailable && !basis.selected) return `which Cloud PCs failed could not be read (${unavailable}), so there are no exact ids to plan; name the Cloud PCs with cloudPcIds`;
  if (!devices.length) return 'the action has no failed Cloud PCs to retry right now';
  const notFailed = unavailable ? [] : devices.filter((d) => d.state !== 'failed');
  if (notFailed.length) {
    return `${notFailed.length} of the given Cloud PCs did not fail in this action (${notFailed.slice(0, 10).map((d) => `${d.cloudPcId}: ${d.state ?? 'unknown'}`).join(', ')}); a retry acts on failed Cloud PCs only, so remove them`;
  }
  return undefined;
}

/** A plan of exactly the devices a retry would act on now, owned by this connection's user. */
export function makePlan(ctx: ToolContext, basis: PlanBasis, devices: DeviceRow[], unavailable: string | undefined): Plan | { none: string } {
  const why = noPlanReason(basis, devices, unavailable);
  if (why) return { none: why };
  return ctx.deps.plans.create({
    bulkActionId: basis.bulkActionId,
    actionType: basis.action.actionType,
    displayName: basis.action.displayName,
    destructive: basis.destructive,
    target: basis.selected ? 'selected' : 'allFailed',
    cloudPcIds: devices.map((d) => d.cloudPcId),
    devices: devices.map(planDevice),
    owner: ctx.deps.owner,
  });
}

export type RunOutcome =
  | { kind: 'sent'; res: GraphResponse<unknown> }
  | { kind: 'changed'; change: FailedSetChange; next: Plan | { none: string } };

/** Re-reads the action; sends the plan's exact ids when its failed set still holds, else offers a new plan. */
export async function runPlan(plan: Plan, ctx: ToolContext): Promise<RunOutcome> {
  const action = await getBulkAction(ctx.deps.graph(), plan.bulkActionId, ctx.signal);
  const { devices: failedNow, unavailable } = await devicesToRetry(ctx, action, undefined);
  if (unavailable) {
    throw new ToolError(
      `Not sent: plan ${plan.id} could not be checked against the action's current state, because which Cloud PCs failed could not be read (${unavailable}). Try again shortly.`,
    );
  }
  const change = failedSetChange(plan, failedNow.map((d) => d.cloudPcId), action.actionType);
  if (change) {
    const stillFailed = new Set(failedNow.map((d) => d.cloudPcId.toLowerCase()));
    const selected = plan.target === 'selected' ? plan.cloudPcIds.filter((id) => stillFailed.has(id.toLowerCase())) : undefined;
    const basis: PlanBasis = { bulkActionId: plan.bulkActionId, action, destructive: plan.destructive, ...(selected ? { selected } : {}) };
    const devices = selected ? failedNow.filter((d) => selected.some((id) => id.toLowerCase() === d.cloudPcId.toLowerCase())) : failedNow;
    return { kind: 'changed', change, next: makePlan(ctx, basis, devices, undefined) };
  }
  // Used before the POST, not after: after an ambiguous failure the retry may have been accepted, so the plan is gone.
  if (!ctx.deps.plans.use(plan.id)) throw new ToolError(`Not sent: plan ${plan.id} is no longer approved (it expired or was used meanwhile).`);
  return { kind: 'sent', res: await sendRetry(ctx, plan.bulkActionId, plan.cloudPcIds) };
}
