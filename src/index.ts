// The full server: parse config, start the simulator if asked, serve MCP. src/bin.ts loads this on demand.
import { helpText, loadConfig } from './config.js';
import { createDeps } from './deps.js';
import { createLogger } from './log.js';
import { createServer } from './server.js';
import { VERSION } from './version.js';
import { prepareGraphTarget } from './graphTarget.js';
import { LineTransport } from './stdio/lineTransport.js';
import { toolCallLane } from './stdio/toolCallLane.js';

export interface MainOptions {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  /** The stdio transport the entry already opened (and may have answered the first messages on). */
  transport?: LineTransport;
}

export interface Running {
  shutdown(why: string): Promise<void>;
}

export async function main({ argv, env, transport: given }: MainOptions): Promise<Running | undefined> {
  const result = loadConfig(argv, env);
  if (result.command === 'help') {
    process.stdout.write(helpText() + '\n');
    return undefined;
  }
  if (result.command === 'version') {
    process.stdout.write(VERSION + '\n');
    return undefined;
  }
  if (result.command === 'login' || result.command === 'logout') {
    // Terminal sign-in before the assistant is configured: its own chunk, never loaded by the server.
    const { runAuthCommand } = await import('./cli/login.js');
    process.exitCode = await runAuthCommand(result.command, result, env);
    return undefined;
  }
  const config = result.ok ? result.config : result.fallback;
  const logger = createLogger(config.logLevel);
  for (const w of config.warnings) logger.warn(w);
  if (config.transport === 'http') {
    // Remote mode is its own chunk, loaded only here: a stdio start-up never loads HTTP, Entra or on-behalf-of code.
    const { runHttp } = await import('./http/serve.js');
    return runHttp({ config, logger, problems: result.ok ? undefined : result.problems });
  }
  if (!result.ok) {
    // Keep serving: the client shows tool results to the user, while a dead process only shows "server failed to start".
    for (const p of result.problems) logger.error(`configuration: ${p.setting}: ${p.message}`);
  }

  const target = await prepareGraphTarget(config, logger);

  // Sign-in prompts also go to the client's log view, for clients that show MCP log notifications.
  let announce: ((message: string) => void) | undefined;
  const deps = createDeps({
    config,
    logger,
    tokenProvider: target.tokenProvider,
    simulated: config.simulate,
    signInHooks: { onPrompt: (p) => announce?.(p.message) },
  });
  const { server, callTool } = createServer({ deps, problems: result.ok ? undefined : result.problems });
  announce = (message) => void server.sendLoggingMessage({ level: 'warning', logger: 'cloudpc-mcp', data: message }).catch(() => {});
  let closing = false;
  const shutdown = async (why: string) => {
    if (closing) return;
    closing = true;
    logger.debug(`shutting down (${why})`);
    // Never hang on exit: a stalled socket must not keep the process alive past a couple of seconds.
    setTimeout(() => process.exit(0), 2_000).unref();
    await server.close().catch(() => {});
    await deps.close().catch(() => {});
    await target.stop().catch(() => {});
    process.exit(0);
  };
  // Signals and the end of stdin are the command's (src/bin.ts): it owns the process before this module is loaded.
  const transport = given ?? new LineTransport({ onEnd: () => void shutdown('stdin closed') });
  transport.lane = toolCallLane(callTool, (m) => transport.send(m), (e) => logger.error(e.message));

  await server.connect(transport);
  logger.info(`cloudpc-mcp ${VERSION} ready on stdio (cloud ${config.cloud.name}, Graph ${config.graphRoot})`);
  return { shutdown };
}
