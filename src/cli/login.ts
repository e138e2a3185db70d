// `cloudpc-mcp login` / `logout`: sign in once in a terminal before configuring the assistant, or forget the
// sign-in. Not the MCP server, so the prompt may go to the terminal; it goes to stderr like every other message.

import { chooseAuthMethod } from '../auth/chooseMethod.js';
import { configDir } from '../auth/persistence/privateFiles.js';
import { AuthError, SignInRequiredError } from '../auth/authErrors.js';
import { AUTH_ENV, AUTH_METHOD_INFO, isInteractiveMethod } from '../auth/methods.js';
import { signOut } from '../auth/persistence/signOut.js';
import { buildAuthStatus } from '../auth/statusReport.js';
import { createTokenProvider } from '../auth/tokenProvider.js';
import type { SignInPrompt } from '../auth/authTypes.js';
import { commandName, EXIT_MISCONFIGURED, formatProblems, type ConfigResult } from '../config/config.js';
import { SCOPE_READ, SCOPE_RETRY } from '../graph/clouds.js';
import { createLogger } from '../core/log.js';

export type Write = (text: string) => void;

const toStderr: Write = (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

/** Exit code: 0 done, 1 failed (or the sign-in cannot be kept), 2 misconfigured. */
export async function runAuthCommand(
  command: 'login' | 'logout',
  result: ConfigResult,
  env: NodeJS.ProcessEnv,
  write: Write = toStderr,
): Promise<number> {
  const name = commandName(env);
  if (!result.ok) {
    write(formatProblems(result.problems, { terminal: `${name} ${command}` }));
    return EXIT_MISCONFIGURED;
  }
  if (command === 'login' && result.config.simulate) {
    write(
      `Nothing to log in to: --simulate runs the server against its embedded Graph simulator, which needs no sign-in and no tenant. ` +
        `Give --simulate to the server in the MCP client's configuration (or try \`npm run demo\` in a clone); run \`${name} login\` without --simulate to sign in to a real tenant.`,
    );
    return EXIT_MISCONFIGURED;
  }
  try {
    return command === 'login' ? await login(result.config, env, write, name) : await logout(env, write);
  } catch (err) {
    write(
      err instanceof AuthError
        ? `cloudpc-mcp ${command}: ${err.message}`
        : `cloudpc-mcp ${command} failed: ${(err as Error)?.message ?? String(err)}`,
    );
    return err instanceof AuthError && err.code === 'invalid_configuration' ? EXIT_MISCONFIGURED : 1;
  }
}

async function login(
  config: Extract<ConfigResult, { ok: true }>['config'],
  env: NodeJS.ProcessEnv,
  write: Write,
  name: string,
): Promise<number> {
  const choice = chooseAuthMethod({ method: config.auth, ...(config.accessToken ? { accessToken: config.accessToken } : {}) }, env);
  if (!isInteractiveMethod(choice.method)) {
    const unset = choice.method === 'token' ? ` without ${AUTH_ENV.accessToken} in the environment` : '';
    write(
      `Nothing to log in to: this configuration signs in with ${AUTH_METHOD_INFO[choice.method].label} (${choice.reason}), which needs no interactive sign-in. ` +
        `To sign in as a user, run \`${name} login --auth devicecode\` (or --auth browser)${unset}.`,
    );
    return EXIT_MISCONFIGURED;
  }
  // The terminal shows the prompt and the outcome itself; log lines would bury them. An explicit log level is honoured.
  const logger = createLogger(env['CLOUDPC_MCP_LOG_LEVEL'] ? config.logLevel : 'error', (line) => write(line));
  const provider = createTokenProvider(
    {
      method: choice.method,
      cloud: config.cloud,
      ...(config.authorityHost ? { authorityHost: config.authorityHost } : {}),
      ...(config.tenantId ? { tenantId: config.tenantId } : {}),
      ...(config.clientId ? { clientId: config.clientId } : {}),
      permission: config.readOnly ? SCOPE_READ : SCOPE_RETRY,
      env,
    },
    logger,
    { onPrompt: (p) => write(terminalPrompt(p)) },
  );
  for (;;) {
    try {
      await provider.getToken();
      break;
    } catch (err) {
      // The first one carries the prompt (written by the hook); later ones only mean "still waiting".
      if (err instanceof SignInRequiredError) continue;
      throw err;
    }
  }
  const status = buildAuthStatus(provider, { readOnly: config.readOnly, simulated: false });
  const state = provider.signInState;
  write(
    `Signed in as ${status.user ?? '(unknown user)'}${status.tenantId ? ` (tenant ${status.tenantId})` : ''} to Microsoft Graph (${config.cloud.label}).`,
  );
  if (status.retry !== 'allowed')
    write(`Retry: ${status.retry}. ${status.retryReason}${status.retryFix ? ` Fix: ${status.retryFix}` : ''}`);
  if (!state || state.tokenCache === 'memory') {
    write(`The sign-in could not be saved for the MCP server. ${state?.advice ?? ''}`.trim());
    return 1;
  }
  write(`${state.summary} The MCP server will use this sign-in without asking until it expires; \`${name} logout\` removes it.`);
  return 0;
}

async function logout(env: NodeJS.ProcessEnv, write: Write): Promise<number> {
  const r = await signOut(configDir(env));
  if (!r.files.length && !r.keychainEntries) {
    write('No saved sign-in was found; nothing to remove.');
  } else {
    write(
      `Signed out${r.accounts.length ? ` ${r.accounts.join(', ')}` : ''}: removed ${r.files.length} file(s)` +
        `${r.keychainEntries ? ` and ${r.keychainEntries} token entr${r.keychainEntries === 1 ? 'y' : 'ies'} from the OS secret store` : ''}. The next start asks for a new sign-in.`,
    );
  }
  if (r.keychainSkipped) write(`The OS secret store was not touched: ${r.keychainSkipped}.`);
  return 0;
}

function terminalPrompt(p: SignInPrompt): string {
  const [reason] = p.message.split(/(?=To sign in to |A browser window was opened)/);
  const lead = reason && reason !== p.message ? `${reason.trim()}\n` : '';
  if (p.kind === 'deviceCode') {
    return `${lead}To sign in, open ${p.verificationUri} in a browser on any device and enter the code ${p.userCode}\nWaiting for you to finish (Ctrl+C to stop)…`;
  }
  return `${lead}A browser window was opened to sign in. Complete the sign-in there.\nWaiting for you to finish (Ctrl+C to stop)…`;
}
