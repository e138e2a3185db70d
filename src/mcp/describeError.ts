// Any failure of a tool call → the text of an isError result: what went wrong and what to do about it.
import { AuthError, SignInRequiredError } from '../auth/errors.js';
import { describeGraphError, GraphError } from '../graph/errors.js';
import type { ServerDeps } from '../tools/context.js';
import { ToolError } from '../tools/context.js';

export function describeError(err: unknown, operation: 'retry' | 'read', deps: Pick<ServerDeps, 'logger'>): string {
  if (err instanceof ToolError) return err.message;
  if (err instanceof GraphError) return describeGraphError(err, { operation });
  if (err instanceof SignInRequiredError) {
    return `Sign-in needed before anything can be sent to Microsoft Graph. ${err.message}`;
  }
  if (err instanceof AuthError) return `Could not get a Microsoft Graph token, so nothing was sent. ${err.message}`;
  // An unexpected bug: say so plainly, keep details in the log (stderr) rather than in the chat.
  deps.logger.error('unexpected error in tool handler', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return 'Internal error in cloudpc-mcp; nothing more is known about whether Graph was called. See the server log (stderr) for details and report it.';
}
