// The errors the auth layer throws. Messages are shown to the user as tool results, so each one names the method,
// says what happened and what to do, and never carries a token, secret or assertion (see entraErrors/signInErrors.ts
// and entraErrors/oboErrors.ts for how an identity library's failure becomes one).

import type { AuthMethod } from './methods.js';
import type { SignInPrompt } from './authTypes.js';

export type AuthErrorCode =
  | 'invalid_configuration'
  | 'sign_in_required'
  | 'sign_in_timeout'
  | 'sign_in_cancelled'
  | 'sign_in_failed'
  | 'interaction_required'
  | 'consent_required'
  | 'app_not_found'
  | 'tenant_not_found'
  | 'account_not_supported'
  | 'mfa_required'
  | 'conditional_access'
  | 'reauthentication_required'
  | 'invalid_client_credential'
  | 'invalid_certificate_file'
  | 'federation_failed'
  | 'tool_not_installed'
  | 'not_signed_in'
  | 'credential_unavailable'
  | 'token_expired'
  | 'network'
  | 'unknown';

export class AuthError extends Error {
  override readonly name: string = 'AuthError';
  readonly code: AuthErrorCode;
  readonly method: Exclude<AuthMethod, 'auto'> | undefined;
  /** The AADSTS number found in the identity error, e.g. '65001'. */
  readonly aadsts: string | undefined;

  constructor(code: AuthErrorCode, message: string, opts: { method?: Exclude<AuthMethod, 'auto'>; aadsts?: string } = {}) {
    super(message);
    this.code = code;
    this.method = opts.method;
    this.aadsts = opts.aadsts;
  }
}

/**
 * Thrown by getToken when the user has to act (enter a device code, finish a browser sign-in). The sign-in keeps
 * running in the background: the tool should return `prompt.message` as its result, and the next call succeeds
 * once the user has completed it.
 */
export class SignInRequiredError extends AuthError {
  override readonly name = 'SignInRequiredError';
  readonly prompt: SignInPrompt;
  /** True when this prompt was already given out before and the user has not completed it yet. */
  readonly stillWaiting: boolean;

  constructor(prompt: SignInPrompt, stillWaiting: boolean, method?: Exclude<AuthMethod, 'auto'>) {
    super('sign_in_required', (stillWaiting ? 'Still waiting for sign-in. ' : '') + prompt.message, method ? { method } : {});
    this.prompt = prompt;
    this.stillWaiting = stillWaiting;
  }
}

/** Only the user can get a token now (first sign-in, or the saved one expired); thrown when asked not to prompt. */
export class InteractionRequiredError extends AuthError {
  override readonly name = 'InteractionRequiredError';

  constructor(message: string, method?: Exclude<AuthMethod, 'auto'>) {
    super('interaction_required', message, method ? { method } : {});
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
