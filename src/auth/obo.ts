// Graph tokens on behalf of each signed-in caller (OAuth 2.0 on-behalf-of): the caller's token for this server is the
// assertion, Entra answers with a Graph token for the same user, so a retry runs with that user's permissions and
// shows under their name in Intune's audit log. One token cache per user (tid + oid), bounded, shared by every request
// and every replica-local connection; the caller's own token never reaches Graph.
import type { AccessToken, TokenProvider } from '../graph/types.js';
import type { EntraConfig } from '../config/http.js';
import type { Logger } from '../core/log.js';
import { AuthError, scrub, type AuthErrorCode } from './errors.js';
import { BulkActionCache } from '../graph/bulkActions.js';
import type { Caller } from './caller.js';

/** Exchanges a caller token for a Graph token. Tests inject a fake; the default uses @azure/identity. */
export type OboExchange = (assertion: string) => Promise<AccessToken>;

export function identityOboExchange(entra: EntraConfig, graphScope: string): OboExchange {
  return async (assertion) => {
    // Loaded on the first exchange only: MSAL and the Azure core pipeline are large, and a server that only ever
    // refuses requests never needs them.
    const { OnBehalfOfCredential } = await import('@azure/identity');
    const options = {
      tenantId: entra.tenantId,
      clientId: entra.clientId,
      userAssertionToken: assertion,
      authorityHost: entra.authorityHost,
      disableInstanceDiscovery: entra.disableInstanceDiscovery,
    };
    try {
      const credential = entra.clientSecret
        ? new OnBehalfOfCredential({ ...options, clientSecret: entra.clientSecret })
        : new OnBehalfOfCredential({ ...options, certificatePath: entra.certificatePath ?? '' });
      return await credential.getToken(graphScope);
    } catch (err) {
      throw oboError(err, entra, graphScope, [assertion, entra.clientSecret ?? '']);
    }
  };
}

export interface UserSession {
  tokens: TokenProvider;
  /** Per user: what one user's token could read must never save another user a Graph read. */
  bulkActionCache: BulkActionCache;
}

export interface UserSessionsOptions {
  exchange: OboExchange;
  logger: Logger;
  /** Users kept at once; the least recently seen is dropped first. Default 1000. */
  maxUsers?: number;
  now?: () => number;
  /** Exchange again this long before the Graph token expires. Default 5 minutes. */
  refreshMarginMs?: number;
}

export class UserSessions {
  readonly #sessions = new Map<string, { provider: OboTokenProvider; session: UserSession }>();
  readonly #opts: Required<Omit<UserSessionsOptions, 'logger' | 'exchange'>> & Pick<UserSessionsOptions, 'logger' | 'exchange'>;

  constructor(opts: UserSessionsOptions) {
    this.#opts = { maxUsers: 1000, now: Date.now, refreshMarginMs: 5 * 60_000, ...opts };
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The caller's session, fed with their latest validated token so an exchange always uses a live assertion. */
  forCaller(caller: Caller): UserSession {
    const key = `${caller.tid.toLowerCase()}:${caller.oid.toLowerCase()}`;
    let entry = this.#sessions.get(key);
    if (entry) {
      this.#sessions.delete(key);
    } else {
      const provider = new OboTokenProvider(caller.upn ?? caller.oid, this.#opts);
      entry = { provider, session: { tokens: provider, bulkActionCache: new BulkActionCache() } };
    }
    this.#sessions.set(key, entry);
    entry.provider.useAssertion(caller.assertion);
    while (this.#sessions.size > this.#opts.maxUsers) this.#sessions.delete(this.#sessions.keys().next().value!);
    return entry.session;
  }
}

class OboTokenProvider implements TokenProvider {
  readonly delegated = true;
  readonly description: string;
  #assertion = '';
  #cached: AccessToken | undefined;
  #inflight: Promise<AccessToken> | undefined;

  constructor(
    private readonly user: string,
    private readonly opts: { exchange: OboExchange; logger: Logger; now: () => number; refreshMarginMs: number },
  ) {
    this.description = `Entra on-behalf-of ${user}`;
  }

  useAssertion(assertion: string): void {
    this.#assertion = assertion;
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const cached = this.#cached;
    if (cached && this.opts.now() < cached.expiresOnTimestamp - this.opts.refreshMarginMs) return cached.token;
    // Concurrent calls of one user share one exchange; a caller that gives up does not cancel it for the others.
    this.#inflight ??= this.#exchange();
    return (await abortable(this.#inflight, signal)).token;
  }

  async #exchange(): Promise<AccessToken> {
    try {
      const token = await this.opts.exchange(this.#assertion);
      this.#cached = token;
      this.opts.logger.info('auth: on-behalf-of Graph token acquired', { user: this.user, expiresOn: new Date(token.expiresOnTimestamp).toISOString() });
      return token;
    } catch (err) {
      this.opts.logger.warn('auth: on-behalf-of exchange failed', { user: this.user, error: (err as Error)?.message ?? String(err) });
      throw err;
    } finally {
      this.#inflight = undefined;
    }
  }
}

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** What went wrong in the exchange, said for the person who can fix it; never carries the assertion or the secret. */
export function oboError(err: unknown, entra: EntraConfig, graphScope: string, secrets: readonly string[]): AuthError {
  const raw = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const aadsts = /AADSTS(\d{5,7})/.exec(raw)?.[1];
  const detail = scrub(raw.split('\n')[0] ?? '', secrets);
  const [code, text] = explain(aadsts, raw, entra, graphScope.split('/').pop() ?? graphScope);
  return new AuthError(code, `On-behalf-of sign-in to Microsoft Graph failed: ${text} Details: ${detail}`, aadsts ? { aadsts } : {});
}

function explain(aadsts: string | undefined, raw: string, entra: EntraConfig, permission: string): [AuthErrorCode, string] {
  switch (aadsts) {
    case '65001':
    case '65004':
      return [
        'consent_required',
        `the server's app registration (${entra.clientId}) has no consent for the delegated Microsoft Graph permission ${permission}. An administrator grants it once: Entra admin center → App registrations → the server app → API permissions → Grant admin consent.`,
      ];
    case '50076':
    case '50079':
    case '50158':
    case '53003':
      return [
        'conditional_access',
        'Microsoft Graph asks more of this sign-in (multi-factor authentication or a Conditional Access policy) than the sign-in the client made. Sign out of the connection in the client and sign in again.',
      ];
    case '500133':
    case '50013':
    case '50173':
    case '70043':
      return ['reauthentication_required', 'the sign-in has expired or was revoked. Sign in again in the client.'];
    case '7000215':
    case '7000222':
    case '700027':
    case '50012':
      return [
        'invalid_client_credential',
        "the server's client secret or certificate was rejected (wrong, expired, or the secret's ID given instead of its value). The operator fixes AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH.",
      ];
    case '700016':
      return ['app_not_found', `application ${entra.clientId} was not found in tenant ${entra.tenantId}. The operator checks AZURE_CLIENT_ID and AZURE_TENANT_ID.`];
    default:
      break;
  }
  if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|certificate|self[- ]signed/i.test(raw)) {
    return ['network', `could not reach ${entra.authorityHost}. The operator checks the network, proxy and AZURE_AUTHORITY_HOST.`];
  }
  return ['sign_in_failed', 'Entra refused the exchange. Try again; if it persists, the operator checks the server log.'];
}
