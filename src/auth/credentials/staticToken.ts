// A token handed over by the operator. It is never refreshed and never shown: it lives in a private field so
// JSON.stringify and util.inspect of the provider cannot reveal it, and messages describe it by its claims only.

import { CLOUDS, SCOPE_RETRY, delegatedScope, type CloudInfo } from '../../graph/clouds.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { AuthError } from '../authErrors.js';
import { AUTH_ENV, AUTH_METHOD_INFO } from '../methods.js';
import { describeToken, tokenAudienceMatches, type TokenInfo } from '../tokenClaims.js';
import { tokenWarnings } from '../tokenClaims.js';
import type { AuthTarget, AuthTokenProvider } from '../authTypes.js';

export interface StaticTokenOptions {
  cloud?: CloudInfo;
  logger?: Logger;
  reason?: string;
  target?: AuthTarget;
  now?: () => number;
}

/** Why the token is not used at all, and what to do instead; decided once, from its claims. */
export interface TokenRefusal {
  reason: string;
  fix: string;
}

export class StaticTokenProvider implements AuthTokenProvider {
  readonly method = 'token' as const;
  readonly reason: string;
  readonly description: string;
  readonly delegated: boolean;
  readonly tokenInfo: TokenInfo;
  readonly pendingSignIn = undefined;
  readonly signInState = undefined;
  /** Set when the token is for another cloud or resource: it is never sent, and every call says why. */
  readonly refusal: TokenRefusal | undefined;
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
    this.refusal = audienceRefusal(this.tokenInfo, cloud);
    const logger = options.logger ?? silentLogger;
    if (this.refusal) logger.error(`${this.refusal.reason} ${this.refusal.fix}`);
    else for (const w of tokenWarnings(this.tokenInfo, cloud, this.#now())) logger.warn(w);
  }

  get lastError(): string | undefined {
    return this.refusal && `${this.refusal.reason} ${this.refusal.fix}`;
  }

  get expiresOnTimestamp(): number | undefined {
    return this.tokenInfo.expiresOnTimestamp;
  }

  /** Never needs a person: the same as getToken. */
  getTokenSilently(signal?: AbortSignal): Promise<string> {
    return this.getToken(signal);
  }

  readyToken(): string | undefined {
    if (this.refusal) return undefined;
    const exp = this.tokenInfo.expiresOnTimestamp;
    return exp !== undefined && this.#now() >= exp ? undefined : this.#token;
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    if (this.refusal) throw new AuthError('invalid_configuration', this.lastError!, { method: 'token' });
    const token = this.readyToken();
    if (token !== undefined) return token;
    throw new AuthError(
      'token_expired',
      `${AUTH_METHOD_INFO.token.label}: the token in ${AUTH_ENV.accessToken} expired at ${new Date(this.tokenInfo.expiresOnTimestamp!).toISOString()}. ${REPLACE_TOKEN}`,
      { method: 'token' },
    );
  }

  toJSON(): Record<string, unknown> {
    return { method: this.method, description: this.description, delegated: this.delegated };
  }
}

/** What to do about an operator token that Graph will not take: the server never gets a new one itself. */
export const REPLACE_TOKEN = `Put a fresh Microsoft Graph token in ${AUTH_ENV.accessToken} and restart the server, or remove ${AUTH_ENV.accessToken} to let the server sign in itself.`;

/**
 * A token issued for another cloud's Graph, or for another resource, is refused before it is sent: Graph would answer
 * 401, and the token would have gone to a service it was not meant for.
 */
export function audienceRefusal(info: TokenInfo, cloud: CloudInfo): TokenRefusal | undefined {
  if (tokenAudienceMatches(info, cloud.scopeHost) !== false) return undefined;
  const aud = info.audience!.replace(/\/+$/, '').toLowerCase();
  const other = Object.values(CLOUDS).find((c) => c.scopeHost.toLowerCase() === aud);
  const configured = `the server is configured for the ${cloud.label} cloud (CLOUDPC_MCP_CLOUD=${cloud.name}, ${cloud.scopeHost})`;
  if (other) {
    return {
      reason: `${AUTH_ENV.accessToken} holds a token for Microsoft Graph in the ${other.label} cloud (${other.scopeHost}), but ${configured}; it was not sent.`,
      fix: `Fix: if the tenant is in the ${other.label} cloud, set CLOUDPC_MCP_CLOUD=${other.name}; otherwise supply a token for ${cloud.scopeHost}.`,
    };
  }
  return {
    reason: `${AUTH_ENV.accessToken} holds a token for ${info.audience}, not for Microsoft Graph; ${configured}, and the token was not sent.`,
    fix: `Fix: supply a Microsoft Graph token for ${cloud.scopeHost} (for example from \`az account get-access-token --resource ${cloud.scopeHost}\`).`,
  };
}
