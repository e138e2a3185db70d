// The token provider for a sign-in setting: a static operator token, or a credential behind one token cache
// (credentials/credentialTokenProvider.ts). @azure/identity is not imported here: credentials/identityCredentials.ts
// loads it on the first token request.

import type { Logger } from '../core/log.js';
import { CredentialTokenProvider, type CredentialProviderOptions } from './credentials/credentialTokenProvider.js';
import { AuthError } from './authErrors.js';
import { AUTH_ENV, AUTH_METHOD_INFO, type CredentialMethod } from './methods.js';
import { resolveAuth, targetOf, type ResolvedAuth } from './resolveAuth.js';
import { StaticTokenProvider } from './credentials/staticToken.js';
import type { AuthSettings, AuthTokenProvider, SignInHooks } from './authTypes.js';

export { AuthError, InteractionRequiredError, SignInRequiredError } from './authErrors.js';
export { StaticTokenProvider } from './credentials/staticToken.js';
export type { AuthSettings, AuthTarget, AuthTokenProvider, SignInHooks, SignInPrompt, SignInState } from './authTypes.js';
export type TokenProviderOptions = CredentialProviderOptions;

export function createTokenProvider(
  settings: AuthSettings,
  logger: Logger,
  hooks?: SignInHooks,
  options: TokenProviderOptions = {},
): AuthTokenProvider {
  const resolved = resolveAuth(settings);
  logger.info(`auth: ${AUTH_METHOD_INFO[resolved.method].label}`, {
    method: resolved.method,
    reason: resolved.reason,
    cloud: resolved.cloud.name,
  });
  if (resolved.method === 'token') {
    const token = settings.accessToken ?? resolved.env[AUTH_ENV.accessToken];
    if (!token?.trim()) {
      throw new AuthError(
        'invalid_configuration',
        `${AUTH_METHOD_INFO.token.label}: set ${AUTH_ENV.accessToken}, or choose another method with ${AUTH_ENV.method}.`,
        {
          method: 'token',
        },
      );
    }
    return new StaticTokenProvider(token, {
      cloud: resolved.cloud,
      logger,
      reason: resolved.reason,
      target: targetOf(resolved),
      ...(options.now ? { now: options.now } : {}),
    });
  }
  return new CredentialTokenProvider(resolved as ResolvedAuth & { method: CredentialMethod }, logger, hooks, options);
}
