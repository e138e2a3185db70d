// The auth layer's public surface. Importing it does not load @azure/identity.

export { AUTH_ENV, AUTH_METHODS, AUTH_METHOD_INFO, DEFAULT_DELEGATED_TENANT, DEFAULT_PUBLIC_CLIENT_ID, isAppOnlyMethod, isAuthMethod, isInteractiveMethod, parseAuthMethod } from './methods.js';
export type { AuthKind, AuthMethod, AuthMethodInfo, CredentialMethod } from './methods.js';
export { chooseAuthMethod } from './choose.js';
export type { AuthChoice, ChooseSettings } from './choose.js';
export { describeToken, tokenAudienceMatches, tokenHasPermission } from './tokenClaims.js';
export type { TokenInfo, TokenKind } from './tokenClaims.js';
export { tokenWarnings } from './tokenChecks.js';
export { AuthError, SignInRequiredError, isAbortError, scrub } from './errors.js';
export type { AuthErrorCode } from './errors.js';
export { createTokenProvider } from './tokenProvider.js';
export type { TokenProviderOptions } from './tokenProvider.js';
export { StaticTokenProvider } from './staticToken.js';
export type { CredentialFactory, CredentialLike, CredentialPrompt, CredentialSpec } from './credentials.js';
export type { AuthSettings, AuthTokenProvider, SignInHooks, SignInPrompt } from './types.js';
