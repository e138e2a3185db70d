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
  const deps = createDeps({
    config,
    logger,
    graphRoot: target.graphRoot,
    tokenProvider: target.tokenProvider,
    simulated: config.simulate,
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
      await target.stop().catch(() => {});
    },
  };
}
