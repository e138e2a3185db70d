// The auth layer's public surface. Importing it does not load @azure/identity.

export { AUTH_ENV, AUTH_METHODS, AUTH_METHOD_INFO, DEFAULT_DELEGATED_TENANT, DEFAULT_PUBLIC_CLIENT_ID, isAppOnlyMethod, isAuthMethod, isInteractiveMethod, parseAuthMethod } from './methods.js';
export type { AuthKind, AuthMethod, AuthMethodInfo, CredentialMethod } from './methods.js';
export { chooseAuthMethod } from './choose.js';
export type { AuthChoice, ChooseSettings } from './choose.js';
export { describeToken, tokenAudienceMatches, tokenHasPermission } from './tokenClaims.js';
export type { TokenInfo, TokenKind } from './tokenClaims.js';
export { tokenWarnings } from './tokenChecks.js';
export { AuthError, InteractionRequiredError, SignInRequiredError, isAbortError } from './errors.js';
export { adminConsentUrl } from './signInFixes.js';
export { scrub } from './scrub.js';
export type { AuthErrorCode } from './errors.js';
export { createTokenProvider } from './tokenProvider.js';
export type { TokenProviderOptions } from './tokenProvider.js';
export { StaticTokenProvider } from './staticToken.js';
export type { CredentialFactory, CredentialLike, CredentialPrompt, CredentialSpec } from './credentials.js';
export type { AuthSettings, AuthTarget, AuthTokenProvider, SignInHooks, SignInPrompt, SignInState } from './types.js';
export { buildAuthStatus, formatAuthStatus, isAuthTokenProvider } from './status.js';
export type { AuthStatus, RetryVerdict } from './status.js';
export { TOKEN_CACHE_SETTINGS, parseTokenCacheSetting } from './tokenCachePlan.js';
export type { TokenCacheKind, TokenCacheSetting } from './tokenCachePlan.js';
export { signOut } from './signOut.js';
export type { SignOutResult } from './signOut.js';
