// decide_cloudpc_retry_plan: the Approve / Decline buttons of the MCP Apps view. App-only: hosts that render views
// hide it from the model. Hidden is not enough (a host may not implement visibility), so the call must also carry the
// plan's app secret, which the server hands out only where it stays with the view: in stdio to a client that declared
// MCP Apps support, in remote mode only with CLOUDPC_MCP_REMOTE_APP_APPROVAL (ClientAbilities.appApproval). The server
// still cannot see who called, so the decision is recorded as a call of this tool, never as a person's page click.
import { z } from 'zod';
import { defineTool } from './defineTool.js';
import { ToolError } from './context.js';
import { ownerLabel, PLAN_PROBLEM_TEXT, planProblem, secretMatches } from './retry/plans.js';
import { planShape, planView } from './retry/resultShape.js';

export const DECIDE_PLAN_TOOL = 'decide_cloudpc_retry_plan';

export const decidePlan = defineTool({
  name: DECIDE_PLAN_TOOL,
  title: 'Approve or decline a retry plan (plan view only)',
  kind: 'write',
  view: true,
  visibility: ['app'],
  description:
    'Called by the retry plan view when the user clicks Approve or Decline. Not for the model: a plan is approved by a person, and this tool refuses any call without the secret only the view holds.',
  input: {
    planId: z.string({ error: 'planId must be a string.' }).max(100).describe('The plan shown in the view.'),
    decision: z.enum(['approve', 'decline'], { error: 'decision must be "approve" or "decline".' }),
    appToken: z
      .string({ error: 'appToken must be a string.' })
      .max(200)
      .optional()
      .describe('The plan secret the view received with the plan.'),
  },
  output: {
    planId: z.string(),
    state: planShape.shape.state,
    plan: planShape,
  },
  async handle(args, ctx) {
    const { plans, owner } = ctx.deps;
    const plan = await plans.get(args.planId);
    const problem = planProblem(plan, owner, plans.now());
    if (problem) throw new ToolError(`Plan ${args.planId} ${PLAN_PROBLEM_TEXT[problem]}.`);
    if (!secretMatches(args.appToken, plan!.appToken)) {
      throw new ToolError(
        'Refused: only the retry plan view, clicked by the user, can approve or decline a plan with this tool. The assistant cannot approve a plan: ask the user to approve it.',
      );
    }
    const by = `${ownerLabel(owner)} (as the caller of ${DECIDE_PLAN_TOOL} with the view's secret)`;
    if (plan!.state !== 'pending' || !(await plans.decide(plan!.id, args.decision === 'approve', 'appTool', by))) {
      throw new ToolError(`Plan ${plan!.id} was already ${plan!.state === 'pending' ? 'closed' : plan!.state}; nothing changed.`);
    }
    const approved = args.decision === 'approve';
    const decided = (await plans.get(plan!.id)) ?? plan!;
    return {
      structured: { planId: plan!.id, state: approved ? ('approved' as const) : ('declined' as const), plan: planView(decided) },
      text: approved
        ? `Plan ${plan!.id} approved in the plan view. The assistant can now send it: retry_cloudpc_bulk_action with bulkActionId "${plan!.bulkActionId}" and planId "${plan!.id}".`
        : `Plan ${plan!.id} declined in the plan view. Nothing will be sent.`,
    };
  },
});
