// The retry tool's structured result (its schema), and the plan as clients (and the MCP Apps view) see it.
import { z } from 'zod';
import { deviceRow as outcomeRow } from '../rows.js';
import { ownerLabel, type Plan, type PlanOutcome } from './plans.js';

/** Key of the result _meta entry that carries the view's one-time secret for the app-only decision tool. */
export const APPROVAL_META_KEY = 'cloudpc-mcp/approval';

const planDeviceRow = z.object({
  cloudPcId: z.string(),
  name: z.string().optional(),
  userPrincipalName: z.string().optional(),
  state: z.string().optional(),
  detail: z.string().optional(),
  reason: z.string().optional().describe('Why it failed in this action, when known.'),
  retryClass: z.enum(['retryable', 'fixFirst', 'unknown']).optional(),
  fix: z.string().optional().describe('What the admin should do first, for failures a retry cannot fix yet.'),
});

const leftOutRow = z.object({
  cloudPcId: z.string(),
  name: z.string().optional(),
  userPrincipalName: z.string().optional(),
  why: z.string().describe('Why it is not sent: did not fail, or (only: "retryable") its class and reason.'),
  failureClass: z.string().optional(),
  fix: z.string().optional(),
});

export const planShape = z.object({
  id: z.string(),
  state: z.enum(['pending', 'approved', 'declined', 'used']),
  expiresAt: z.string().describe('ISO 8601; after this the plan can no longer be approved or executed.'),
  approvalNeeded: z.boolean().describe('True for destructive action types: a person approves the plan before it is sent.'),
  target: z.enum(['allFailed', 'selected']),
  cloudPcIds: z.array(z.string()).describe('Exactly the Cloud PCs the plan retries.'),
  devices: z.array(planDeviceRow),
  actionDetails: z.string().optional().describe('What the action does, from its own properties (restore point, target plan, …).'),
  owner: z.string().describe('Whose plan it is: only they can approve and execute it.'),
  decision: z.object({ via: z.string(), by: z.string(), at: z.string() }).optional(),
  actionCounts: z
    .object({
      succeeded: z.number().optional(),
      failed: z.number().optional(),
      inProgress: z.number().optional(),
      pending: z.number().optional(),
      notSupported: z.number().optional(),
    })
    .optional()
    .describe("The action's own device counts when the plan was made; the plan covers only its cloudPcIds."),
  outcome: z
    .object({
      kind: z.enum(['sent', 'changed']),
      at: z.string(),
      requestId: z.string().optional(),
      cloudPcIds: z.array(z.string()).optional().describe('sent: exactly the ids sent.'),
      newPlanId: z.string().optional(),
    })
    .optional()
    .describe('What became of the plan: sent (with the request id), or changed (the action changed; a new plan was offered).'),
});

export const retryOutput = {
  status: z
    .enum(['accepted', 'dryRun', 'nothingToRetry', 'declined', 'cancelled', 'confirmationRequired', 'approvalPending', 'planChanged'])
    .describe(
      'accepted: Graph answered 202 and the retry runs asynchronously. dryRun: what a real call would send, and a plan of it. ' +
        'nothingToRetry: no device to retry (see counts), nothing was sent. approvalPending: a person has yet to approve the plan. ' +
        'planChanged: the failed set changed since the plan was made (a new plan is offered). declined: the user declined the plan. ' +
        'cancelled: the user dismissed the question without deciding (the plan stays open). confirmationRequired: nothing was sent.',
    ),
  bulkActionId: z.string(),
  actionType: z.string().describe('The bulk action type, e.g. restart or reprovision.'),
  displayName: z.string(),
  target: z.enum(['allFailed', 'selected']).describe('allFailed: every failed device of the action; selected: only cloudPcIds.'),
  cloudPcIds: z
    .array(z.string())
    .describe(
      'The Cloud PC ids sent, or that executing the plan sends (deduplicated); empty for a one-call "all failed" retry, which sends {}.',
    ),
  counts: z
    .object({
      failed: z.number().optional().describe("Failed devices by the action's own counts; absent when Graph did not say."),
      chosen: z.number().optional(),
      toSend: z.number().optional(),
      leftOut: z.number(),
    })
    .optional(),
  leftOut: z.array(leftOutRow).optional().describe('Devices not sent, each with why (and the fix for fix-first ones).'),
  duplicatesRemoved: z.number().int(),
  destructive: z.boolean().describe("Whether retrying this action type needs a person's approval."),
  planId: z.string().optional().describe('The plan this result is about.'),
  approvalUrl: z
    .string()
    .optional()
    .describe('Remote mode: the approval page, where the plan owner signs in and approves; relay it to the user.'),
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
  devices: z
    .array(outcomeRow)
    .optional()
    .describe("dryRun: the failed devices a real call would retry, with their class and this action's reason."),
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
    ...(plan.actionDetails ? { actionDetails: plan.actionDetails } : {}),
    owner: ownerLabel(plan.owner),
    ...(plan.decision ? { decision: { via: plan.decision.how, by: plan.decision.by, at: new Date(plan.decision.at).toISOString() } } : {}),
    ...(plan.actionCounts ? { actionCounts: plan.actionCounts } : {}),
    ...(plan.outcome ? { outcome: outcomeView(plan.outcome) } : {}),
  };
}

function outcomeView(o: PlanOutcome): NonNullable<z.output<typeof planShape>['outcome']> {
  const at = new Date(o.at).toISOString();
  if (o.kind === 'changed') return { kind: 'changed', at, ...(o.newPlanId ? { newPlanId: o.newPlanId } : {}) };
  return { kind: 'sent', at, ...(o.requestId ? { requestId: o.requestId } : {}), cloudPcIds: o.cloudPcIds };
}
