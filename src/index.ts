#!/usr/bin/env node
// Entry: parse config, start the simulator if asked, serve MCP over stdio. Fatal errors go to stderr.

// stdout is the MCP channel: anything a dependency prints with console.log would corrupt it, so console output goes to stderr.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { helpText, loadConfig } from './config.js';
import { createDeps } from './deps.js';
import { createLogger } from './log.js';
import { createServer } from './server.js';
import { VERSION } from './version.js';
import type { TokenProvider } from './graph/types.js';
import { chooseAuthMethod } from './auth/choose.js';
import { AUTH_METHOD_INFO, isAppOnlyMethod } from './auth/methods.js';

async function main(): Promise<void> {
  const result = loadConfig(process.argv.slice(2), process.env);
  if (result.command === 'help') {
    process.stdout.write(helpText() + '\n');
    return;
  }
  if (result.command === 'version') {
    process.stdout.write(VERSION + '\n');
    return;
  }
  const config = result.ok ? result.config : result.fallback;
  const logger = createLogger(config.logLevel);
  for (const w of config.warnings) logger.warn(w);
  if (!result.ok) {
    // Keep serving: the client shows tool results to the user, while a dead process only shows "server failed to start".
    for (const p of result.problems) logger.error(`configuration: ${p.setting}: ${p.message}`);
  }

  let tokenProvider: TokenProvider | undefined;
  let stopSimulator: (() => Promise<void>) | undefined;
  if (config.simulate) {
    const { startSimulator } = await import('./simulator/index.js');
    const sim = await startSimulator();
    config.graphRoot = sim.url;
    stopSimulator = () => sim.close();
    tokenProvider = { description: 'embedded simulator token', delegated: true, getToken: async () => sim.token };
    logger.info(`simulator listening on ${sim.url}; results are simulated`);
  }

  if (!config.simulate) {
    const choice = chooseAuthMethod({ method: config.auth, accessToken: config.accessToken }, process.env);
    if (isAppOnlyMethod(choice.method) && !config.readOnly) {
      logger.warn(
        `${AUTH_METHOD_INFO[choice.method].label} is app-only (${choice.reason}); Microsoft Graph does not support retrying bulk actions with application permissions, so only the read tools will work. Use a delegated method (CLOUDPC_MCP_AUTH=browser or devicecode) to retry.`,
      );
    }
  }

  // Sign-in prompts also go to the client's log view, for clients that show MCP log notifications.
  let announce: ((message: string) => void) | undefined;
  const deps = createDeps({
    config,
    logger,
    tokenProvider,
    simulated: config.simulate,
    signInHooks: { onPrompt: (p) => announce?.(p.message) },
  });
  const server = createServer({ deps, problems: result.ok ? undefined : result.problems });
  announce = (message) => void server.sendLoggingMessage({ level: 'warning', logger: 'cloudpc-mcp', data: message }).catch(() => {});
  const transport = new StdioServerTransport();

  let closing = false;
  const shutdown = async (why: string) => {
    if (closing) return;
    closing = true;
    logger.debug(`shutting down (${why})`);
    // Never hang on exit: a stalled socket must not keep the process alive past a couple of seconds.
    setTimeout(() => process.exit(0), 2_000).unref();
    await server.close().catch(() => {});
    await deps.close().catch(() => {});
    await stopSimulator?.().catch(() => {});
    process.exit(0);
  };
  process.stdin.on('end', () => void shutdown('stdin closed'));
  process.stdin.on('close', () => void shutdown('stdin closed'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await server.connect(transport);
  logger.info(`cloudpc-mcp ${VERSION} ready on stdio (cloud ${config.cloud.name}, Graph ${config.graphRoot})`);
}

main().catch((err: unknown) => {
  process.stderr.write(`[cloudpc-mcp] fatal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
