// MCP over stdio: one client that started this process. A configuration mistake does not stop the server: the client
// shows tool results to the user, while a dead process only shows "server failed to start". (The command logged the
// mistakes at start-up, and stops on them when run in a terminal: src/cli/startup.ts.)
import type { Config, ConfigProblem } from '../../config/config.js';
import type { Logger } from '../../core/log.js';
import { VERSION } from '../../core/version.js';
import { createDeps } from '../../mcp/deps.js';
import { openGraphTarget } from '../../mcp/graphTarget.js';
import { createServer } from '../../mcp/server.js';
import type { LineTransport } from './lineTransport.js';
import { loopbackApprovalPage } from '../../approval/pages.js';
import { PlanStore } from '../../tools/retry/plans.js';

export interface ServeStdioOptions {
  config: Config;
  logger: Logger;
  problems?: readonly ConfigProblem[];
  /** The transport the command opened (and may have answered the first messages on). */
  transport: LineTransport;
}

export interface RunningStdio {
  /** Closes the session (aborting calls in flight), the Graph pool and the simulator; the command then exits. */
  close(why: string): Promise<void>;
}

export async function serveStdio({ config, logger, problems, transport }: ServeStdioOptions): Promise<RunningStdio> {
  const target = await openGraphTarget(config, logger);

  // Sign-in prompts also go to the client's log view, for clients that show MCP log notifications.
  let announce: ((message: string) => void) | undefined;
  const plans = new PlanStore({ ttlMs: config.planTtlMs });
  // The approval page for clients that cannot ask the user: on 127.0.0.1, started only when a plan needs it.
  const page = config.approvalPage === 'off' ? undefined : loopbackApprovalPage({ plans, logger, mode: config.approvalPage });
  const deps = createDeps({
    plans,
    ...(page ? { approvalPage: page } : {}),
    config,
    logger,
    graphRoot: target.graphRoot,
    tokenProvider: target.tokenProvider,
    simulated: config.simulate,
    proxy: target.proxy,
    signInHooks: { onPrompt: (p) => announce?.(p.message) },
  });
  const server = createServer({ deps, problems });
  announce = (message) => void server.sendLoggingMessage({ level: 'warning', logger: 'cloudpc-mcp', data: message }).catch(() => {});

  await server.connect(transport);
  logger.info(`cloudpc-mcp ${VERSION} ready on stdio (cloud ${config.cloud.name}, Graph ${target.graphRoot})`);
  return {
    async close(why) {
      logger.debug(`shutting down (${why})`);
      await server.close().catch(() => {});
      await deps.close().catch(() => {});
      await page?.close().catch(() => {});
      await target.stop().catch(() => {});
    },
  };
}
