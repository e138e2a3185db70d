// The truth about the sign-in, for the auth_status tool and `cloudpc-mcp login`: who, where, with what, until when,
// and whether retry will work, with the exact fix when it will not. Built from what the provider knows (method,
// claims of the token in hand, pending prompt, where the sign-in is kept); it asks nothing of the network itself.

import { SCOPE_RETRY } from '../graph/clouds.js';
import type { TokenProvider } from '../graph/types.js';
import { adminConsentUrl, consentFix } from './entraErrors/signInErrors.js';
import { AUTH_ENV, AUTH_METHOD_INFO, isAppOnlyMethod } from './methods.js';
import { REPLACE_TOKEN, StaticTokenProvider } from './credentials/staticToken.js';
import { tokenHasPermission } from './tokenClaims.js';
import type { AuthTokenProvider, SignInPrompt, SignInState } from './authTypes.js';

export type RetryVerdict = 'allowed' | 'not-allowed' | 'unknown';

export interface AuthStatus {
  method: string;
  methodLabel: string;
  /** Why this method is in use. */
  why: string;
  /** What the token acts as: a signed-in user, or an application. */
  kind: 'delegated' | 'app-only' | 'unknown';
  cloud?: string;
  authorityHost?: string;
  /** The tenant setting; the token's tenant is tenantId. */
  tenantSetting?: string;
  clientId?: string;
  signedIn: boolean;
  user?: string;
  tenantId?: string;
  /** Delegated permissions (scp) of the token in hand. */
  scopes: string[];
  /** Application permissions (roles) of the token in hand. */
  roles: string[];
  expiresOn?: string;
  retry: RetryVerdict;
  retryReason: string;
  /** What to do so that retry works; absent when it does. */
  retryFix?: string;
  pendingSignIn?: { kind: SignInPrompt['kind']; message: string; verificationUri?: string; userCode?: string; expiresOn?: string };
  tokenCache?: SignInState;
  /** The sign-in check failed: the error as the user should read it. */
  problem?: string;
}

export interface StatusContext {
  readOnly: boolean;
  simulated: boolean;
  problem?: string;
  /** The simulator runs while CLOUDPC_MCP_ACCESS_TOKEN is set: say that the token is not used. */
  accessTokenIgnored?: boolean;
}

export function isAuthTokenProvider(p: TokenProvider): p is AuthTokenProvider {
  return (
    typeof (p as Partial<AuthTokenProvider>).getTokenSilently === 'function' && typeof (p as Partial<AuthTokenProvider>).method === 'string'
  );
}

export function buildAuthStatus(provider: TokenProvider, ctx: StatusContext): AuthStatus {
  if (!isAuthTokenProvider(provider)) {
    return {
      method: ctx.simulated ? 'simulator' : 'external',
      methodLabel: provider.description,
      why: ctx.simulated
        ? `the server runs against its embedded Graph simulator (--simulate)${ctx.accessTokenIgnored ? `; ${AUTH_ENV.accessToken} is set but ignored, the simulator needs no token` : ''}`
        : 'a token provider supplied by the host',
      kind: provider.delegated ? 'delegated' : 'app-only',
      signedIn: true,
      scopes: [],
      roles: [],
      ...retryVerdictFor(provider.delegated ? 'delegated' : 'app-only', undefined, ctx, undefined),
      ...(ctx.problem ? { problem: ctx.problem } : {}),
    };
  }
  const info = provider.tokenInfo;
  const exp = provider.expiresOnTimestamp;
  // An operator token is in hand from the start; whether it is usable is all there is to know (its expiry may be unknown).
  const signedIn =
    provider instanceof StaticTokenProvider
      ? provider.readyToken() !== undefined
      : info !== undefined && exp !== undefined && exp > Date.now();
  const kind =
    info && info.kind !== 'unknown' ? info.kind : isAppOnlyMethod(provider.method) ? 'app-only' : signedIn ? 'unknown' : 'delegated';
  const pending = provider.pendingSignIn;
  const state = provider.signInState;
  const t = provider.target;
  return {
    method: provider.method,
    methodLabel: AUTH_METHOD_INFO[provider.method].label,
    why: provider.reason,
    kind,
    cloud: t.cloud.name,
    authorityHost: t.authorityHost,
    ...(t.tenantId ? { tenantSetting: t.tenantId } : {}),
    ...(t.clientId ? { clientId: t.clientId } : {}),
    signedIn,
    ...(info?.user ? { user: info.user } : {}),
    ...(info?.tenantId ? { tenantId: info.tenantId } : {}),
    scopes: info?.scopes ?? [],
    roles: info?.roles ?? [],
    ...(exp !== undefined ? { expiresOn: new Date(exp).toISOString() } : {}),
    ...retryVerdictFor(kind, signedIn ? tokenHasPermission(info!, SCOPE_RETRY) : undefined, ctx, provider),
    ...(pending
      ? {
          pendingSignIn: {
            kind: pending.kind,
            message: pending.message,
            ...(pending.kind === 'deviceCode' ? { verificationUri: pending.verificationUri, userCode: pending.userCode } : {}),
            ...(pending.expiresOn ? { expiresOn: pending.expiresOn.toISOString() } : {}),
          },
        }
      : {}),
    ...(state ? { tokenCache: state } : {}),
    ...((ctx.problem ?? provider.lastError) ? { problem: ctx.problem ?? provider.lastError } : {}),
  };
}

function retryVerdictFor(
  kind: AuthStatus['kind'],
  hasRetryScope: boolean | undefined,
  ctx: StatusContext,
  provider: AuthTokenProvider | undefined,
): Pick<AuthStatus, 'retry' | 'retryReason' | 'retryFix'> {
  if (ctx.readOnly) {
    return {
      retry: 'not-allowed',
      retryReason: 'The server runs read-only (CLOUDPC_MCP_READ_ONLY), so the retry tool is not offered.',
      retryFix:
        'Remove CLOUDPC_MCP_READ_ONLY (or --read-only) from the server configuration and restart; sign-in then asks for CloudPC.ReadWrite.All.',
    };
  }
  if (provider instanceof StaticTokenProvider) {
    const verdict = operatorTokenVerdict(provider);
    if (verdict) return verdict;
  }
  if (kind === 'app-only') {
    return {
      retry: 'not-allowed',
      retryReason:
        'The token is app-only (application permissions); Microsoft Graph does not support retrying bulk actions with them. Reads work with CloudPC.Read.All.',
      retryFix: `Sign in as a user: set ${AUTH_ENV.method}=devicecode or browser in the server configuration and restart (or run \`npx cloudpc-mcp login\` in a terminal first).`,
    };
  }
  if (!provider) {
    return { retry: 'allowed', retryReason: 'Delegated token.' };
  }
  const role = "Graph also checks the user's Windows 365 / Intune role (one that allows bulk actions, BulkActions/Write).";
  if (hasRetryScope === true) {
    return { retry: 'allowed', retryReason: `Delegated token with ${SCOPE_RETRY}. ${role}` };
  }
  const t = provider.target;
  if (hasRetryScope === false) {
    const fix =
      provider.method === 'token'
        ? `Supply a token with ${SCOPE_RETRY} in its scp claim in ${AUTH_ENV.accessToken}, or let the server sign in (unset ${AUTH_ENV.accessToken}).`
        : `${consentFix({ method: provider.method, authorityHost: t.authorityHost, ...(t.tenantId ? { tenantId: t.tenantId } : {}), ...(t.clientId ? { clientId: t.clientId } : {}) })} Then sign in again (\`npx cloudpc-mcp logout\`, then \`npx cloudpc-mcp login\`).`;
    return {
      retry: 'not-allowed',
      retryReason: `The token's delegated permissions do not include ${SCOPE_RETRY}: Graph will refuse a retry with 403.`,
      retryFix: fix,
    };
  }
  const consent =
    provider.method === 'browser' || provider.method === 'devicecode'
      ? ` If sign-in then fails with AADSTS65001, an administrator grants consent at ${adminConsentUrl(t.authorityHost, t.tenantId, t.clientId)}.`
      : '';
  return {
    retry: 'unknown',
    retryReason: `Not signed in yet, so the permissions are not known. Sign-in asks for ${t.scope}.${consent}`,
  };
}

/** An operator token that cannot be used, or whose permissions cannot be read; undefined when its claims decide. */
function operatorTokenVerdict(provider: StaticTokenProvider): Pick<AuthStatus, 'retry' | 'retryReason' | 'retryFix'> | undefined {
  if (provider.refusal)
    return { retry: 'not-allowed', retryReason: provider.refusal.reason, retryFix: provider.refusal.fix.replace(/^Fix: /, '') };
  if (provider.readyToken() === undefined) {
    return {
      retry: 'not-allowed',
      retryReason: `The operator token in ${AUTH_ENV.accessToken} has expired; Graph would refuse every call.`,
      retryFix: REPLACE_TOKEN,
    };
  }
  if (provider.tokenInfo.format === 'opaque') {
    return {
      retry: 'unknown',
      retryReason: `The operator token is opaque: its permissions and expiry cannot be read, so Graph decides on the first call (retry needs the delegated ${SCOPE_RETRY}).`,
    };
  }
  return undefined;
}

function headline(s: AuthStatus): string {
  const where = s.cloud ? `, ${s.cloud} cloud` : '';
  if (s.method === 'token') {
    if (!s.signedIn) return `Operator token (${AUTH_ENV.accessToken}) not usable${where}.`;
    if (s.kind === 'unknown' && !s.expiresOn)
      return `Operator token (${AUTH_ENV.accessToken}), opaque: permissions and expiry unknown${where}.`;
  }
  if (s.signedIn) {
    const who = s.user ? `Signed in as ${s.user}` : s.kind === 'app-only' ? 'Signed in as an application' : 'Signed in';
    return `${who}${s.tenantId ? ` (tenant ${s.tenantId})` : ''} with ${s.methodLabel} (${s.kind})${where}.`;
  }
  if (s.pendingSignIn) return `Sign-in pending (${s.methodLabel}${where}): ${s.pendingSignIn.message}`;
  const saved = s.tokenCache?.savedUser
    ? ` A sign-in for ${s.tokenCache.savedUser} was saved, but it cannot be used without the user.`
    : '';
  return `Not signed in (${s.methodLabel}${where}).${saved}${s.problem ? '' : ' Call auth_status with signIn: true, or any other tool, to sign in.'}`;
}

/** A few lines the assistant can relay as they are. */
export function formatAuthStatus(s: AuthStatus): string {
  const lines: string[] = [headline(s)];
  const perms = [...s.scopes, ...s.roles];
  if (s.signedIn && s.expiresOn)
    lines.push(`Token valid until ${s.expiresOn}; permissions: ${perms.length ? perms.join(' ') : 'not shown in the token'}.`);
  // The retry line says the same when the token's refusal is the whole problem.
  if (s.problem && !s.problem.startsWith(s.retryReason)) lines.push(`Problem: ${s.problem}`);
  lines.push(`Retry: ${s.retry}. ${s.retryReason}${s.retryFix ? ` Fix: ${s.retryFix}` : ''}`);
  // A pending prompt already carries the advice.
  if (s.tokenCache) lines.push(s.tokenCache.advice && !s.pendingSignIn ? s.tokenCache.advice : `Between restarts: ${s.tokenCache.summary}`);
  lines.push(`Method chosen because: ${s.why}.`);
  return lines.join('\n');
}
