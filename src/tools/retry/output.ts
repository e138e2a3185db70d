// The retry tool's structured result, and the plan as clients (and the MCP Apps view) see it.
import { z } from 'zod';
import { ownerLabel, type Plan } from './plans.js';

/** Key of the result _meta entry that carries the view's one-time secret for the app-only decision tool. */
export const APPROVAL_META_KEY = 'cloudpc-mcp/approval';

const deviceRow = z.object({
  cloudPcId: z.string(),
  name: z.string().optional(),
  userPrincipalName: z.string().optional(),
  state: z.string().optional(),
  detail: z.string().optional(),
  reason: z.string().optional().describe('Why it failed in this action, when known.'),
  retryClass: z.enum(['retryable', 'fixFirst', 'unknown']).optional(),
});

export const planShape = z.object({
  id: z.string(),
  state: z.enum(['pending', 'approved', 'declined', 'used']),
  expiresAt: z.string().describe('ISO 8601; after this the plan can no longer be approved or executed.'),
  approvalNeeded: z.boolean().describe('True for destructive action types: a person approves the plan before it is sent.'),
  target: z.enum(['allFailed', 'selected']),
  cloudPcIds: z.array(z.string()).describe('Exactly the Cloud PCs the plan retries.'),
  devices: z.array(deviceRow),
  owner: z.string().describe('Whose plan it is: only they can approve and execute it.'),
  decision: z.object({ via: z.string(), by: z.string(), at: z.string() }).optional(),
});

export const retryOutput = {
  status: z
    .enum(['accepted', 'dryRun', 'declined', 'confirmationRequired', 'approvalPending', 'planChanged'])
    .describe(
      'accepted: Graph answered 202 and the retry runs asynchronously. dryRun: a plan was made. approvalPending: a person has yet to approve the plan. ' +
        'planChanged: the failed set changed since the plan was made (a new plan is offered). declined/confirmationRequired: nothing was sent.',
    ),
  bulkActionId: z.string(),
  actionType: z.string().describe('The bulk action type, e.g. restart or reprovision.'),
  displayName: z.string(),
  target: z.enum(['allFailed', 'selected']).describe('allFailed: every failed device of the action; selected: only cloudPcIds.'),
  cloudPcIds: z.array(z.string()).describe('The Cloud PC ids sent or planned (deduplicated); empty for a one-call "all failed" retry, which sends {}.'),
  duplicatesRemoved: z.number().int(),
  destructive: z.boolean().describe('Whether retrying this action type needs a person\'s approval.'),
  planId: z.string().optional().describe('The plan this result is about.'),
  newPlanId: z.string().optional().describe('planChanged: the new plan made from the current state.'),
  plan: planShape.optional(),
  changes: z
    .object({
      noLongerFailed: z.array(z.string()),
      newlyFailed: z.array(z.string()),
      typeChanged: z.object({ from: z.string(), to: z.string() }).optional(),
    })
    .optional()
    .describe('planChanged: how the failed set differs from the plan.'),
  approval: z.object({ via: z.string(), by: z.string() }).optional().describe('accepted: how the plan was approved, and by whom.'),
  requestId: z.string().optional().describe("Graph's request-id response header."),
  clientRequestId: z.string().optional().describe('The client-request-id this server sent.'),
  date: z.string().optional().describe('The response date (ISO 8601).'),
  devices: z.array(deviceRow).optional().describe('dryRun: the devices that would be retried, as far as Graph reports them.'),
  notInBulkAction: z.array(z.string()).optional().describe('dryRun: given ids that are not part of this bulk action.'),
  simulated: z.boolean().describe('True when the server runs against its embedded simulator, not a tenant.'),
};

export type RetryOutput = z.output<z.ZodObject<typeof retryOutput>>;

export function planView(plan: Plan): z.output<typeof planShape> {
  return {
    id: plan.id,
    state: plan.state,
    expiresAt: new Date(plan.expiresAt).toISOString(),
    approvalNeeded: plan.destructive,
    target: plan.target,
    cloudPcIds: plan.cloudPcIds,
    devices: plan.devices,
    owner: ownerLabel(plan.owner),
    ...(plan.decision ? { decision: { via: plan.decision.how, by: plan.decision.by, at: new Date(plan.decision.at).toISOString() } } : {}),
  };
}
