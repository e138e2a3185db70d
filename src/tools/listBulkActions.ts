// list_cloudpc_bulk_actions: "what failed last night?"
import { z } from 'zod';
import { KNOWN_ACTION_TYPES } from '../core/actionTypes.js';
import { listBulkActionsFrom } from '../graph/bulkActionList.js';
import { bulkActionRow, toRow } from './rows.js';
import { defineTool } from './defineTool.js';
import { limitInput } from './inputs.js';
import { countText, plural, table } from './textTable.js';

export const BULK_ACTION_STATUSES = ['pending', 'succeeded', 'failed'] as const;
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
// Enough to look back over a busy tenant's recent history, few enough that one call stays quick.
const MAX_PAGES = 10;

export const listBulkActions = defineTool({
  name: 'list_cloudpc_bulk_actions',
  title: 'List Cloud PC bulk actions',
  kind: 'read',
  description:
    'List Windows 365 Cloud PC bulk actions, newest first, with their type, status and counts of successful, failed, in-progress, pending and not-supported devices. ' +
    'Filter by status, action type (e.g. restart, reprovision) and creation time. status "failed" finds every action with failed devices: ' +
    'those Graph marks failed and those with a failed count above 0 whatever their status (a partly failed action can be pending or succeeded). ' +
    'Use it to find the bulk action a user means ("the restarts that failed last night"). A count Graph did not send is shown as "?", never 0.',
  input: {
    status: z
      .enum(BULK_ACTION_STATUSES, { error: `status must be one of: ${BULK_ACTION_STATUSES.join(', ')}.` })
      .optional()
      .describe('pending or succeeded: actions with that status. failed: actions with any failed device, whatever their status.'),
    actionType: z
      .enum(KNOWN_ACTION_TYPES, { error: `actionType must be one of: ${KNOWN_ACTION_TYPES.join(', ')}.` })
      .optional()
      .describe('Only this kind of bulk action.'),
    createdAfter: z.iso
      .datetime({ offset: true, error: 'createdAfter must be an ISO 8601 date-time such as 2026-11-27T18:00:00Z.' })
      .optional()
      .describe('Only bulk actions created at or after this time (ISO 8601).'),
    limit: limitInput(MAX_LIMIT, DEFAULT_LIMIT),
  },
  output: {
    bulkActions: z.array(bulkActionRow),
    more: z.boolean().describe('True when more matching bulk actions exist than were returned.'),
    simulated: z.boolean(),
  },
  async handle(args, ctx) {
    const { config, logger } = ctx.deps;
    const listing = await listBulkActionsFrom(
      ctx.deps.graph(),
      {
        status: args.status,
        actionType: args.actionType,
        createdAfter: args.createdAfter ? Date.parse(args.createdAfter) : undefined,
        limit: args.limit ?? DEFAULT_LIMIT,
        maxPages: MAX_PAGES,
        logger,
      },
      { signal: ctx.signal, maxWaitMs: config.maxThrottleWaitMs },
    );
    const rows = listing.actions.map(toRow);
    const filters = [args.status, args.actionType, args.createdAfter && `since ${args.createdAfter}`].filter(Boolean).join(', ');
    const more = listing.foreignNextLink
      ? `; more exist, but Graph's link to the next page points outside the Graph root (${listing.foreignNextLink}) and was not followed`
      : listing.more && listing.localFallback
        ? `; Graph would not filter or sort this list, so only the ${listing.scanned} bulk actions it returned first were searched, and more exist`
        : listing.more
          ? `; more exist: narrow the filters or raise limit (max ${MAX_LIMIT})`
          : '';
    const head = `${plural(rows.length, 'bulk action')}${filters ? ` (${filters})` : ''}${more}${ctx.deps.simulated ? ' [simulated tenant]' : ''}.`;
    const body = rows.length
      ? table(
          ['id', 'name', 'type', 'status', 'created', 'by', 'succeeded', 'failed', 'in progress', 'pending', 'not supported', 'Cloud PCs'],
          rows.map((r) => [
            r.id,
            r.displayName,
            r.actionType,
            r.status,
            r.createdDateTime?.slice(0, 16).replace('T', ' '),
            r.initiatedByUserPrincipalName,
            countText(r.summary?.successfulCount),
            countText(r.summary?.failedCount),
            countText(r.summary?.inProgressCount),
            countText(r.summary?.pendingCount),
            countText(r.summary?.notSupportedCount),
            countText(r.cloudPcCount),
          ]),
        )
      : '';
    return { structured: { bulkActions: rows, more: listing.more, simulated: ctx.deps.simulated }, text: body ? `${head}\n${body}` : head };
  },
});
