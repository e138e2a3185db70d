// list_cloudpc_bulk_actions: "what failed last night?"
import { z } from 'zod';
import { KNOWN_ACTION_TYPES } from '../core/actionTypes.js';
import { BULK_ACTIONS_PATH, toBulkAction, type BulkAction } from '../graph/bulkActions.js';
import { bulkActionRow, toRow } from './rows.js';
import { collectPages, odataString } from '../graph/paging.js';
import { defineTool } from './defineTool.js';
import { limitInput } from './inputs.js';
import { plural, table } from './render.js';

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
    'Filter by status (e.g. failed), action type (e.g. restart, reprovision) and creation time. Use it to find the bulk action a user means ("the restarts that failed last night").',
  input: {
    status: z.enum(BULK_ACTION_STATUSES, { error: `status must be one of: ${BULK_ACTION_STATUSES.join(', ')}.` }).optional().describe('Only bulk actions with this status.'),
    actionType: z
      .enum(KNOWN_ACTION_TYPES, { error: `actionType must be one of: ${KNOWN_ACTION_TYPES.join(', ')}.` })
      .optional()
      .describe('Only this kind of bulk action.'),
    createdAfter: z
      .iso.datetime({ offset: true, error: 'createdAfter must be an ISO 8601 date-time such as 2026-11-27T18:00:00Z.' })
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
    const limit = args.limit ?? DEFAULT_LIMIT;
    const since = args.createdAfter ? Date.parse(args.createdAfter) : undefined;
    const query: Record<string, string> = { $orderby: 'createdDateTime desc', $top: String(Math.min(limit, 50)) };
    if (args.status) query.$filter = `status eq ${odataString(args.status)}`;
    const page = await collectPages(
      ctx.deps.graph(),
      { method: 'GET', path: BULK_ACTIONS_PATH, query },
      {
        maxItems: limit,
        maxPages: MAX_PAGES,
        signal: ctx.signal,
        keep: (item) => {
          const a = toBulkAction(item);
          // Status is filtered again here in case a Graph version ignores $filter on this collection.
          return (!args.status || a.status === args.status) && (!args.actionType || a.actionType === args.actionType);
        },
        stopAfter: (item) => since !== undefined && typeof item.createdDateTime === 'string' && Date.parse(item.createdDateTime) < since,
      },
    );
    const rows = page.items
      .map(toBulkAction)
      .sort((a, b) => (b.createdDateTime ?? '').localeCompare(a.createdDateTime ?? ''))
      .map(toRow);
    const filters = [args.status, args.actionType, args.createdAfter && `since ${args.createdAfter}`].filter(Boolean).join(', ');
    const head = `${plural(rows.length, 'bulk action')}${filters ? ` (${filters})` : ''}${page.more ? `; more exist: narrow the filters or raise limit (max ${MAX_LIMIT})` : ''}${ctx.deps.simulated ? ' [simulated tenant]' : ''}.`;
    const body = rows.length
      ? table(
          ['id', 'name', 'type', 'status', 'created', 'by', 'ok/failed/running/pending/n.s.', 'PCs'],
          rows.map((r) => [
            r.id,
            r.displayName,
            r.actionType,
            r.status,
            r.createdDateTime?.slice(0, 16).replace('T', ' '),
            r.initiatedByUserPrincipalName,
            `${r.summary.successfulCount}/${r.summary.failedCount}/${r.summary.inProgressCount}/${r.summary.pendingCount}/${r.summary.notSupportedCount}`,
            r.cloudPcCount,
          ]),
        )
      : '';
    return { structured: { bulkActions: rows, more: page.more, simulated: ctx.deps.simulated }, text: body ? `${head}\n${body}` : head };
  },
});
