// Step 2 of a retry: the person's say on a destructive one. Elicitation when the client can ask; otherwise the
// operator's policy decides between refusing and a model-set `confirm: true`.
import type { ConfirmPolicy } from '../../config/config.js';
import { ToolError, type ConfirmAnswer } from '../context.js';

export type ConfirmVerdict =
  | { go: true }
  | { go: false; status: 'declined'; answer: 'declined' | 'cancelled' }
  | { go: false; status: 'confirmationRequired' };

/** Pure: what a confirmation answer means under the policy. Throws the refusal the policy asks for. */
export function confirmVerdict(answer: ConfirmAnswer, policy: ConfirmPolicy, confirmFlag: boolean | undefined, actionType: string): ConfirmVerdict {
  if (answer === 'accepted') return { go: true };
  if (answer === 'declined' || answer === 'cancelled') return { go: false, status: 'declined', answer };
  if (policy === 'refuse') {
    throw new ToolError(
      `Not sent: retrying a ${actionType} is destructive and needs the user's confirmation, but this MCP client cannot ask the user (no elicitation support), ` +
        'and the server\'s policy (CLOUDPC_MCP_CONFIRM_POLICY=refuse) forbids it without that. Use a client that supports elicitation, or ask the operator to change the policy.',
    );
  }
  return confirmFlag === true ? { go: true } : { go: false, status: 'confirmationRequired' };
}
