// /triage_failed_bulk_actions: "what failed since yesterday, why, and what is worth retrying?"
import { KNOWN_ACTION_TYPES } from '../core/actionTypes.js';
import { getBulkActionTool } from '../tools/getBulkAction.js';
import { listBulkActions } from '../tools/listBulkActions.js';
import { canonical, hoursValue, oneOfValues } from './checks.js';
import { staticValues } from './complete.js';
import { definePrompt, isoSeconds } from './definePrompt.js';

const DEFAULT_HOURS = 24;

export const triageFailedBulkActions = definePrompt({
  name: 'triage_failed_bulk_actions',
  title: 'Triage failed bulk actions',
  description:
    'Find the Cloud PC bulk actions of the last day (or the hours you give) with failed devices, group the failures by reason, and say which are worth retrying. Reads only.',
  kind: 'read',
  arguments: [
    {
      name: 'hours',
      description: `How far back to look, in hours (1-168). Default ${DEFAULT_HOURS}.`,
      check: hoursValue,
      complete: staticValues(['24', '48', '72', '168']),
    },
    {
      name: 'actionType',
      description: 'Only this kind of bulk action, e.g. restart or reprovision. Default: every kind.',
      check: oneOfValues('actionType', KNOWN_ACTION_TYPES),
      complete: staticValues(KNOWN_ACTION_TYPES),
    },
  ],
  render(args, now) {
    const hours = args.hours ? Number(args.hours.trim()) : DEFAULT_HOURS;
    const since = isoSeconds(new Date(now.getTime() - hours * 3_600_000));
    const type = args.actionType && canonical(args.actionType, KNOWN_ACTION_TYPES);
    return [
      `Triage the Windows 365 Cloud PC bulk actions created since ${since} (the last ${hours} hours)${type ? `, ${type} actions only` : ''}.`,
      `1. Call ${listBulkActions.name} with createdAfter "${since}"${type ? ` and actionType "${type}"` : ''}; if it says more exist, call it again with a higher limit. ` +
        'Keep every action with status failed or a failed count above 0, whatever its status: Graph calls an action failed only when all its devices failed.',
      `2. For each of them, call ${getBulkActionTool.name} with its bulkActionId and note which devices failed, their users and the full failure reason.`,
      '3. Show me one table: action (name, type, created), failed devices, users, reason. Put devices that failed for the same reason together.',
      '4. For each group, say whether a retry is likely to help (a PC that was off, busy or timed out) or not (something a retry cannot fix, such as a subnet without free IP addresses or a missing licence), ' +
        'and which retries would be destructive (reprovision, restore, resize and similar rebuild, roll back or move PCs).',
      'Do not retry anything: this is a triage. If nothing failed in that time, say so.',
    ].join('\n');
  },
});
