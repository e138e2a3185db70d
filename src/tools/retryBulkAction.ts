// retry_cloudpc_bulk_action: the operation at the heart of the server.
import { z } from 'zod';
import { isDestructive } from '../core/actionTypes.js';
import { getBulkAction, postRetry, type BulkAction, type BulkActionFacts } from '../graph/bulkActions.js';
import { defineTool } from './defineTool.js';
import { dedupeIds, guid } from './guid.js';
import { ToolError, type ToolContext } from './context.js';
import { deviceOutcomesOf, type DeviceOutcome } from '../graph/deviceOutcomes.js';

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
    const { config, bulkActionCache } = ctx.deps;
    const { unique, removed } = args.cloudPcIds ? dedupeIds(args.cloudPcIds) : { unique: undefined, removed: 0 };
    const graph = ctx.deps.graph();

    let facts: BulkActionFacts | undefined = args.dryRun ? undefined : bulkActionCache.get(args.bulkActionId);
    let action: BulkAction | undefined;
    const destructiveOf = (f: BulkActionFacts) => isDestructive(f.actionType, config.destructiveActions);
    const missing = (f: BulkActionFacts) => (unique ? unique.filter((id) => !f.cloudPcIds.has(id.toLowerCase())) : []);
    // A destructive retry always reads the action afresh: the confirmation must describe its current state.
    // So does a refusal: an id is only called foreign on what Graph says now, never on a remembered list.
    if (!facts || destructiveOf(facts) || missing(facts).length) {
      action = await getBulkAction(graph, args.bulkActionId, ctx.signal);
      facts = bulkActionCache.remember(args.bulkActionId, action);
    }
    const destructive = destructiveOf(facts);

    const notInAction = missing(facts);
    const base = {
      bulkActionId: args.bulkActionId,
      actionType: facts.actionType,
      displayName: facts.displayName,
      target: unique ? ('selected' as const) : ('allFailed' as const),
      cloudPcIds: unique ?? [],
      duplicatesRemoved: removed,
      destructive,
      simulated: ctx.deps.simulated,
    };
    const label = `${facts.actionType} bulk action "${facts.displayName}" (${args.bulkActionId})`;
    const scope = unique ? `${unique.length} selected Cloud PC${unique.length === 1 ? '' : 's'}` : 'all of its failed Cloud PCs';
    const sim = ctx.deps.simulated ? ' [simulated tenant]' : '';

    if (args.dryRun) {
      const { devices, unavailable } = await devicesToRetry(ctx, action!, unique);
      const structured: Output = { ...base, status: 'dryRun', devices, notInBulkAction: notInAction };
      const lines = [
        `Dry run, nothing sent${sim}: retrying the ${label} would target ${scope}${destructive ? ' and needs the user\'s confirmation (destructive action type)' : ''}.`,
        devices.length
          ? `Devices that would be retried (${devices.length}): ${devices.slice(0, 20).map(deviceLabel).join('; ')}${devices.length > 20 ? `; … and ${devices.length - 20} more` : ''}.`
          : unavailable
            ? `Which devices would be retried is unknown: ${unavailable}. The action reports ${action!.actionSummary.failedCount} failed.`
            : 'Graph reports no failed devices to retry for this action right now.',
      ];
      if (notInAction.length) lines.push(`Not part of this bulk action (${notInAction.length}), would be refused: ${notInAction.slice(0, 10).join(', ')}${notInAction.length > 10 ? ', …' : ''}.`);
      return { structured, text: lines.join('\n') };
    }

    if (notInAction.length) {
      throw new ToolError(
        `Not sent: ${notInAction.length} of the given Cloud PC id(s) are not part of the ${label}: ${notInAction.slice(0, 10).join(', ')}${notInAction.length > 10 ? ', …' : ''}. ` +
          'Remove them (get_cloudpc_bulk_action lists the action\'s devices) and call again.',
      );
    }

    if (destructive) {
      const failed = action?.actionSummary.failedCount;
      const question =
        `Retry the ${label} for ${scope}${!unique && failed !== undefined ? ` (${failed} failed at last count)` : ''}? ` +
        `Retrying a ${facts.actionType} acts on the PCs again (it can wipe, roll back or rebuild them, and their users lose work in progress).`;
      const answer = await ctx.confirm(question);
      if (answer === 'declined' || answer === 'cancelled') {
        return {
          structured: { ...base, status: 'declined' as const },
          text: `Not sent: the user ${answer === 'declined' ? 'declined' : 'cancelled'} the retry of the ${label}. Nothing was changed.`,
        };
      }
      if (answer === 'unsupported') {
        if (config.confirmPolicy === 'refuse') {
          throw new ToolError(
            `Not sent: retrying a ${facts.actionType} is destructive and needs the user's confirmation, but this MCP client cannot ask the user (no elicitation support), ` +
              'and the server\'s policy (CLOUDPC_MCP_CONFIRM_POLICY=refuse) forbids it without that. Use a client that supports elicitation, or ask the operator to change the policy.',
          );
        }
        if (args.confirm !== true) {
          return {
            structured: { ...base, status: 'confirmationRequired' as const },
            text:
              `Not sent: ${question} Ask the user to confirm this explicitly; only if they agree, call retry_cloudpc_bulk_action again with the same arguments and confirm: true.`,
          };
        }
      }
    }

    // Graph refuses retry for application permissions; saying so here beats a bare 403 after the fact.
    if (!ctx.deps.tokens().delegated) {
      throw new ToolError(
        `Not sent: the server signs in as an application (${ctx.deps.tokens().description}), and Microsoft Graph supports retrying bulk actions only with ` +
          'delegated permission: a signed-in user with CloudPC.ReadWrite.All and a Windows 365 role that allows bulk actions. ' +
          'Set CLOUDPC_MCP_AUTH to browser or devicecode (or remove the service principal variables) and restart the server.',
      );
    }
    const res = await postRetry(graph, {
      bulkActionId: args.bulkActionId,
      cloudPcIds: unique,
      signal: ctx.signal,
      onThrottle: (n) =>
        ctx.progress(n.attempt, undefined, `Graph is throttling (HTTP ${n.status}); waiting ${Math.ceil(n.waitMs / 1000)} s before attempt ${n.attempt + 1}.`),
    });
    // Spelled out rather than spread from base: V8 builds a spread-then-extended object slowly, and this is the
    // path every accepted retry takes (`npm run bench`, call overhead).
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
    return {
      structured,
      text:
        `Retry accepted${sim}: Microsoft Graph accepted the retry of the ${label} for ${scope} (HTTP ${res.status}). ` +
        'It runs asynchronously: check the bulk action again in a few minutes to see the outcome. ' +
        `request-id ${res.requestId ?? '(none)'}, client-request-id ${res.clientRequestId}, date ${res.date}.`,
    };
  },
});

function deviceLabel(d: z.output<typeof deviceRow>): string {
  const who = [d.name, d.userPrincipalName].filter(Boolean).join(', ');
  return `${d.cloudPcId}${who ? ` (${who})` : ''}${d.detail ? `: ${d.detail}` : ''}`;
}

async function devicesToRetry(
  ctx: ToolContext,
  action: BulkAction,
  selected: string[] | undefined,
): Promise<{ devices: z.output<typeof deviceRow>[]; unavailable?: string }> {
  const outcomes = await deviceOutcomesOf(ctx.deps.graph(), action, ctx.signal);
  const byId = new Map(outcomes.devices.map((o) => [o.cloudPcId.toLowerCase(), o]));
  const inAction = new Set(action.cloudPcIds.map((x) => x.toLowerCase()));
  const pick: DeviceOutcome[] = selected
    ? selected.filter((id) => inAction.has(id.toLowerCase())).map((id) => byId.get(id.toLowerCase()) ?? { cloudPcId: id, state: 'unknown' })
    : outcomes.devices.filter((o) => o.state === 'failed');
  return {
    devices: pick.map((o) => ({ cloudPcId: o.cloudPcId, name: o.name, userPrincipalName: o.userPrincipalName, state: o.state, detail: o.detail })),
    unavailable: outcomes.unavailable,
  };
}
