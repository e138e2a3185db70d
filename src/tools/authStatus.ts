// auth_status: who is signed in, to which cloud, with what permissions, and whether retry will work. Reports only,
// unless asked to sign in: a refresh from the saved sign-in is fine, a new prompt for the user is not.
import { z } from 'zod';
import { AuthError, SignInRequiredError } from '../auth/authErrors.js';
import { buildAuthStatus, formatAuthStatus, isAuthTokenProvider } from '../auth/statusReport.js';
import type { TokenProvider } from '../graph/types.js';
import { defineTool } from './defineTool.js';
import { TOKEN_CACHE_SETTINGS } from '../config/settings.js';

const tokenCache = z.object({
  setting: z.enum(TOKEN_CACHE_SETTINGS),
  tokenCache: z.enum(['os-store', 'unencrypted-file', 'memory']).describe('Where tokens are kept between restarts.'),
  summary: z.string(),
  advice: z.string().optional().describe('Why a sign-in will not survive a restart, and the choices.'),
  savedUser: z.string().optional(),
  recordFile: z.string().optional(),
});

const output = {
  method: z.string().describe('Sign-in method in use, e.g. devicecode, browser, azurecli, environment, token.'),
  methodLabel: z.string(),
  why: z.string().describe('Why this method is in use.'),
  kind: z
    .enum(['delegated', 'app-only', 'unknown'])
    .describe('delegated: acts as a signed-in user; app-only: acts as an application (cannot retry).'),
  cloud: z.string().optional(),
  authorityHost: z.string().optional(),
  tenantSetting: z.string().optional(),
  clientId: z.string().optional(),
  signedIn: z.boolean(),
  user: z.string().optional().describe('User principal name of the signed-in user.'),
  tenantId: z.string().optional().describe('Tenant of the token.'),
  scopes: z.array(z.string()).describe('Delegated permissions in the token.'),
  roles: z.array(z.string()).describe('Application permissions in the token.'),
  expiresOn: z.string().optional(),
  retry: z.enum(['allowed', 'not-allowed', 'unknown']),
  retryReason: z.string(),
  retryFix: z.string().optional(),
  pendingSignIn: z
    .object({
      kind: z.enum(['deviceCode', 'browser']),
      message: z.string(),
      verificationUri: z.string().optional(),
      userCode: z.string().optional(),
      expiresOn: z.string().optional(),
    })
    .optional()
    .describe('A sign-in waiting for the user: relay message to them.'),
  tokenCache: tokenCache.optional(),
  problem: z.string().optional().describe('What went wrong while checking the sign-in, and how to fix it.'),
  simulated: z.boolean(),
};

type Output = z.output<z.ZodObject<typeof output>>;

export const authStatus = defineTool({
  name: 'auth_status',
  title: 'Sign-in status',
  kind: 'read',
  description:
    'Show who is signed in to Microsoft Graph (user, tenant), the cloud, the sign-in method, the permissions in the token and when it expires, ' +
    'and whether retry_cloudpc_bulk_action will be allowed, with the exact fix when it will not (for example the admin consent link). ' +
    'Also shows a sign-in that is waiting for the user, and where the sign-in is kept between restarts. ' +
    'It never asks the user to sign in unless signIn is true.',
  input: {
    signIn: z
      .boolean({ error: 'signIn must be true or false.' })
      .optional()
      .describe(
        'Start a sign-in when there is none (device code or browser); the result then says what the user must do. Default false: only report.',
      ),
  },
  output,
  async handle(args, ctx) {
    const { deps, signal } = ctx;
    let provider: TokenProvider | undefined;
    let problem: string | undefined;
    try {
      provider = deps.tokens();
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      problem = err.message;
    }
    if (provider && isAuthTokenProvider(provider)) {
      try {
        if (args.signIn) await provider.getToken(signal);
        else await provider.getTokenSilently(signal);
      } catch (err) {
        // A prompt is the expected answer to signIn: true; it is reported as pendingSignIn.
        if (!(err instanceof SignInRequiredError)) {
          if (!(err instanceof AuthError)) throw err;
          problem = err.message;
        }
      }
    }
    if (!provider) {
      const text = `The sign-in is misconfigured, so nothing can be sent to Microsoft Graph: ${problem}`;
      const structured: Output = {
        method: deps.config.auth,
        methodLabel: deps.config.auth,
        why: 'the configured method',
        kind: 'unknown',
        signedIn: false,
        scopes: [],
        roles: [],
        retry: 'not-allowed',
        retryReason: 'The sign-in is misconfigured.',
        problem: problem ?? 'unknown',
        simulated: deps.simulated,
      };
      return { structured, text };
    }
    const status = buildAuthStatus(provider, {
      readOnly: deps.config.readOnly,
      simulated: deps.simulated,
      accessTokenIgnored: deps.simulated && deps.config.accessToken !== undefined,
      ...(problem ? { problem } : {}),
    });
    const text = formatAuthStatus(status) + (deps.simulated ? '\n[simulated tenant]' : '');
    return { structured: { ...status, simulated: deps.simulated }, text };
  },
});
