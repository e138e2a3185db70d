import { checkRetryOutcome } from './checkRetryOutcome.js';
import type { PromptDefinition } from './definePrompt.js';
import { retryUserFailedCloudPcs } from './retryUserPcs.js';
import { triageFailedBulkActions } from './triageFailed.js';

// Order is the order clients show them in: the morning triage, the retry, then its follow-up.
export const ALL_PROMPTS: readonly PromptDefinition[] = [triageFailedBulkActions, retryUserFailedCloudPcs, checkRetryOutcome];

/** The prompts a server offers: a read-only one hides those that lead to a retry, as it hides the retry tool. */
export function selectPrompts(readOnly: boolean): PromptDefinition[] {
  return ALL_PROMPTS.filter((p) => !(readOnly && p.kind === 'retry'));
}
