// One token cache in front of one credential. Callers share a single in-flight request (a "flow"); a flow that
// needs the user (device code, browser) hands the prompt to every waiting caller as SignInRequiredError and keeps
// running in the background, so the tool can show the prompt and a later call picks up the finished sign-in.
// @azure/identity is not imported here: credentials.ts loads it on the first token request.

import type { AccessToken } from '../graph/types.js';
import type { Logger } from '../core/log.js';
import { identityCredentialFactory, type CredentialFactory, type CredentialLike, type CredentialPrompt } from './credentials.js';
import { AuthError, InteractionRequiredError, SignInRequiredError, isAbortError, scrub, toAuthError, type AuthErrorContext } from './errors.js';
import { AUTH_ENV, AUTH_METHOD_INFO, type CredentialMethod } from './methods.js';
import { resolveAuth, type ResolvedAuth } from './resolve.js';
import { buildSignInPrompt } from './signInPrompt.js';
import type { SignInStore } from './signInStore.js';
import { StaticTokenProvider } from './staticToken.js';
import { describeToken, type TokenInfo } from './tokenClaims.js';
import { tokenWarnings } from './tokenChecks.js';
import type { AuthSettings, AuthTarget, AuthTokenProvider, SignInHooks, SignInPrompt, SignInState } from './types.js';

export { AuthError, InteractionRequiredError, SignInRequiredError } from './errors.js';
export { StaticTokenProvider } from './staticToken.js';
export type { AuthSettings, AuthTarget, AuthTokenProvider, SignInHooks, SignInPrompt, SignInState } from './types.js';

export interface TokenProviderOptions {
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

export function createTokenProvider(
  settings: AuthSettings,
  logger: Logger,
  hooks?: SignInHooks,
  options: TokenProviderOptions = {},
): AuthTokenProvider {
  const resolved = resolveAuth(settings);
  logger.info(`auth: ${AUTH_METHOD_INFO[resolved.method].label}`, { method: resolved.method, reason: resolved.reason, cloud: resolved.cloud.name });
  if (resolved.method === 'token') {
    const token = settings.accessToken ?? resolved.env[AUTH_ENV.accessToken];
    if (!token?.trim()) {
      throw new AuthError('invalid_configuration', `${AUTH_METHOD_INFO.token.label}: set ${AUTH_ENV.accessToken}, or choose another method with ${AUTH_ENV.method}.`, {
        method: 'token',
      });
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

function targetOf(r: ResolvedAuth): AuthTarget {
  return {
    cloud: r.cloud,
    authorityHost: r.authorityHost,
    scope: r.scope,
    ...(r.tenantId ? { tenantId: r.tenantId } : {}),
    ...(r.clientId ? { clientId: r.clientId } : {}),
  };
}

interface Flow {
  readonly result: Promise<AccessToken>;
  readonly controller: AbortController;
  waiters: number;
  prompt: SignInPrompt | undefined;
  readonly promptListeners: Set<(prompt: SignInPrompt) => void>;
  settled: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  finish(token: AccessToken | undefined, err?: Error): void;
}

class CredentialTokenProvider implements AuthTokenProvider {
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
  #flow: Flow | undefined;
  #lastFailure: Error | undefined;
  #credential: Promise<CredentialLike> | undefined;
  #store: SignInStore | undefined;
  #lastError: string | undefined;

  constructor(auth: ResolvedAuth & { method: CredentialMethod }, logger: Logger, hooks: SignInHooks | undefined, options: TokenProviderOptions) {
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
    this.#errorContext = {
      method: auth.method,
      cloud: auth.cloud,
      authorityHost: auth.authorityHost,
      scope: auth.scope,
      secrets: auth.secrets,
      ...(auth.tenantId ? { tenantId: auth.tenantId } : {}),
      ...(auth.clientId ? { clientId: auth.clientId } : {}),
    };
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
        return await this.#wait(flow, signal);
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
    if (!usable) return this.#wait(flow, signal);
    try {
      return await this.#wait(flow, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      this.#logger.warn('auth: token refresh did not complete; using the current token until it expires', { error: (err as Error).message });
      return cached.token;
    }
  }

  toJSON(): Record<string, unknown> {
    return { method: this.method, description: this.description, delegated: this.delegated };
  }

  #start(): Flow {
    const controller = new AbortController();
    let settle!: { resolve(t: AccessToken): void; reject(e: Error): void };
    const result = new Promise<AccessToken>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Nobody may be waiting when a background sign-in fails; the failure is kept in #lastFailure instead.
    result.catch(() => {});
    const flow: Flow = {
      result,
      controller,
      waiters: 0,
      prompt: undefined,
      promptListeners: new Set(),
      settled: false,
      timer: undefined,
      finish: (token, err) => {
        if (token) this.#accept(token);
        if (flow.settled) return;
        flow.settled = true;
        if (flow.timer) clearTimeout(flow.timer);
        flow.promptListeners.clear();
        if (this.#flow === flow) this.#flow = undefined;
        if (token) {
          settle.resolve(token);
          return;
        }
        const error = err ?? new AuthError('sign_in_failed', 'Sign-in failed.', { method: this.method });
        if (!isAbortError(error)) this.#lastError = error.message;
        if (flow.prompt && flow.waiters === 0 && !isAbortError(error)) this.#lastFailure = error;
        if (flow.prompt) this.#logger.warn('auth: sign-in did not complete', { method: this.method, error: error.message });
        settle.reject(error);
      },
    };
    this.#flow = flow;
    this.#acquire(controller.signal).then(
      (token) => flow.finish(token),
      (err: unknown) => flow.finish(undefined, toAuthError(err, this.#errorContext)),
    );
    return flow;
  }

  async #acquire(signal: AbortSignal): Promise<AccessToken> {
    const credential = await this.#getCredential();
    const token = await credential.getToken(this.#auth.scope, { abortSignal: signal });
    if (!token || typeof token.token !== 'string' || token.token === '') {
      throw new AuthError('sign_in_failed', `${AUTH_METHOD_INFO[this.method].label}: the credential returned no token.`, { method: this.method });
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

  #wait(flow: Flow, signal: AbortSignal | undefined): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let done = false;
      let joinTimer: ReturnType<typeof setTimeout> | undefined;
      flow.waiters += 1;
      const leave = (): boolean => {
        if (done) return false;
        done = true;
        flow.waiters -= 1;
        flow.promptListeners.delete(onPrompt);
        signal?.removeEventListener('abort', onAbort);
        if (joinTimer) clearTimeout(joinTimer);
        return true;
      };
      const onPrompt = (prompt: SignInPrompt) => {
        if (leave()) reject(new SignInRequiredError(prompt, false, this.method));
      };
      const onAbort = () => {
        if (!leave()) return;
        reject(signal?.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
        // Before any prompt a flow exists only for its callers; once the user was asked, it is theirs to finish.
        if (flow.waiters === 0 && !flow.prompt && !flow.settled) {
          flow.controller.abort();
          flow.finish(undefined, new DOMException('Every caller cancelled the token request.', 'AbortError'));
        }
      };
      flow.result.then(
        (token) => {
          if (leave()) resolve(token.token);
        },
        (err: Error) => {
          if (leave()) reject(err);
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      if (flow.prompt) {
        const prompt = flow.prompt;
        joinTimer = setTimeout(() => {
          if (leave()) reject(new SignInRequiredError(prompt, true, this.method));
        }, this.#opts.pendingSignInWaitMs);
      } else {
        flow.promptListeners.add(onPrompt);
      }
    });
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
    const note = plan?.advice ?? (plan?.kind === 'unencrypted-file' ? 'The sign-in will be kept, unencrypted, in a file only your user can read.' : undefined);
    const prompt = buildSignInPrompt(raw, this.#auth.cloud, expiresOn, note);
    flow.prompt = prompt;
    if (!flow.timer) {
      flow.timer = setTimeout(() => {
        flow.controller.abort();
        flow.finish(
          undefined,
          new AuthError(
            'sign_in_timeout',
            `${AUTH_METHOD_INFO[this.method].label}: the sign-in was not completed within ${Math.round(this.#opts.signInTimeoutMs / 60_000)} minutes. Call the tool again to start a new sign-in.`,
            { method: this.method },
          ),
        );
      }, this.#opts.signInTimeoutMs);
      flow.timer.unref?.();
    }
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
    for (const listener of [...flow.promptListeners]) listener(prompt);
  }

  #onStore(store: SignInStore): void {
    this.#store = store;
    const { plan } = store;
    if (plan.warning) this.#logger.warn(`auth: ${plan.warning}`);
    else if (plan.kind === 'memory') this.#logger.warn(`auth: ${plan.advice ?? plan.summary}`);
    else this.#logger.info(`auth: ${plan.summary}`);
    if (store.saved) this.#logger.info('auth: found a saved sign-in', { user: store.saved.username, file: store.recordFile });
    if (store.leftover) {
      this.#logger.warn(`auth: an unencrypted token cache from an earlier ${AUTH_ENV.tokenCache}=unencrypted is still on disk and no longer used: ${store.leftover}. \`cloudpc-mcp logout\` removes it.`);
    }
  }

  #accept(token: AccessToken): void {
    const info = describeToken(token.token);
    const now = this.#now();
    const expiresOnTimestamp = Number.isFinite(token.expiresOnTimestamp) && token.expiresOnTimestamp > 0
      ? token.expiresOnTimestamp
      : info.expiresOnTimestamp ?? now + UNKNOWN_EXPIRY_MS;
    if (this.#cached && this.#cached.expiresOnTimestamp > expiresOnTimestamp) return;
    this.#cached = { token: token.token, expiresOnTimestamp };
    this.#info = info;
    this.#lastFailure = undefined;
    this.#lastError = undefined;
    if (info.kind !== 'unknown') {
      const delegated = info.kind === 'delegated';
      if (delegated !== this.#delegated) {
        this.#logger.warn(`auth: ${AUTH_METHOD_INFO[this.method].label} returned ${delegated ? 'a delegated' : 'an app-only'} token`, { method: this.method });
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
