// retry_cloudpc_bulk_action: the operation at the heart of the server, in steps: target → confirm → send → render
// (src/tools/retry/).
import { z } from 'zod';
import { defineTool } from './defineTool.js';
import { guid } from './inputs.js';
import { ToolError } from './context.js';
import { confirmVerdict } from './retry/confirm.js';
import { acceptedText, confirmationQuestion, dryRunText, idList, labelOf, nothingText } from './retry/render.js';
import { sendRetry } from './retry/send.js';
import { goingDevices, resolveTarget, type RetryTarget } from './retry/target.js';
import { deviceRow, toDeviceRow } from './rows.js';

/** Graph takes the ids in one body; 10,000 is well above the largest bulk action an admin can create. */
export const MAX_RETRY_IDS = 10_000;

const leftOutRow = z.object({
  cloudPcId: z.string(),
  name: z.string().optional(),
  userPrincipalName: z.string().optional(),
  why: z.string().describe('Why it is not sent: did not fail, or (only: "retryable") its class and reason.'),
  failureClass: z.string().optional(),
  fix: z.string().optional(),
});

const output = {
  status: z
    .enum(['accepted', 'dryRun', 'declined', 'confirmationRequired', 'nothingToRetry'])
    .describe(
      'accepted: Graph answered 202 and the retry runs asynchronously. nothingToRetry: no device to retry (see counts), nothing was sent. ' +
        'dryRun/declined/confirmationRequired: nothing was sent.',
    ),
  bulkActionId: z.string(),
  actionType: z.string().describe('The bulk action type, e.g. restart or reprovision.'),
  displayName: z.string(),
  target: z.enum(['allFailed', 'selected']).describe('allFailed: Graph retries every failed device of the action; selected: only cloudPcIds.'),
  cloudPcIds: z.array(z.string()).describe('The Cloud PC ids sent, or a dry run would send (deduplicated); empty when target is allFailed.'),
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
  destructive: z.boolean().describe('Whether retrying this action type needs the user\'s confirmation.'),
  requestId: z.string().optional().describe("Graph's request-id response header."),
  clientRequestId: z.string().optional().describe('The client-request-id this server sent.'),
  date: z.string().optional().describe('The response date (ISO 8601).'),
  devices: z.array(deviceRow).optional().describe('dryRun: the failed devices a real call would retry, with their class and this action\'s reason.'),
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
    'only: "retryable" retries exactly the failed devices whose failure a retry can fix, leaving out fix-first and unknown ones (named, with why).',
    'Chosen Cloud PCs that did not fail are left out and named, unless includeNotFailed: true. With nothing to retry nothing is sent (status nothingToRetry).',
    'Retrying a reprovision, restore, resize or similar action wipes, rolls back or rebuilds PCs: such retries need the user\'s confirmation.',
    'Use dryRun: true first to see exactly what a real call would send; nothing is sent then.',
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
    only: z
      .enum(['retryable'], { error: 'only must be "retryable" (or omitted).' })
      .optional()
      .describe('"retryable": send exactly the failed devices (of cloudPcIds, if given) whose failure a retry can fix. Default: no such filter.'),
    includeNotFailed: z
      .boolean({ error: 'includeNotFailed must be true or false.' })
      .optional()
      .describe('Send chosen cloudPcIds even if their device did not fail (the admin insists). Default false: such ids are left out and named.'),
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
    const base = baseOf(t, ctx.deps.simulated);

    if (args.dryRun) {
      const devices = t.outcomes && goingDevices(t).map(toDeviceRow);
      const structured: Output = { ...base, status: 'dryRun', devices, notInBulkAction: t.notInAction };
      return { structured, text: dryRunText(t, ctx.deps.simulated) };
    }

    if (t.notInAction.length) {
      throw new ToolError(
        `Not sent: ${t.notInAction.length} of the given Cloud PC id(s) are not part of the ${labelOf(t)}: ${idList(t.notInAction)}. ` +
          'Remove them (get_cloudpc_bulk_action lists the action\'s devices) and call again.',
      );
    }

    if (t.nothingToRetry) {
      return { structured: { ...base, status: 'nothingToRetry' as const }, text: nothingText(t, ctx.deps.simulated) };
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

    const res = await sendRetry(ctx, t.bulkActionId, t.send);
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
      counts: base.counts,
      leftOut: base.leftOut,
      requestId: res.requestId,
      clientRequestId: res.clientRequestId,
      date: res.date,
      simulated: base.simulated,
    };
    return { structured, text: acceptedText(t, ctx.deps.simulated, res) };
  },
});

function baseOf(t: RetryTarget, simulated: boolean) {
  return {
    bulkActionId: t.bulkActionId,
    actionType: t.facts.actionType,
    displayName: t.facts.displayName,
    target: t.send === undefined ? ('allFailed' as const) : ('selected' as const),
    cloudPcIds: t.send ?? [],
    duplicatesRemoved: t.duplicatesRemoved,
    destructive: t.destructive,
    counts: t.counts,
    leftOut: t.leftOut.length ? t.leftOut : undefined,
    simulated,
  };
}
