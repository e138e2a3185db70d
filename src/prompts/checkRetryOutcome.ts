// /check_retry_outcome: "did the retry work?" Waits while the action is pending, then reports per device.
import { getBulkActionTool } from '../tools/getBulkAction.js';
import { guidValue, userPrincipalNameValue } from './checks.js';
import { bulkActionIds, userPrincipalNames } from './complete.js';
import { definePrompt } from './definePrompt.js';
import { OUTCOME_WAIT_SECONDS } from './retryUserPcs.js';

export const checkRetryOutcome = definePrompt({
  name: 'check_retry_outcome',
  title: "Check a retry's outcome",
  description:
    'Wait for a retried bulk action to finish (up to two minutes at a time) and report, per device, what succeeded, what failed again and why. Reads only.',
  kind: 'read',
  arguments: [
    {
      name: 'bulkActionId',
      description: 'The bulk action that was retried.',
      required: true,
      check: guidValue('bulkActionId'),
      complete: bulkActionIds({ failedOnly: false }),
    },
    {
      name: 'user',
      description: "Only this user's Cloud PCs, e.g. bob@contoso.com. Default: every device of the action.",
      check: userPrincipalNameValue,
      complete: userPrincipalNames,
    },
  ],
  render(args) {
    const id = args.bulkActionId!.trim();
    const user = args.user?.trim();
    return [
      `Check the outcome of the retry of bulk action ${id}${user ? ` for ${user}'s Cloud PCs` : ''}.`,
      `1. Call ${getBulkActionTool.name} with bulkActionId "${id}" and waitSeconds ${OUTCOME_WAIT_SECONDS}: it waits while the action is still pending.`,
      `2. Tell me the counts, then for each ${user ? `of ${user}'s devices` : 'device'} whether it succeeded, failed again (with the full reason as reported) or is still running.`,
      '3. If the action is still pending after the wait, say so and offer to wait again. For devices that failed again, say whether another retry is likely to help given the reason. Do not retry anything without my go-ahead.',
    ].join('\n');
  },
});
