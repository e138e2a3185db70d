// Tool results → the renderer's model. Used by the MCP Apps view (bundled) on each result the host hands it; kept free
// of imports for that reason. Accepts the shapes of get_cloudpc_bulk_action and retry_cloudpc_bulk_action results.
import type { ViewDevice, ViewModel, ViewPlan, ViewSummary } from './viewHtml.js';

type Loose = Record<string, any>;

function devicesOf(list: unknown): ViewDevice[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((d): d is Loose => !!d && typeof d === 'object' && typeof d.cloudPcId === 'string')
    .map((d) => ({
      cloudPcId: d.cloudPcId,
      ...(typeof d.name === 'string' ? { name: d.name } : {}),
      ...(typeof d.userPrincipalName === 'string' ? { userPrincipalName: d.userPrincipalName } : {}),
      ...(typeof d.state === 'string' ? { state: d.state } : {}),
      // This action's reason when known (plans and device rows both carry it).
      ...(typeof (d.reason ?? d.detail) === 'string' ? { reason: d.reason ?? d.detail } : {}),
      ...(typeof (d.retryClass ?? d.failureClass) === 'string' ? { retryClass: d.retryClass ?? d.failureClass } : {}),
      ...(typeof d.fix === 'string' ? { fix: d.fix } : {}),
    }));
}

export function planOf(p: unknown): ViewPlan | undefined {
  if (!p || typeof p !== 'object') return undefined;
  const plan = p as Loose;
  if (typeof plan.id !== 'string') return undefined;
  return {
    id: plan.id,
    state: String(plan.state ?? 'pending'),
    expiresAt: String(plan.expiresAt ?? ''),
    approvalNeeded: plan.approvalNeeded === true,
    owner: String(plan.owner ?? ''),
    ...(typeof plan.actionDetails === 'string' ? { actionDetails: plan.actionDetails } : {}),
    ...(plan.decision && typeof plan.decision === 'object' ? { decision: { via: String(plan.decision.via), by: String(plan.decision.by), at: String(plan.decision.at) } } : {}),
    ...(plan.outcome && typeof plan.outcome === 'object' ? { outcome: outcomeOf(plan.outcome as Loose) } : {}),
  };
}

function outcomeOf(o: Loose): NonNullable<ViewPlan['outcome']> {
  return {
    kind: String(o.kind),
    at: String(o.at ?? ''),
    ...(typeof o.requestId === 'string' ? { requestId: o.requestId } : {}),
    ...(Array.isArray(o.cloudPcIds) ? { cloudPcIds: o.cloudPcIds.map(String) } : {}),
    ...(typeof o.newPlanId === 'string' ? { newPlanId: o.newPlanId } : {}),
  };
}

function countsOf(c: unknown): Partial<ViewSummary> | undefined {
  if (!c || typeof c !== 'object') return undefined;
  const out: Partial<ViewSummary> = {};
  for (const k of ['succeeded', 'failed', 'inProgress', 'pending', 'notSupported'] as const) {
    const v = (c as Loose)[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

/** What the person reads about a retry result: what happened, never what the assistant should call next. */
function noticeOf(s: Loose, plan: ViewPlan | undefined): string | undefined {
  if (s.status === 'accepted' && plan?.outcome?.kind === 'sent') {
    const o = plan.outcome;
    const n = o.cloudPcIds?.length ?? 0;
    return `Sent at ${o.at.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC')}, request id ${o.requestId ?? '(none)'}: the retry of ${n} Cloud PC${n === 1 ? '' : 's'} runs in Microsoft Graph now.`;
  }
  return typeof s.status === 'string' ? NOTICES[s.status] : undefined;
}

const NOTICES: Record<string, string> = {
  accepted: 'Sent: Microsoft Graph accepted the retry, and it runs now.',
  dryRun: 'Preview: nothing has been sent.',
  declined: 'Declined: nothing was sent.',
  cancelled: 'Not decided: nothing was sent. The plan is still open.',
  nothingToRetry: 'Nothing to retry: nothing was sent.',
  approvalPending: 'Waiting for your approval: nothing has been sent.',
  planChanged: 'The failed Cloud PCs changed since the plan was made: nothing was sent. This is the new plan.',
  confirmationRequired: 'Not sent: the assistant asks you first.',
};

export function modelFromResult(structured: unknown): ViewModel | undefined {
  if (!structured || typeof structured !== 'object') return undefined;
  const s = structured as Loose;
  if (s.bulkAction && typeof s.bulkAction === 'object') {
    const a = s.bulkAction as Loose;
    const sum = (a.summary ?? {}) as Loose;
    const n = (v: unknown) => (typeof v === 'number' ? v : 0);
    return {
      bulkActionId: String(a.id ?? ''),
      actionType: String(a.actionType ?? ''),
      displayName: String(a.displayName ?? ''),
      status: typeof a.status === 'string' ? a.status : undefined,
      summary: { succeeded: n(sum.successfulCount), failed: n(sum.failedCount), inProgress: n(sum.inProgressCount), pending: n(sum.pendingCount), notSupported: n(sum.notSupportedCount) },
      devices: devicesOf(s.devices),
      simulated: s.simulated === true,
    };
  }
  if (typeof s.bulkActionId === 'string') {
    const plan = planOf(s.plan);
    const devices = devicesOf(s.plan?.devices ?? s.devices);
    const summary = countsOf(s.plan?.actionCounts);
    const notice = noticeOf(s, plan);
    return {
      bulkActionId: s.bulkActionId,
      actionType: String(s.actionType ?? ''),
      displayName: String(s.displayName ?? ''),
      ...(summary ? { summary } : {}),
      devices,
      ...(plan ? { plan } : {}),
      ...(notice ? { notice } : {}),
      ...(typeof s.approvalUrl === 'string' ? { approvalUrl: s.approvalUrl } : {}),
      simulated: s.simulated === true,
    };
  }
  return undefined;
}
