// retry_cloudpc_bulk_action: the operation at the heart of the server, in steps: target → confirm → send → render
// (src/tools/retry/).
import { z } from 'zod';
import { defineTool } from './defineTool.js';
import { guid } from './inputs.js';
import { ToolError } from './context.js';
import { confirmVerdict } from './retry/confirm.js';
import { acceptedText, confirmationQuestion, dryRunText, idList, labelOf } from './retry/render.js';
import { sendRetry } from './retry/send.js';
import { devicesToRetry, resolveTarget } from './retry/target.js';

/** Graph takes the ids in one body; 10,000 is well above the largest bulk action an admin can create. */
export const MAX_RETRY_IDS = 10_000;

const deviceRow = z.object({
  cloudPcId: z.string(),
  name: z.string().optional(),
  userPrincipalName: z.string().optional(),
  state: z.string().optional(),
  detail: z.string().optional(),
});

const output = {
  status: z
    .enum(['accepted', 'dryRun', 'declined', 'confirmationRequired'])
    .describe('accepted: Graph answered 202 and the retry runs asynchronously. dryRun/declined/confirmationRequired: nothing was sent.'),
  bulkActionId: z.string(),
  actionType: z.string().describe('The bulk action type, e.g. restart or reprovision.'),
  displayName: z.string(),
  target: z.enum(['allFailed', 'selected']).describe('allFailed: Graph retries every failed device of the action; selected: only cloudPcIds.'),
  cloudPcIds: z.array(z.string()).describe('The Cloud PC ids sent (deduplicated); empty when target is allFailed.'),
  duplicatesRemoved: z.number().int(),
  destructive: z.boolean().describe('Whether retrying this action type needs the user\'s confirmation.'),
  requestId: z.string().optional().describe("Graph's request-id response header."),
  clientRequestId: z.string().optional().describe('The client-request-id this server sent.'),
  date: z.string().optional().describe('The response date (ISO 8601).'),
  devices: z.array(deviceRow).optional().describe('dryRun: the devices that would be retried, as far as Graph reports them.'),
  notInBulkAction: z.array(z.string()).optional().describe('dryRun: given ids that are not part of this bulk action.'),
  simulated: z.boolean().describe('True when the server runs against its embedded simulator, not a tenant.'),
};

type Output = z.output<z.ZodObject<typeof output>>;

export const retryBulkAction = defineTool({
  name: 'retry_cloudpc_bulk_action',
  title: 'Retry a Cloud PC bulk action',
  kind: 'destructive',
  description: [
    'Retry a Windows 365 Cloud PC bulk action (restart, reprovision, resize, restore, …) in Microsoft Graph.',
    'Omit cloudPcIds to retry every device that failed; give cloudPcIds to retry only those Cloud PCs (they must belong to the bulk action).',
    'Retrying a reprovision, restore, resize or similar action wipes, rolls back or rebuilds PCs: such retries need the user\'s confirmation.',
    'Use dryRun: true first to see what would be retried; nothing is sent then.',
    'Graph accepts the retry and runs it asynchronously: check the bulk action again later to see the outcome.',
    'Find ids with list_cloudpc_bulk_actions, get_cloudpc_bulk_action and list_cloud_pcs.',
  ].join(' '),
  input: {
    bulkActionId: guid('bulkActionId').describe('Id (GUID) of the bulk action to retry.'),
    cloudPcIds: z
      .array(guid('Each cloudPcIds item'), { error: 'cloudPcIds must be an array of Cloud PC id strings.' })
      .min(1, { error: 'cloudPcIds is empty. Omit cloudPcIds to retry all failed devices of the bulk action, or list at least one Cloud PC id.' })
      .max(MAX_RETRY_IDS, { error: `cloudPcIds has more than ${MAX_RETRY_IDS} ids; split the retry into several calls.` })
      .optional()
      .describe('Cloud PC ids (GUIDs) to retry. Omit to retry all failed devices. Never pass an empty array.'),
    dryRun: z.boolean({ error: 'dryRun must be true or false.' }).optional().describe('Report what would be retried and send nothing. Default false.'),
    confirm: z
      .boolean({ error: 'confirm must be true or false.' })
      .optional()
      .describe(
        'Set to true only after the user has explicitly agreed to retry a destructive action (reprovision, restore, resize, …), when the client cannot ask them itself. Default false.',
      ),
  },
  output,
  async handle(args, ctx) {
    const t = await resolveTarget(args, ctx);
    const base = {
      bulkActionId: t.bulkActionId,
      actionType: t.facts.actionType,
      displayName: t.facts.displayName,
      target: t.selected ? ('selected' as const) : ('allFailed' as const),
      cloudPcIds: t.selected ?? [],
      duplicatesRemoved: t.duplicatesRemoved,
      destructive: t.destructive,
      simulated: ctx.deps.simulated,
    };

    if (args.dryRun) {
      const { devices, unavailable } = await devicesToRetry(ctx, t.action!, t.selected);
      const structured: Output = { ...base, status: 'dryRun', devices, notInBulkAction: t.notInAction };
      return { structured, text: dryRunText(t, ctx.deps.simulated, devices, unavailable) };
    }

    if (t.notInAction.length) {
      throw new ToolError(
        `Not sent: ${t.notInAction.length} of the given Cloud PC id(s) are not part of the ${labelOf(t)}: ${idList(t.notInAction)}. ` +
          'Remove them (get_cloudpc_bulk_action lists the action\'s devices) and call again.',
      );
    }

    if (t.destructive) {
      const question = confirmationQuestion(t);
      const verdict = confirmVerdict(await ctx.confirm(question), ctx.deps.config.confirmPolicy, args.confirm, t.facts.actionType);
      if (!verdict.go && verdict.status === 'declined') {
        return {
          structured: { ...base, status: 'declined' as const },
          text: `Not sent: the user ${verdict.answer} the retry of the ${labelOf(t)}. Nothing was changed.`,
        };
      }
      if (!verdict.go) {
        return {
          structured: { ...base, status: 'confirmationRequired' as const },
          text: `Not sent: ${question} Ask the user to confirm this explicitly; only if they agree, call retry_cloudpc_bulk_action again with the same arguments and confirm: true.`,
        };
      }
    }

    const res = await sendRetry(ctx, t.bulkActionId, t.selected);
    // Spelled out rather than spread from base: this is the path every accepted retry takes, and V8 builds a
    // spread-then-extended object slowly.
    const structured: Output = {
      status: 'accepted',
      bulkActionId: base.bulkActionId,
      actionType: base.actionType,
      displayName: base.displayName,
      target: base.target,
      cloudPcIds: base.cloudPcIds,
      duplicatesRemoved: base.duplicatesRemoved,
      destructive: base.destructive,
      requestId: res.requestId,
      clientRequestId: res.clientRequestId,
      date: res.date,
      simulated: base.simulated,
    };
    return { structured, text: acceptedText(t, ctx.deps.simulated, res) };
  },
});
