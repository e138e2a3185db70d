// Tool results → the renderer's model. Used by the MCP Apps view (bundled) on each result the host hands it; kept free
// of imports for that reason. Accepts the shapes of get_cloudpc_bulk_action and retry_cloudpc_bulk_action results.
import type { ViewDevice, ViewModel, ViewPlan, ViewSummary } from './viewHtml.js';

type Loose = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A field shown as text: a string as it is, anything else as JSON, a missing one as `missing`. */
const text = (v: unknown, missing = ''): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? missing : JSON.stringify(v);

function devicesOf(list: unknown): ViewDevice[] {
  if (!Array.isArray(list)) return [];
  return (list as unknown[])
    .filter((d): d is Loose & { cloudPcId: string } => !!d && typeof d === 'object' && typeof (d as Loose).cloudPcId === 'string')
    .map((d) => {
      // This action's reason when known (plans and device rows both carry it).
      const reason = str(d.reason ?? d.detail);
      const retryClass = str(d.retryClass ?? d.failureClass);
      return {
        cloudPcId: d.cloudPcId,
        ...(typeof d.name === 'string' ? { name: d.name } : {}),
        ...(typeof d.userPrincipalName === 'string' ? { userPrincipalName: d.userPrincipalName } : {}),
        ...(typeof d.state === 'string' ? { state: d.state } : {}),
        ...(reason !== undefined ? { reason } : {}),
        ...(retryClass !== undefined ? { retryClass } : {}),
        ...(typeof d.fix === 'string' ? { fix: d.fix } : {}),
      };
    });
}

export function planOf(p: unknown): ViewPlan | undefined {
  if (!p || typeof p !== 'object') return undefined;
  const plan = p as Loose;
  if (typeof plan.id !== 'string') return undefined;
  const decision = plan.decision && typeof plan.decision === 'object' ? (plan.decision as Record<string, string | undefined>) : undefined;
  return {
    id: plan.id,
    state: text(plan.state, 'pending'),
    expiresAt: text(plan.expiresAt),
    approvalNeeded: plan.approvalNeeded === true,
    owner: text(plan.owner),
    ...(typeof plan.actionDetails === 'string' ? { actionDetails: plan.actionDetails } : {}),
    ...(decision ? { decision: { via: String(decision.via), by: String(decision.by), at: String(decision.at) } } : {}),
    ...(plan.outcome && typeof plan.outcome === 'object' ? { outcome: outcomeOf(plan.outcome as Loose) } : {}),
  };
}

function outcomeOf(o: Loose): NonNullable<ViewPlan['outcome']> {
  return {
    kind: String(o.kind),
    at: text(o.at),
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
      bulkActionId: text(a.id),
      actionType: text(a.actionType),
      displayName: text(a.displayName),
      status: typeof a.status === 'string' ? a.status : undefined,
      summary: {
        succeeded: n(sum.successfulCount),
        failed: n(sum.failedCount),
        inProgress: n(sum.inProgressCount),
        pending: n(sum.pendingCount),
        notSupported: n(sum.notSupportedCount),
      },
      devices: devicesOf(s.devices),
      simulated: s.simulated === true,
    };
  }
  if (typeof s.bulkActionId === 'string') {
    const plan = planOf(s.plan);
    const planJson = s.plan && typeof s.plan === 'object' ? (s.plan as Loose) : undefined;
    const devices = devicesOf(planJson?.devices ?? s.devices);
    const summary = countsOf(planJson?.actionCounts);
    const notice = noticeOf(s, plan);
    return {
      bulkActionId: s.bulkActionId,
      actionType: text(s.actionType),
      displayName: text(s.displayName),
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
