// Graph tokens on behalf of each signed-in caller (OAuth 2.0 on-behalf-of): the caller's token for this server is the
// assertion, Entra answers with a Graph token for the same user, so a retry runs with that user's permissions and
// shows under their name in Intune's audit log. One token cache per user (tid + oid), bounded, shared by every request
// and every replica-local connection; the caller's own token never reaches Graph.
import type { AccessToken, TokenProvider } from '../../graph/types.js';
import type { EntraConfig } from '../../config/http.js';
import type { Logger } from '../../core/log.js';
import { BulkActionCache } from '../../graph/bulkActions.js';
import { checkCertificateFile } from './certificateFile.js';
import { oboDeadlineError, oboError } from '../entraErrors/oboErrors.js';
import { createEntraErrorCapture } from '../entraErrors/serverErrors.js';

/** Exchanges a caller token for a Graph token, giving up when `signal` aborts. Tests inject a fake; the default uses @azure/identity. */
export type OboExchange = (assertion: string, signal?: AbortSignal) => Promise<AccessToken>;

export function identityOboExchange(entra: EntraConfig, graphScope: string): OboExchange {
  const exchange: OboExchange = async (assertion, signal) => {
    // Loaded on the first exchange only: MSAL and the Azure core pipeline are large, and a server that only ever
    // refuses requests never needs them.
    const { OnBehalfOfCredential } = await import('@azure/identity');
    const capture = createEntraErrorCapture();
    const options = {
      tenantId: entra.tenantId,
      clientId: entra.clientId,
      userAssertionToken: assertion,
      authorityHost: entra.authorityHost,
      disableInstanceDiscovery: entra.disableInstanceDiscovery,
      additionalPolicies: [capture.policy],
    };
    const mark = capture.mark();
    try {
      if (!entra.clientSecret) await checkCertificateFile(entra.certificatePath ?? '');
      const credential = entra.clientSecret
        ? new OnBehalfOfCredential({ ...options, clientSecret: entra.clientSecret })
        : new OnBehalfOfCredential({ ...options, certificatePath: entra.certificatePath ?? '' });
      return await credential.getToken(graphScope, signal ? { abortSignal: signal } : {});
    } catch (err) {
      throw oboError(capture.explain(err, mark), entra, graphScope, [assertion, entra.clientSecret ?? '']);
    }
  };
  return withDeadline(exchange, entra.oboTimeoutMs, (ms) => oboDeadlineError(ms, entra));
}

/**
 * The exchange, bounded: after `timeoutMs` it rejects with `onTimeout(timeoutMs)` and aborts the request underneath,
 * so a user whose exchange hung gets an answer, and their next call starts a fresh exchange.
 */
export function withDeadline(exchange: OboExchange, timeoutMs: number, onTimeout: (timeoutMs: number) => Error): OboExchange {
  return (assertion, signal) =>
    new Promise<AccessToken>((resolve, reject) => {
      const controller = new AbortController();
      const forward = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', forward, { once: true });
      const timer = setTimeout(() => {
        reject(onTimeout(timeoutMs));
        controller.abort();
      }, timeoutMs);
      exchange(assertion, controller.signal)
        .then(resolve, reject)
        .finally(() => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', forward);
        });
    });
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
      this.opts.logger.info('auth: on-behalf-of Graph token acquired', {
        user: this.user,
        expiresOn: new Date(token.expiresOnTimestamp).toISOString(),
      });
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
    const onAbort = () => reject((signal.reason as Error | undefined) ?? new DOMException('The operation was aborted.', 'AbortError'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on p's own rejection as it is
        reject(e);
      },
    );
  });
}

// Who called, in remote mode: the identity everything kept per user (Graph tokens, caches, plans) is keyed by.
export interface Caller {
  /** Entra object id of the user: with tid, the key of everything kept per user. */
  oid: string;
  tid: string;
  /** UPN (or preferred_username) for audit lines; absent for some guest accounts. */
  upn?: string;
  /** The validated token, to be exchanged on behalf of the user. Never logged. */
  assertion: string;
  /** Epoch ms when the caller's token expires. */
  expiresAt: number;
}
