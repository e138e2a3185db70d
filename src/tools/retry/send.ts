// Step 3 of a retry: the POST itself, once everything before it said yes.
import { EmptyIdListError, postRetry } from '../../graph/bulkActions.js';
import type { GraphResponse } from '../../graph/types.js';
import { ToolError, type ToolContext } from '../context.js';

export async function sendRetry(ctx: ToolContext, bulkActionId: string, cloudPcIds: string[] | undefined): Promise<GraphResponse<unknown>> {
  // Graph refuses retry for application permissions; saying so here beats a bare 403 after the fact.
  const tokens = ctx.deps.tokens();
  if (!tokens.delegated) {
    throw new ToolError(
      `Not sent: the server signs in as an application (${tokens.description}), and Microsoft Graph supports retrying bulk actions only with ` +
        'delegated permission: a signed-in user with CloudPC.ReadWrite.All and a Windows 365 role that allows bulk actions. ' +
        'Set CLOUDPC_MCP_AUTH to browser or devicecode (or remove the service principal variables) and restart the server.',
    );
  }
  return postRetry(ctx.deps.graph(), {
    bulkActionId,
    cloudPcIds,
    signal: ctx.signal,
    onThrottle: (n) =>
      ctx.progress(n.attempt, undefined, `Graph is throttling (HTTP ${n.status}); waiting ${Math.ceil(n.waitMs / 1000)} s before attempt ${n.attempt + 1}.`),
  }).catch((err: unknown) => {
    throw err instanceof EmptyIdListError ? new ToolError(err.message) : err;
  });
}
