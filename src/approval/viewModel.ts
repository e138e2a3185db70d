// Tool results → the renderer's model. Used by the MCP Apps view (bundled) on each result the host hands it; kept free
// of imports for that reason. Accepts the shapes of get_cloudpc_bulk_action and retry_cloudpc_bulk_action results.
import { summaryOf, type ViewDevice, type ViewModel, type ViewPlan } from './render.js';

type Loose = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A field shown as text: a string as it is, anything else as JSON, a missing one as `missing`. */
const text = (v: unknown, missing = ''): string => (typeof v === 'string' ? v : v === undefined || v === null ? missing : JSON.stringify(v));

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
  const decision = plan.decision && typeof plan.decision === 'object' ? (plan.decision as Loose) : undefined;
  return {
    id: plan.id,
    state: text(plan.state, 'pending'),
    expiresAt: text(plan.expiresAt),
    approvalNeeded: plan.approvalNeeded === true,
    owner: text(plan.owner),
    ...(typeof plan.actionDetails === 'string' ? { actionDetails: plan.actionDetails } : {}),
    ...(decision ? { decision: { via: text(decision.via), by: text(decision.by), at: text(decision.at) } } : {}),
  };
}

const NOTICES: Record<string, string> = {
  accepted: 'Retry accepted by Microsoft Graph: it runs asynchronously.',
  declined: 'Declined: nothing was sent.',
  cancelled: 'Not decided: nothing was sent. The plan is still open.',
  nothingToRetry: 'Nothing to retry: nothing was sent.',
  approvalPending: 'Waiting for your approval: nothing has been sent.',
  planChanged: 'The failed Cloud PCs changed since the plan was made: nothing was sent. This is the new plan.',
  confirmationRequired: 'Not sent: the assistant must ask you first.',
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
      summary: { succeeded: n(sum.successfulCount), failed: n(sum.failedCount), inProgress: n(sum.inProgressCount), pending: n(sum.pendingCount), notSupported: n(sum.notSupportedCount) },
      devices: devicesOf(s.devices),
      simulated: s.simulated === true,
    };
  }
  if (typeof s.bulkActionId === 'string') {
    const plan = planOf(s.plan);
    const devices = devicesOf((s.plan as Loose | undefined)?.devices ?? s.devices);
    return {
      bulkActionId: s.bulkActionId,
      actionType: text(s.actionType),
      displayName: text(s.displayName),
      summary: summaryOf(devices),
      devices,
      ...(plan ? { plan } : {}),
      ...(typeof s.status === 'string' && NOTICES[s.status] ? { notice: NOTICES[s.status] } : {}),
      simulated: s.simulated === true,
    };
  }
  return undefined;
}
