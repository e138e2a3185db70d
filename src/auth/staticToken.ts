// A token handed over by the operator. It is never refreshed and never shown: it lives in a private field so
// JSON.stringify and util.inspect of the provider cannot reveal it, and messages describe it by its claims only.

import { CLOUDS, SCOPE_RETRY, delegatedScope, type CloudInfo } from '../graph/clouds.js';
import { silentLogger, type Logger } from '../core/log.js';
import { AuthError } from './errors.js';
import { AUTH_ENV, AUTH_METHOD_INFO } from './methods.js';
import { describeToken, type TokenInfo } from './tokenClaims.js';
import { tokenWarnings } from './tokenChecks.js';
import type { AuthTarget, AuthTokenProvider } from './types.js';

export interface StaticTokenOptions {
  cloud?: CloudInfo;
  logger?: Logger;
  reason?: string;
  target?: AuthTarget;
  now?: () => number;
}

export class StaticTokenProvider implements AuthTokenProvider {
  readonly method = 'token' as const;
  readonly reason: string;
  readonly description: string;
  readonly delegated: boolean;
  readonly tokenInfo: TokenInfo;
  readonly pendingSignIn = undefined;
  readonly signInState = undefined;
  readonly lastError = undefined;
  readonly target: AuthTarget;
  readonly #token: string;
  readonly #now: () => number;

  constructor(token: string, options: StaticTokenOptions = {}) {
    // Operators often paste the whole header value.
    const t = (token ?? '').trim().replace(/^bearer\s+/i, '');
    if (t === '' || /\s/.test(t)) {
      throw new AuthError(
        'invalid_configuration',
        `${AUTH_ENV.accessToken} must hold one access token (no spaces)${t === '' ? '; it is empty' : ''}.`,
        { method: 'token' },
      );
    }
    this.#token = t;
    this.#now = options.now ?? Date.now;
    this.reason = options.reason ?? `${AUTH_ENV.accessToken} is set`;
    const cloud = options.cloud ?? CLOUDS.global;
    this.target = options.target ?? { cloud, authorityHost: cloud.authorityHost, scope: delegatedScope(cloud, SCOPE_RETRY) };
    this.tokenInfo = describeToken(t);
    // An opaque token gives no answer; the operator asked for it to be used as a user token.
    this.delegated = this.tokenInfo.kind !== 'app-only';
    this.description = `${AUTH_METHOD_INFO.token.label} (${this.delegated ? 'delegated' : 'app-only'})`;
    const logger = options.logger ?? silentLogger;
    for (const w of tokenWarnings(this.tokenInfo, options.cloud ?? CLOUDS.global, this.#now())) logger.warn(w);
  }

  get expiresOnTimestamp(): number | undefined {
    return this.tokenInfo.expiresOnTimestamp;
  }

  /** Never needs a person: the same as getToken. */
  getTokenSilently(signal?: AbortSignal): Promise<string> {
    return this.getToken(signal);
  }

  readyToken(): string | undefined {
    const exp = this.tokenInfo.expiresOnTimestamp;
    return exp !== undefined && this.#now() >= exp ? undefined : this.#token;
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const token = this.readyToken();
    if (token !== undefined) return token;
    throw new AuthError(
      'token_expired',
      `${AUTH_METHOD_INFO.token.label}: the token in ${AUTH_ENV.accessToken} expired at ${new Date(this.tokenInfo.expiresOnTimestamp!).toISOString()}. Supply a fresh token, or choose another method with ${AUTH_ENV.method}.`,
      { method: 'token' },
    );
  }

  toJSON(): Record<string, unknown> {
    return { method: this.method, description: this.description, delegated: this.delegated };
  }
}
