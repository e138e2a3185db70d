// A token provider in front of one @azure/identity credential: one token cache, one shared in-flight request
// (signInFlow.ts) that callers join, a prompt handed to every waiting caller when the user is needed, and a refresh
// that keeps using the current token while it still has time to live.

import type { AccessToken } from '../../graph/types.js';
import type { Logger } from '../../core/log.js';
import { identityCredentialFactory, type CredentialFactory, type CredentialLike, type CredentialPrompt } from './identityCredentials.js';
import { AuthError, InteractionRequiredError, SignInRequiredError, isAbortError } from '../authErrors.js';
import { AUTH_METHOD_INFO, type CredentialMethod } from '../methods.js';
import { targetOf, type ResolvedAuth } from '../resolveAuth.js';
import { scrub } from '../entraErrors/scrub.js';
import { SignInFlow } from './signInFlow.js';
import { buildSignInPrompt } from './signInFlow.js';
import { errorContextOf, toAuthError, type AuthErrorContext } from '../entraErrors/signInErrors.js';
import type { SignInStore } from '../persistence/signInStore.js';
import { describeToken, type TokenInfo } from '../tokenClaims.js';
import { tokenWarnings } from '../tokenClaims.js';
import type { AuthTarget, AuthTokenProvider, SignInHooks, SignInPrompt, SignInState } from '../authTypes.js';

export interface CredentialProviderOptions {
  /** Builds the credential; tests inject fakes. Default: @azure/identity, imported lazily. */
  credentialFactory?: CredentialFactory;
  now?: () => number;
  /** Refresh this long before expiry. Default 5 minutes. */
  refreshMarginMs?: number;
  /** How long a call that finds a sign-in already pending waits for the user before repeating the prompt. Default 20 s. */
  pendingSignInWaitMs?: number;
  /** How long a prompted sign-in may stay open. Default 15 minutes, the lifetime of an Entra device code. */
  signInTimeoutMs?: number;
}

const DEFAULTS = { refreshMarginMs: 5 * 60_000, pendingSignInWaitMs: 20_000, signInTimeoutMs: 15 * 60_000 };
// While the old token still has this long to live, a failed refresh is logged and the old token used.
const MIN_USABLE_MS = 60_000;
// A token with no expiry information is treated as short-lived rather than kept forever.
const UNKNOWN_EXPIRY_MS = 10 * 60_000;

export class CredentialTokenProvider implements AuthTokenProvider {
  readonly method: CredentialMethod;
  readonly reason: string;
  readonly target: AuthTarget;
  readonly #auth: ResolvedAuth & { method: CredentialMethod };
  readonly #logger: Logger;
  readonly #hooks: SignInHooks | undefined;
  readonly #factory: CredentialFactory;
  readonly #now: () => number;
  readonly #opts: typeof DEFAULTS;
  readonly #errorContext: AuthErrorContext;
  #delegated: boolean;
  #info: TokenInfo | undefined;
  #cached: AccessToken | undefined;
  #flow: SignInFlow | undefined;
  #lastFailure: Error | undefined;
  #credential: Promise<CredentialLike> | undefined;
  #store: SignInStore | undefined;
  #lastError: string | undefined;

  constructor(
    auth: ResolvedAuth & { method: CredentialMethod },
    logger: Logger,
    hooks: SignInHooks | undefined,
    options: CredentialProviderOptions,
  ) {
    this.#auth = auth;
    this.method = auth.method;
    this.reason = auth.reason;
    this.target = targetOf(auth);
    this.#logger = logger;
    this.#hooks = hooks;
    this.#factory = options.credentialFactory ?? identityCredentialFactory;
    this.#now = options.now ?? Date.now;
    this.#opts = {
      refreshMarginMs: options.refreshMarginMs ?? DEFAULTS.refreshMarginMs,
      pendingSignInWaitMs: options.pendingSignInWaitMs ?? DEFAULTS.pendingSignInWaitMs,
      signInTimeoutMs: options.signInTimeoutMs ?? DEFAULTS.signInTimeoutMs,
    };
    this.#delegated = auth.delegated;
    this.#errorContext = errorContextOf(auth);
  }

  get delegated(): boolean {
    return this.#delegated;
  }

  get description(): string {
    const who = this.#delegated ? 'delegated, signed-in user' : 'app-only';
    return `${AUTH_METHOD_INFO[this.method].label} (${who})`;
  }

  get tokenInfo(): TokenInfo | undefined {
    return this.#info;
  }

  get pendingSignIn(): SignInPrompt | undefined {
    const flow = this.#flow;
    return flow && !flow.settled ? flow.prompt : undefined;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  get expiresOnTimestamp(): number | undefined {
    return this.#cached?.expiresOnTimestamp;
  }

  get signInState(): SignInState | undefined {
    const store = this.#store;
    if (!store) return undefined;
    const { plan } = store;
    return {
      setting: plan.setting,
      tokenCache: plan.kind,
      summary: plan.summary,
      ...(plan.advice ? { advice: plan.advice } : {}),
      ...(store.saved ? { savedUser: store.saved.username } : {}),
      ...(plan.saveRecord ? { recordFile: store.recordFile } : {}),
    };
  }

  async getTokenSilently(signal?: AbortSignal): Promise<string | undefined> {
    signal?.throwIfAborted();
    const ready = this.readyToken();
    if (ready !== undefined) return ready;
    const cached = this.#cached;
    const flow = this.#flow;
    if (flow?.prompt) return cached && this.#now() < cached.expiresOnTimestamp ? cached.token : undefined;
    if (flow) {
      try {
        return await flow.wait(signal, this.#opts.pendingSignInWaitMs);
      } catch (err) {
        if (err instanceof SignInRequiredError) return undefined;
        throw err;
      }
    }
    try {
      const credential = await this.#getCredential();
      const token = await credential.getToken(this.#auth.scope, { ...(signal ? { abortSignal: signal } : {}), interactive: false });
      if (!token?.token) return undefined;
      this.#accept(token);
      return token.token;
    } catch (err) {
      if (err instanceof InteractionRequiredError) return undefined;
      throw toAuthError(err, this.#errorContext);
    }
  }

  readyToken(): string | undefined {
    const cached = this.#cached;
    return cached && this.#now() < cached.expiresOnTimestamp - this.#opts.refreshMarginMs ? cached.token : undefined;
  }

  async getToken(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const ready = this.readyToken();
    if (ready !== undefined) return ready;
    const cached = this.#cached;
    const now = this.#now();
    const usable = cached !== undefined && now < cached.expiresOnTimestamp - MIN_USABLE_MS;
    // The user has a sign-in to finish; do not hold calls up while the old token still works.
    if (usable && this.#flow?.prompt) return cached.token;
    if (!this.#flow && this.#lastFailure) {
      const failure = this.#lastFailure;
      this.#lastFailure = undefined;
      if (!usable) throw failure;
      this.#logger.warn('auth: token refresh failed; using the current token until it expires', { error: failure.message });
      return cached.token;
    }
    const flow = this.#flow ?? this.#start();
    if (!usable) return flow.wait(signal, this.#opts.pendingSignInWaitMs);
    try {
      return await flow.wait(signal, this.#opts.pendingSignInWaitMs);
    } catch (err) {
      if (signal?.aborted) throw err;
      this.#logger.warn('auth: token refresh did not complete; using the current token until it expires', {
        error: (err as Error).message,
      });
      return cached.token;
    }
  }

  toJSON(): Record<string, unknown> {
    return { method: this.method, description: this.description, delegated: this.delegated };
  }

  #start(): SignInFlow {
    const flow = new SignInFlow(this.method, {
      onToken: (token) => this.#accept(token),
      onSettled: (settled, token, error) => {
        if (this.#flow === settled) this.#flow = undefined;
        if (token || !error) return;
        if (!isAbortError(error)) this.#lastError = error.message;
        if (settled.prompt && settled.waiters === 0 && !isAbortError(error)) this.#lastFailure = error;
        if (settled.prompt) this.#logger.warn('auth: sign-in did not complete', { method: this.method, error: error.message });
      },
    });
    this.#flow = flow;
    this.#acquire(flow.controller.signal).then(
      (token) => flow.finish(token),
      (err: unknown) => flow.finish(undefined, toAuthError(err, this.#errorContext)),
    );
    return flow;
  }

  async #acquire(signal: AbortSignal): Promise<AccessToken> {
    const credential = await this.#getCredential();
    const token = await credential.getToken(this.#auth.scope, { abortSignal: signal });
    if (!token || typeof token.token !== 'string' || token.token === '') {
      throw new AuthError('sign_in_failed', `${AUTH_METHOD_INFO[this.method].label}: the credential returned no token.`, {
        method: this.method,
      });
    }
    return token;
  }

  #getCredential(): Promise<CredentialLike> {
    if (!this.#credential) {
      const a = this.#auth;
      const created = Promise.resolve().then(() =>
        this.#factory({
          method: a.method,
          authorityHost: a.authorityHost,
          disableInstanceDiscovery: a.disableInstanceDiscovery,
          env: a.env,
          onPrompt: (p) => this.#onPrompt(p),
          onStore: (store) => this.#onStore(store),
          logger: this.#logger,
          ...(a.signInStore ? { signInStore: a.signInStore } : {}),
          ...(a.tenantId ? { tenantId: a.tenantId } : {}),
          ...(a.clientId ? { clientId: a.clientId } : {}),
        }),
      );
      // The credential holds the sign-in cache, so it is built once; only a failed build is retried.
      this.#credential = created;
      created.catch(() => {
        if (this.#credential === created) this.#credential = undefined;
      });
    }
    return this.#credential;
  }

  #onPrompt(raw: CredentialPrompt): void {
    const flow = this.#flow;
    if (!flow || flow.settled) {
      // A request every caller abandoned may still reach the prompt; showing it would send the user nowhere.
      this.#logger.debug('auth: ignoring a sign-in prompt from an abandoned request');
      return;
    }
    const expiresOn = new Date(this.#now() + this.#opts.signInTimeoutMs);
    const plan = this.#store?.plan;
    const note =
      plan?.advice ??
      (plan?.kind === 'unencrypted-file' ? 'The sign-in will be kept, unencrypted, in a file only your user can read.' : undefined);
    const prompt = buildSignInPrompt(raw, this.#auth.cloud, expiresOn, note);
    this.#logger.info('auth: sign-in required', {
      method: this.method,
      ...(prompt.kind === 'deviceCode' ? { verificationUri: prompt.verificationUri, userCode: prompt.userCode } : {}),
      expiresOn: expiresOn.toISOString(),
    });
    try {
      this.#hooks?.onPrompt?.(prompt);
    } catch (err) {
      this.#logger.warn('auth: onPrompt hook failed', { error: scrub(String((err as Error)?.message ?? err)) });
    }
    flow.prompted(prompt, this.#opts.signInTimeoutMs, () => {
      const minutes = Math.round(this.#opts.signInTimeoutMs / 60_000);
      const text = `${AUTH_METHOD_INFO[this.method].label}: the sign-in was not completed within ${minutes} minutes. Call the tool again to start a new sign-in.`;
      return new AuthError('sign_in_timeout', text, { method: this.method });
    });
  }

  #onStore(store: SignInStore): void {
    this.#store = store;
    const { plan } = store;
    if (plan.warning) this.#logger.warn(`auth: ${plan.warning}`);
    else if (plan.kind === 'memory') this.#logger.warn(`auth: ${plan.advice ?? plan.summary}`);
    else this.#logger.info(`auth: ${plan.summary}`);
    if (store.saved) this.#logger.info('auth: found a saved sign-in', { user: store.saved.username, file: store.recordFile });
    if (store.leftover) {
      this.#logger.warn(
        `auth: an unencrypted token cache from an earlier start is still on disk and no longer used: ${store.leftover}. \`cloudpc-mcp logout\` removes it.`,
      );
    }
  }

  #accept(token: AccessToken): void {
    const info = describeToken(token.token);
    const now = this.#now();
    const expiresOnTimestamp =
      Number.isFinite(token.expiresOnTimestamp) && token.expiresOnTimestamp > 0
        ? token.expiresOnTimestamp
        : (info.expiresOnTimestamp ?? now + UNKNOWN_EXPIRY_MS);
    if (this.#cached && this.#cached.expiresOnTimestamp > expiresOnTimestamp) return;
    this.#cached = { token: token.token, expiresOnTimestamp };
    this.#info = info;
    this.#lastFailure = undefined;
    this.#lastError = undefined;
    if (info.kind !== 'unknown') {
      const delegated = info.kind === 'delegated';
      if (delegated !== this.#delegated) {
        this.#logger.warn(`auth: ${AUTH_METHOD_INFO[this.method].label} returned ${delegated ? 'a delegated' : 'an app-only'} token`, {
          method: this.method,
        });
      }
      this.#delegated = delegated;
    }
    this.#logger.info('auth: token acquired', {
      method: this.method,
      kind: info.kind,
      ...(info.user ? { user: info.user } : {}),
      expiresOn: new Date(expiresOnTimestamp).toISOString(),
    });
    for (const w of tokenWarnings(info, this.#auth.cloud, now)) this.#logger.warn(`auth: ${w}`);
  }
}
