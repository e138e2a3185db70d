// The full command, loaded by src/bin.ts on demand: help, version, terminal sign-in, or a server on stdio or HTTP.
import { privateFileWarning } from '../config/certificateMode.js';
import type { ConfigResult } from '../config/config.js';
import { helpText } from '../config/help.js';
import { createLogger } from '../core/log.js';
import { VERSION } from '../core/version.js';
import type { LineTransport } from '../transports/stdio/lineTransport.js';
import type { RunningStdio } from '../transports/stdio/serve.js';
import type { Lifecycle } from '../core/lifecycle.js';

export interface MainOptions {
  /** The command line and environment as the command already read them (src/bin.ts): not parsed a second time. */
  result: ConfigResult;
  env: NodeJS.ProcessEnv;
  life: Lifecycle;
  /** Set when the command serves stdio: the transport it already opened. */
  transport?: LineTransport;
}

/** Returns the stdio session when one was started; the command closes it when the client goes away. */
export async function main({ result, env, life, transport }: MainOptions): Promise<RunningStdio | undefined> {
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
    const { runAuthCommand } = await import('./login.js');
    process.exitCode = await runAuthCommand(result.command, result, env);
    return undefined;
  }
  const config = result.ok ? result.config : result.fallback;
  const logger = createLogger(config.logLevel);
  const problems = result.ok ? undefined : result.problems;
  if (config.transport === 'http') {
    // (The stdio command reported its warnings and problems at start-up: src/cli/startup.ts.)
    for (const w of config.warnings) logger.warn(w);
    const keyFile = config.simulate ? undefined : privateFileWarning(env['AZURE_CLIENT_CERTIFICATE_PATH']?.trim());
    if (keyFile) logger.warn(keyFile);
    // Remote mode is its own chunk, loaded only here: a stdio start-up never loads HTTP, Entra or on-behalf-of code.
    const { runHttp } = await import('../transports/http/serve.js');
    await runHttp({ config, logger, problems, life });
    return undefined;
  }
  if (!transport) throw new Error('the stdio server needs the transport the command opened');
  const { serveStdio } = await import('../transports/stdio/serve.js');
  return serveStdio({ config, logger, problems, transport });
}
