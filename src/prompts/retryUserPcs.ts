// /retry_user_failed_cloud_pcs: "retry Bob's Cloud PCs that failed", with a dry run first and the outcome checked after.
import { getBulkActionTool } from '../tools/getBulkAction.js';
import { listBulkActions } from '../tools/listBulkActions.js';
import { listCloudPcs } from '../tools/listCloudPcs.js';
import { retryBulkAction } from '../tools/retryBulkAction.js';
import { guidValue, userPrincipalNameValue } from './checks.js';
import { bulkActionIds, userPrincipalNames } from './complete.js';
import { DAY_MS, definePrompt, isoSeconds } from './definePrompt.js';

/** Without a bulk action id, how far back to look for the user's failed devices. */
const LOOK_BACK_DAYS = 7;
export const OUTCOME_WAIT_SECONDS = 120;

export const retryUserFailedCloudPcs = definePrompt({
  name: 'retry_user_failed_cloud_pcs',
  title: "Retry a user's failed Cloud PCs",
  description:
    "Find a user's Cloud PCs that failed in a bulk action, show a dry run, retry only those after you agree (destructive retries ask you to confirm), then check the outcome.",
  kind: 'retry',
  arguments: [
    {
      name: 'user',
      description: "The user's sign-in name, e.g. bob@contoso.com.",
      required: true,
      check: userPrincipalNameValue,
      complete: userPrincipalNames,
    },
    {
      name: 'bulkActionId',
      description: `The bulk action to retry in. Default: the user's failed devices in the bulk actions of the last ${LOOK_BACK_DAYS} days.`,
      check: guidValue('bulkActionId'),
      complete: bulkActionIds({ failedOnly: true }),
    },
  ],
  render(args, now) {
    const user = args.user!.trim();
    const id = args.bulkActionId?.trim();
    const find = id
      ? `Call ${getBulkActionTool.name} with bulkActionId "${id}"`
      : `Call ${listBulkActions.name} with createdAfter "${isoSeconds(new Date(now.getTime() - LOOK_BACK_DAYS * DAY_MS))}"; for each action with status failed or a failed count above 0, call ${getBulkActionTool.name} with its bulkActionId`;
    return [
      `Retry the failed Cloud PCs of ${user}${id ? ` in bulk action ${id}` : ''}.`,
      `1. Call ${listCloudPcs.name} with userPrincipalName "${user}" to get their Cloud PCs (ids and names).`,
      `2. ${find}, and find the devices of ${user} whose state is failed, with the failure reason.`,
      `3. If none failed, tell me and stop. Otherwise call ${retryBulkAction.name} with that bulkActionId, cloudPcIds set to exactly those Cloud PC ids, and dryRun true. ` +
        'Show me what would be retried, why each device failed, and whether the retry is destructive.',
      `4. Only when I say go ahead, call ${retryBulkAction.name} again with the same bulkActionId and cloudPcIds, without dryRun. ` +
        'A destructive retry needs my confirmation: let me give it; never confirm on my behalf.',
      `5. The retry runs asynchronously: afterwards call ${getBulkActionTool.name} with that bulkActionId and waitSeconds ${OUTCOME_WAIT_SECONDS}, ` +
        `and tell me for each of ${user}'s devices whether it succeeded, failed again (with the reason) or is still running.`,
    ].join('\n');
  },
});
