// What the stdio server says on stderr as it starts. Run in a terminal, a person reads it before anything is typed: say
// what this is and how to get help, or list the mistakes and exit 2 (nothing else would happen). Started by an MCP
// client, stderr is a log that clients often hide: the mistakes are logged (once the first answers are out, see
// src/bin.ts), and the server starts anyway so that every tool call answers with them (the one place the user is sure
// to look).
import { privateFileWarning } from '../config/certificateMode.js';
import { commandName, EXIT_MISCONFIGURED, formatProblems, type ConfigResult } from '../config/config.js';
import { createLogger } from '../core/log.js';
import { VERSION } from '../core/version.js';

export interface StartupReport {
  /** Set when the command must stop here, with this exit code. */
  exitCode?: number;
}

export function reportStdioStartup(
  result: ConfigResult,
  inTerminal: boolean,
  env: NodeJS.ProcessEnv,
  write: (text: string) => void = (text) => void process.stderr.write(text),
): StartupReport {
  const name = commandName(env);
  if (!result.ok && inTerminal) {
    write(formatProblems(result.problems, { terminal: name }) + '\n');
    return { exitCode: EXIT_MISCONFIGURED };
  }
  const config = result.ok ? result.config : result.fallback;
  const logger = createLogger(config.logLevel, (line) => write(line + '\n'));
  if (inTerminal && config.logLevel !== 'silent') write(terminalBanner(name, config.simulate));
  if (!result.ok) {
    for (const p of result.problems) logger.error(`configuration: ${p.setting}: ${p.message}`);
    logger.error(
      "every tool call answers with these problems until the MCP client's server configuration is fixed and the server restarted.",
    );
  }
  for (const w of config.warnings) logger.warn(w);
  const keyFile = config.simulate ? undefined : privateFileWarning(env['AZURE_CLIENT_CERTIFICATE_PATH']?.trim());
  if (keyFile) logger.warn(keyFile);
  return {};
}

export function terminalBanner(name: string, simulate: boolean): string {
  const graph = simulate ? 'the embedded Graph simulator (--simulate: no tenant, no sign-in)' : 'Microsoft Graph';
  return [
    `cloudpc-mcp ${VERSION}: an MCP server for Windows 365 Cloud PC bulk actions, working with ${graph}.`,
    'It is waiting for an MCP client on stdin/stdout. Clients such as Claude, VS Code or GitHub Copilot start this',
    "command themselves: add it to the client's MCP configuration rather than running it here.",
    `  ${name} login        sign in once, before configuring the client`,
    `  ${name} --help       every option`,
    `  ${name} --simulate   try it without a tenant (from an MCP client)`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
