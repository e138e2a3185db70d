// What a tool handler may use during one tools/call: progress, the person (elicitation), log notifications. Built per
// call, so cancellation, progress and the client's abilities belong to that call.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolRequest, ProgressToken } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../core/log.js';
import type { ClientAbilities, ConfirmAnswer, ServerDeps, ToolContext, UrlAnswer } from '../tools/context.js';

/** Elicitation waits for a person, who may take a while; the SDK's one-minute default is too short for that. */
const CONFIRM_TIMEOUT_MS = 10 * 60_000;

/** What a tools/call needs from the session it arrived on (a subset of the SDK's request extra). */
export interface ToolCallExtra {
  /** Aborted when the client cancels the request or the session closes. */
  signal: AbortSignal;
  sendNotification(notification: {
    method: 'notifications/progress' | 'notifications/message';
    params: Record<string, unknown>;
  }): Promise<void>;
}

const PLAN_FORM = {
  type: 'object' as const,
  properties: {
    confirm: { type: 'boolean' as const, title: 'Approve this plan', description: 'Yes, retry exactly the Cloud PCs of this plan now.' },
  },
  required: ['confirm'],
};

export function toolContext(
  server: Server,
  deps: ServerDeps,
  client: ClientAbilities,
  req: CallToolRequest,
  extra: ToolCallExtra,
): ToolContext {
  return {
    deps,
    client,
    signal: extra.signal,
    progress: progressReporter(req.params._meta?.progressToken, extra),
    confirm: (message) => confirmPlan(server, deps.logger, client, extra.signal, message),
    openUrl: (message, url, elicitationId) => openApprovalUrl(server, deps.logger, client, extra.signal, { message, url, elicitationId }),
    urlCompleted(elicitationId) {
      if (client.url)
        void server
          .createElicitationCompletionNotifier(elicitationId)()
          .catch(() => {});
    },
    notify(level, message) {
      deps.logger[level === 'warning' ? 'warn' : 'info'](message);
      // On this call's own stream, so it reaches a stateless HTTP client too.
      void extra
        .sendNotification({ method: 'notifications/message', params: { level, logger: 'cloudpc-mcp', data: message } })
        .catch(() => {});
    },
  };
}

function progressReporter(progressToken: ProgressToken | undefined, extra: ToolCallExtra): ToolContext['progress'] {
  let progressCount = 0;
  return (progress, total, message) => {
    if (progressToken === undefined) return;
    // The specification requires progress to increase with every notification.
    progressCount = Math.max(progressCount + 1, progress);
    void extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken, progress: progressCount, total, message } })
      .catch(() => {});
  };
}

async function confirmPlan(
  server: Server,
  logger: Logger,
  client: ClientAbilities,
  signal: AbortSignal,
  message: string,
): Promise<ConfirmAnswer> {
  if (!client.form) return 'unsupported';
  try {
    const r = await server.elicitInput({ mode: 'form', message, requestedSchema: PLAN_FORM }, { signal, timeout: CONFIRM_TIMEOUT_MS });
    if (r.action === 'accept') return r.content?.confirm === true ? 'accepted' : 'declined';
    return r.action === 'decline' ? 'declined' : 'cancelled';
  } catch (err) {
    // No answer (timeout, cancelled, client error) is never a yes.
    logger.warn('confirmation did not complete; nothing sent', { error: (err as Error).message });
    return 'cancelled';
  }
}

async function openApprovalUrl(
  server: Server,
  logger: Logger,
  client: ClientAbilities,
  signal: AbortSignal,
  { message, url, elicitationId }: { message: string; url: string; elicitationId: string },
): Promise<UrlAnswer> {
  if (!client.url) return 'unsupported';
  try {
    const r = await server.elicitInput({ mode: 'url', message, url, elicitationId }, { signal, timeout: CONFIRM_TIMEOUT_MS });
    return r.action === 'accept' ? 'accepted' : r.action === 'decline' ? 'declined' : 'cancelled';
  } catch (err) {
    logger.warn('URL elicitation did not complete; falling back to the approval link', { error: (err as Error).message });
    return 'unsupported';
  }
}
