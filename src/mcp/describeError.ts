// Any failure of a tool call → the text of an isError result: what went wrong and what to do about it.
import { AuthError, SignInRequiredError } from '../auth/authErrors.js';
import { REPLACE_TOKEN, StaticTokenProvider } from '../auth/credentials/staticToken.js';
import { describeGraphError, GraphError, type DescribeContext } from '../graph/errors.js';
import type { ServerDeps } from '../tools/context.js';
import { ToolError } from '../tools/context.js';
import { StoreUnavailableError } from '../store/errors.js';
import type { ToolKind } from '../tools/defineTool.js';

export type Operation = DescribeContext['operation'];

/** What a call does, as its failure is headed: a retry with dryRun: true only reads. */
export function operationOf(kind: ToolKind, args: unknown): Operation {
  if (kind === 'read') return 'read';
  return (args as { dryRun?: unknown } | undefined)?.dryRun === true ? 'dryRun' : 'retry';
}

export function describeError(err: unknown, operation: Operation, deps: Pick<ServerDeps, 'logger' | 'tokens'>): string {
  if (err instanceof ToolError) return err.message;
  if (err instanceof StoreUnavailableError) return err.message;
  if (err instanceof GraphError) {
    const fix = err.status === 401 ? rejectedTokenFix(deps) : undefined;
    return describeGraphError(err, { operation, ...(fix ? { rejectedTokenFix: fix } : {}) });
  }
  if (err instanceof SignInRequiredError) {
    return `Sign-in needed before anything can be sent to Microsoft Graph. ${err.message}`;
  }
  if (err instanceof AuthError) return `Could not get a Microsoft Graph token, so nothing was sent. ${err.message}`;
  // An unexpected bug: say so plainly, keep details in the log (stderr) rather than in the chat.
  deps.logger.error('unexpected error in tool handler', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return 'Internal error in cloudpc-mcp; nothing more is known about whether Graph was called. See the server log (stderr) for details and report it.';
}

/** Signing in again cannot help an operator token: the server never gets another one itself. */
function rejectedTokenFix(deps: Pick<ServerDeps, 'tokens'>): string | undefined {
  let provider;
  try {
    provider = deps.tokens();
  } catch {
    return undefined;
  }
  if (!(provider instanceof StaticTokenProvider)) return undefined;
  return `Graph rejected the operator token (CLOUDPC_MCP_ACCESS_TOKEN): it may have expired or been revoked, or be for another tenant. ${REPLACE_TOKEN}`;
}
