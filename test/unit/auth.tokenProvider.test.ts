import { inspect } from 'node:util';
import { assert, describe, expect, it, vi } from 'vitest';
import type { CredentialFactory, CredentialPrompt, CredentialSpec } from '../../src/auth/credentials/identityCredentials.js';
import { DEFAULT_PUBLIC_CLIENT_ID, type AuthMethod } from '../../src/auth/methods.js';
import {
  AuthError,
  InteractionRequiredError,
  SignInRequiredError,
  StaticTokenProvider,
  createTokenProvider,
  type AuthSettings,
  type SignInPrompt,
  type TokenProviderOptions,
} from '../../src/auth/tokenProvider.js';
import { CLOUDS } from '../../src/graph/clouds.js';
import type { AccessToken } from '../../src/graph/types.js';
import { createLogger, silentLogger } from '../../src/core/log.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (payload: Record<string, unknown>) => `${b64({ alg: 'RS256' })}.${b64(payload)}.c2ln`;
const HOUR = 3_600_000;
const T0 = 1_900_000_000_000;

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

type Call = { scopes: string | string[]; signal: AbortSignal | undefined; spec: CredentialSpec };

/** A credential whose getToken runs `impl`; counts factory builds and token calls. */
function fake(impl: (call: Call, n: number) => Promise<AccessToken | null>) {
  const calls: Call[] = [];
  const specs: CredentialSpec[] = [];
  const factory: CredentialFactory = (spec) => {
    specs.push(spec);
    return {
      getToken: (scopes, options) => {
        const call = { scopes, signal: options?.abortSignal, spec };
        calls.push(call);
        return impl(call, calls.length);
      },
    };
  };
  return { factory, calls, specs };
}

function settings(method: AuthMethod, over: Partial<AuthSettings> = {}): AuthSettings {
  return { method, cloud: CLOUDS.global, env: {}, ...over };
}

function clock(start = T0) {
  let t = start;
  return { now: () => t, set: (v: number) => (t = v), advance: (ms: number) => (t += ms) };
}

function make(
  method: AuthMethod,
  f: ReturnType<typeof fake>,
  opts: TokenProviderOptions = {},
  over: Partial<AuthSettings> = {},
  onPrompt?: (p: SignInPrompt) => void,
) {
  return createTokenProvider(settings(method, over), silentLogger, onPrompt ? { onPrompt } : undefined, {
    credentialFactory: f.factory,
    ...opts,
  });
}

const deviceCode: CredentialPrompt = {
  kind: 'deviceCode',
  verificationUri: 'https://microsoft.com/devicelogin',
  userCode: 'F7K2QZ9PL',
  message: 'raw',
};

describe('caching', () => {
  it('20 concurrent calls cost one token request', async () => {
    const c = clock();
    const gate = deferred<void>();
    const f = fake(async () => {
      await gate.promise;
      return { token: 'tok-1', expiresOnTimestamp: T0 + HOUR };
    });
    const p = make('azurecli', f, { now: c.now });
    const all = Promise.all(Array.from({ length: 20 }, () => p.getToken()));
    gate.resolve();
    expect(await all).toEqual(Array(20).fill('tok-1'));
    expect(f.calls).toHaveLength(1);
    expect(await p.getToken()).toBe('tok-1');
    expect(f.calls).toHaveLength(1);
  });

  it('refreshes within 5 minutes of expiry, once, and builds the credential once', async () => {
    const c = clock();
    const f = fake(async (_call, n) => ({ token: `tok-${n}`, expiresOnTimestamp: c.now() + HOUR }));
    const p = make('azurecli', f, { now: c.now });
    expect(await p.getToken()).toBe('tok-1');
    c.advance(HOUR - 6 * 60_000);
    expect(await p.getToken()).toBe('tok-1');
    c.advance(2 * 60_000);
    const burst = await Promise.all([p.getToken(), p.getToken(), p.getToken()]);
    expect(burst).toEqual(['tok-2', 'tok-2', 'tok-2']);
    expect(f.calls).toHaveLength(2);
    expect(f.specs).toHaveLength(1);
  });

  it('keeps using a still-valid token when its refresh fails, and fails once it has expired', async () => {
    const c = clock();
    const f = fake(async (_call, n) => {
      if (n === 1) return { token: 'tok-1', expiresOnTimestamp: T0 + HOUR };
      throw Object.assign(new Error("Please run 'az login' to set up account"), { name: 'CredentialUnavailableError' });
    });
    const warnings: string[] = [];
    const logger = createLogger('warn', (line) => warnings.push(line));
    const p = createTokenProvider(settings('azurecli'), logger, undefined, { credentialFactory: f.factory, now: c.now });
    await p.getToken();
    c.set(T0 + HOUR - 2 * 60_000);
    expect(await p.getToken()).toBe('tok-1');
    expect(warnings.join('\n')).toMatch(/refresh/);
    c.set(T0 + HOUR + 1);
    await expect(p.getToken()).rejects.toMatchObject({ name: 'AuthError', code: 'not_signed_in' });
  });

  it('falls back to the JWT exp when the credential gives no expiry', async () => {
    const c = clock();
    const token = jwt({ scp: 'CloudPC.ReadWrite.All', exp: (T0 + 2 * HOUR) / 1000 });
    const f = fake(async () => ({ token, expiresOnTimestamp: Number.NaN }));
    const p = make('azurecli', f, { now: c.now });
    await p.getToken();
    c.set(T0 + HOUR + 30 * 60_000);
    await p.getToken();
    expect(f.calls).toHaveLength(1);
  });

  it('rejects a credential that returns no token', async () => {
    const f = fake(async () => null);
    await expect(make('azd', f).getToken()).rejects.toMatchObject({ code: 'sign_in_failed', message: /returned no token/ });
  });
});

describe('credential spec: scopes, authority, tenant and client', () => {
  const first = async (method: AuthMethod, over: Partial<AuthSettings> = {}) => {
    const f = fake(async () => ({ token: 't', expiresOnTimestamp: Date.now() + HOUR }));
    const p = make(method, f, {}, over);
    await p.getToken();
    return { call: f.calls[0]!, spec: f.specs[0]!, p };
  };

  it('delegated interactive: CloudPC.ReadWrite.All, organizations, the default public client', async () => {
    const { call, spec, p } = await first('devicecode');
    expect(call.scopes).toBe('https://graph.microsoft.com/CloudPC.ReadWrite.All');
    expect(spec).toMatchObject({
      tenantId: 'organizations',
      clientId: DEFAULT_PUBLIC_CLIENT_ID,
      authorityHost: 'https://login.microsoftonline.com',
      disableInstanceDiscovery: false,
    });
    expect(p.delegated).toBe(true);
    expect(p.description).toBe('Device code sign-in (delegated, signed-in user)');
  });

  it('national cloud scopes and authority', async () => {
    const { call, spec } = await first('browser', { cloud: CLOUDS.usgov, tenantId: 'contoso.onmicrosoft.us', clientId: 'my-app' });
    expect(call.scopes).toBe('https://graph.microsoft.us/CloudPC.ReadWrite.All');
    expect(spec).toMatchObject({
      authorityHost: 'https://login.microsoftonline.us',
      tenantId: 'contoso.onmicrosoft.us',
      clientId: 'my-app',
      disableInstanceDiscovery: false,
    });
  });

  it('a private authority turns instance discovery off', async () => {
    const { spec } = await first('devicecode', { authorityHost: 'https://login.contoso-proxy.example/' });
    expect(spec).toMatchObject({ authorityHost: 'https://login.contoso-proxy.example', disableInstanceDiscovery: true });
  });

  it('rejects a non-https authority at creation', () => {
    expect(() =>
      make(
        'devicecode',
        fake(async () => null),
        {},
        { authorityHost: 'http://login.example' },
      ),
    ).toThrow(AuthError);
  });

  it('Azure CLI: one .default scope, no client, no placeholder tenant', async () => {
    const { call, spec, p } = await first('azurecli', { tenantId: 'organizations', clientId: DEFAULT_PUBLIC_CLIENT_ID });
    expect(call.scopes).toBe('https://graph.microsoft.com/.default');
    expect(spec.tenantId).toBeUndefined();
    expect(spec.clientId).toBeUndefined();
    expect(p.delegated).toBe(true);
  });

  it.each(['environment', 'managedidentity', 'workloadidentity'] as const)('%s is app-only with .default', async (method) => {
    const { call, spec, p } = await first(method, {
      cloud: CLOUDS.china,
      env: { AZURE_TENANT_ID: 'env-tenant', AZURE_CLIENT_ID: 'env-client' },
    });
    expect(call.scopes).toBe('https://microsoftgraph.chinacloudapi.cn/.default');
    expect(spec).toMatchObject({ tenantId: 'env-tenant', clientId: 'env-client', authorityHost: 'https://login.chinacloudapi.cn' });
    expect(p.delegated).toBe(false);
    expect(p.description).toMatch(/app-only/);
  });

  it('resolves auto and reports why', async () => {
    const f = fake(async () => ({ token: 't', expiresOnTimestamp: Date.now() + HOUR }));
    const p = make('auto', f, {}, { env: { IDENTITY_ENDPOINT: 'http://x' } });
    expect(p.method).toBe('managedidentity');
    expect(p.reason).toMatch(/IDENTITY_ENDPOINT/);
  });

  it('learns from the token: an Azure CLI signed in as a service principal is app-only', async () => {
    const f = fake(async () => ({ token: jwt({ roles: ['CloudPC.Read.All'] }), expiresOnTimestamp: Date.now() + HOUR }));
    const p = make('azurecli', f);
    expect(p.delegated).toBe(true);
    await p.getToken();
    expect(p.delegated).toBe(false);
    expect(p.tokenInfo?.kind).toBe('app-only');
  });
});

describe('interactive sign-in in chat', () => {
  it('device code: the pending call rejects with the prompt, a later call joins the flow and succeeds', async () => {
    const done = deferred<AccessToken>();
    const f = fake(async ({ spec }) => {
      spec.onPrompt(deviceCode);
      return done.promise;
    });
    const prompts: SignInPrompt[] = [];
    const p = make('devicecode', f, { pendingSignInWaitMs: 5_000 }, {}, (pr) => prompts.push(pr));

    const first = await p.getToken().catch((e: unknown) => e);
    expect(first).toBeInstanceOf(SignInRequiredError);
    const err = first as SignInRequiredError;
    expect(err.stillWaiting).toBe(false);
    expect(err.prompt).toMatchObject({ kind: 'deviceCode', userCode: 'F7K2QZ9PL', verificationUri: 'https://microsoft.com/devicelogin' });
    expect(err.message).toMatch(/open https:\/\/microsoft\.com\/devicelogin and enter the code F7K2QZ9PL/);
    expect(err.message).toMatch(/call the tool again/);
    expect(err.prompt.expiresOn).toBeInstanceOf(Date);
    expect(prompts).toHaveLength(1);
    expect(p.pendingSignIn?.kind).toBe('deviceCode');

    const second = p.getToken();
    done.resolve({ token: 'user-token', expiresOnTimestamp: Date.now() + HOUR });
    expect(await second).toBe('user-token');
    expect(f.calls).toHaveLength(1);
    expect(p.pendingSignIn).toBeUndefined();
    expect(await p.getToken()).toBe('user-token');
  });

  it('every caller waiting when the prompt appears gets it', async () => {
    const f = fake(async ({ spec }) => {
      await Promise.resolve();
      spec.onPrompt(deviceCode);
      return new Promise<AccessToken>(() => {});
    });
    const p = make('devicecode', f, { signInTimeoutMs: 60_000 });
    const results = await Promise.allSettled([p.getToken(), p.getToken(), p.getToken()]);
    for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: { name: 'SignInRequiredError' } });
    expect(f.calls).toHaveLength(1);
  });

  it('a call that finds the sign-in still pending repeats the prompt after a short wait', async () => {
    const f = fake(async ({ spec }) => {
      spec.onPrompt(deviceCode);
      return new Promise<AccessToken>(() => {});
    });
    const p = make('devicecode', f, { pendingSignInWaitMs: 20, signInTimeoutMs: 60_000 });
    await expect(p.getToken()).rejects.toBeInstanceOf(SignInRequiredError);
    const again = await p.getToken().catch((e: unknown) => e);
    assert.instanceOf(again, SignInRequiredError);
    expect(again.stillWaiting).toBe(true);
    expect(again.prompt.kind === 'deviceCode' && again.prompt.userCode).toBe('F7K2QZ9PL');
    expect(f.calls).toHaveLength(1);
  });

  it('a background failure is reported by the next call, and the call after starts afresh', async () => {
    const fail = deferred<AccessToken>();
    const f = fake(async ({ spec }, n) => {
      if (n > 1) return { token: 'fresh', expiresOnTimestamp: Date.now() + HOUR };
      spec.onPrompt(deviceCode);
      return fail.promise;
    });
    const p = make('devicecode', f);
    await expect(p.getToken()).rejects.toBeInstanceOf(SignInRequiredError);
    fail.reject(new Error('AADSTS70020: The provided value for the input parameter device_code is not valid. Expired.'));
    await vi.waitFor(() => expect(p.pendingSignIn).toBeUndefined());
    await expect(p.getToken()).rejects.toMatchObject({ name: 'AuthError', code: 'sign_in_timeout', aadsts: '70020' });
    expect(await p.getToken()).toBe('fresh');
    expect(f.calls).toHaveLength(2);
  });

  it('a sign-in the user never completes times out, aborts the credential and is reported', async () => {
    const f = fake(async ({ spec }) => {
      spec.onPrompt(deviceCode);
      return new Promise<AccessToken>(() => {});
    });
    const p = make('devicecode', f, { signInTimeoutMs: 30 });
    await expect(p.getToken()).rejects.toBeInstanceOf(SignInRequiredError);
    await vi.waitFor(() => expect(f.calls[0]!.signal?.aborted).toBe(true));
    const err = await p.getToken().catch((e: unknown) => e);
    assert.instanceOf(err, AuthError);
    expect(err).not.toBeInstanceOf(SignInRequiredError);
    expect(err.code).toBe('sign_in_timeout');
    expect(err.message).toMatch(/^Device code sign-in: the sign-in was not completed/);
  });

  it('a sign-in that completes after the prompt is used even though nobody was waiting', async () => {
    const done = deferred<AccessToken>();
    const f = fake(async ({ spec }) => {
      spec.onPrompt({ kind: 'browser' });
      return done.promise;
    });
    const p = make('browser', f);
    const err = await p.getToken().catch((e: unknown) => e);
    assert.instanceOf(err, SignInRequiredError);
    expect(err.prompt).toMatchObject({ kind: 'browser' });
    expect(err.message).toMatch(/A browser window was opened to sign in/);
    done.resolve({ token: 'browser-token', expiresOnTimestamp: Date.now() + HOUR });
    await vi.waitFor(() => expect(p.pendingSignIn).toBeUndefined());
    expect(await p.getToken()).toBe('browser-token');
    expect(f.calls).toHaveLength(1);
  });

  it('a hook that throws does not break the flow', async () => {
    const f = fake(async ({ spec }) => {
      spec.onPrompt(deviceCode);
      return new Promise<AccessToken>(() => {});
    });
    const p = make('devicecode', f, { signInTimeoutMs: 60_000 }, {}, () => {
      throw new Error('hook bug');
    });
    await expect(p.getToken()).rejects.toBeInstanceOf(SignInRequiredError);
  });
});

describe('getTokenSilently (auth_status)', () => {
  it('never asks the user: the credential is told so, and "only the user can help" is undefined, not a prompt', async () => {
    const seen: unknown[] = [];
    const factory: CredentialFactory = (spec) => ({
      getToken: async (_scopes, options) => {
        seen.push(options?.interactive);
        if (options?.interactive === false) throw new InteractionRequiredError('Not signed in yet.', 'devicecode');
        spec.onPrompt(deviceCode);
        return new Promise(() => {});
      },
    });
    const prompts: SignInPrompt[] = [];
    const p = createTokenProvider(
      settings('devicecode'),
      silentLogger,
      { onPrompt: (pr) => prompts.push(pr) },
      { credentialFactory: factory },
    );
    expect(await p.getTokenSilently()).toBeUndefined();
    expect(prompts).toEqual([]);
    expect(seen).toEqual([false]);
    // Once a sign-in waits for the user, the silent check reports it without starting another.
    await expect(p.getToken()).rejects.toBeInstanceOf(SignInRequiredError);
    expect(await p.getTokenSilently()).toBeUndefined();
    expect(seen).toEqual([false, undefined]);
    expect(p.pendingSignIn?.kind).toBe('deviceCode');
  });

  it('uses and caches a token the credential can get without the user', async () => {
    const f = fake(async () => ({ token: 'silent', expiresOnTimestamp: Date.now() + HOUR }));
    const p = make('devicecode', f);
    expect(await p.getTokenSilently()).toBe('silent');
    expect(await p.getToken()).toBe('silent');
    expect(f.calls).toHaveLength(1);
  });
});

describe('abort', () => {
  it('rejects at once with the abort reason and cancels the request when no one else waits', async () => {
    const f = fake(
      ({ signal }) => new Promise((_res, rej) => signal?.addEventListener('abort', () => rej(new DOMException('x', 'AbortError')))),
    );
    const p = make('managedidentity', f);
    const ac = new AbortController();
    const pending = p.getToken(ac.signal);
    await vi.waitFor(() => expect(f.calls).toHaveLength(1));
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(f.calls[0]!.signal?.aborted).toBe(true);
  });

  it('one caller aborting does not disturb the others', async () => {
    const gate = deferred<AccessToken>();
    const f = fake(() => gate.promise);
    const p = make('azurecli', f);
    const ac = new AbortController();
    const a = p.getToken(ac.signal);
    const b = p.getToken();
    ac.abort(new Error('cancelled by client'));
    await expect(a).rejects.toThrow('cancelled by client');
    gate.resolve({ token: 'ok', expiresOnTimestamp: Date.now() + HOUR });
    expect(await b).toBe('ok');
    expect(f.calls[0]!.signal?.aborted).toBe(false);
  });

  it('an already-aborted signal rejects without asking the credential', async () => {
    const f = fake(async () => ({ token: 't', expiresOnTimestamp: Date.now() + HOUR }));
    await expect(make('azurecli', f).getToken(AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(f.calls).toHaveLength(0);
  });

  it('aborting while a sign-in is pending leaves the sign-in running', async () => {
    const done = deferred<AccessToken>();
    const f = fake(async ({ spec }) => {
      spec.onPrompt(deviceCode);
      return done.promise;
    });
    const p = make('devicecode', f, { pendingSignInWaitMs: 60_000 });
    await expect(p.getToken()).rejects.toBeInstanceOf(SignInRequiredError);
    const ac = new AbortController();
    const joined = p.getToken(ac.signal);
    ac.abort();
    await expect(joined).rejects.toMatchObject({ name: 'AbortError' });
    expect(f.calls[0]!.signal?.aborted).toBe(false);
    done.resolve({ token: 'later', expiresOnTimestamp: Date.now() + HOUR });
    await vi.waitFor(() => expect(p.pendingSignIn).toBeUndefined());
    expect(await p.getToken()).toBe('later');
  });
});

describe('errors from credentials', () => {
  it('are wrapped in AuthError naming the method and the fix', async () => {
    const f = fake(async () => {
      throw Object.assign(new Error('Azure CLI could not be found.'), { name: 'CredentialUnavailableError' });
    });
    const err = await make('azurecli', f)
      .getToken()
      .catch((e: unknown) => e);
    assert.instanceOf(err, AuthError);
    expect(err).toMatchObject({ code: 'tool_not_installed', method: 'azurecli' });
    expect(err.message).toMatch(/CLOUDPC_MCP_AUTH/);
  });

  it('a factory that fails is retried on the next call', async () => {
    let builds = 0;
    const factory: CredentialFactory = () => {
      builds += 1;
      if (builds === 1) throw Object.assign(new Error('missing AZURE_CLIENT_ID'), { name: 'CredentialUnavailableError' });
      return { getToken: async () => ({ token: 'ok', expiresOnTimestamp: Date.now() + HOUR }) };
    };
    const p = createTokenProvider(settings('workloadidentity'), silentLogger, undefined, { credentialFactory: factory });
    await expect(p.getToken()).rejects.toMatchObject({ code: 'credential_unavailable' });
    expect(await p.getToken()).toBe('ok');
  });

  it('scrub the client secret out of messages', async () => {
    const secret = 'Qx8~s3cr3t-value-123';
    const f = fake(async () => {
      throw new Error(`AADSTS7000215: Invalid client secret provided: ${secret}`);
    });
    const p = make('environment', f, {}, { env: { AZURE_CLIENT_SECRET: secret } });
    const err = await p.getToken().catch((e: unknown) => e);
    assert.instanceOf(err, AuthError);
    expect(err.code).toBe('invalid_client_credential');
    expect(err.message).not.toContain(secret);
  });
});

describe('operator token', () => {
  const token = jwt({ aud: 'https://graph.microsoft.com', scp: 'CloudPC.ReadWrite.All', exp: (T0 + HOUR) / 1000 });

  it('is returned as given, never loaded through identity, and never shown', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (l) => lines.push(l));
    const factory = vi.fn<CredentialFactory>();
    const c = clock();
    const p = createTokenProvider(settings('token', { accessToken: `Bearer ${token}` }), logger, undefined, {
      credentialFactory: factory,
      now: c.now,
    });
    expect(p).toBeInstanceOf(StaticTokenProvider);
    expect(await p.getToken()).toBe(token);
    expect(factory).not.toHaveBeenCalled();
    expect(p.delegated).toBe(true);
    expect(p.description).toBe('Operator-supplied access token (delegated)');
    for (const shown of [p.description, p.reason, JSON.stringify(p), inspect(p, { showHidden: true, depth: 5 }), lines.join('\n')]) {
      expect(shown).not.toContain(token);
      expect(shown).not.toContain(token.split('.')[1]!);
    }
  });

  it('comes from CLOUDPC_MCP_ACCESS_TOKEN under auto', async () => {
    const p = createTokenProvider(settings('auto', { env: { CLOUDPC_MCP_ACCESS_TOKEN: 'opaque-token-value' } }), silentLogger);
    expect(p.method).toBe('token');
    expect(await p.getToken()).toBe('opaque-token-value');
    expect(p.tokenInfo?.format).toBe('opaque');
    expect(p.delegated).toBe(true);
  });

  it('reports expiry without the token', async () => {
    const c = clock(T0 + HOUR);
    const p = new StaticTokenProvider(token, { now: c.now });
    const err = await p.getToken().catch((e: unknown) => e);
    assert.instanceOf(err, AuthError);
    expect(err).toMatchObject({ name: 'AuthError', code: 'token_expired', method: 'token' });
    expect(err.message).toContain(new Date(T0 + HOUR).toISOString());
    expect(err.message).not.toContain(token);
  });

  it('an app-only token is not delegated', () => {
    const p = new StaticTokenProvider(jwt({ roles: ['CloudPC.Read.All'] }));
    expect(p.delegated).toBe(false);
    expect(p.description).toMatch(/app-only/);
  });

  it('refuses empty or multi-part values without echoing them', () => {
    expect(() => new StaticTokenProvider('  ')).toThrow(AuthError);
    const err = (() => {
      try {
        new StaticTokenProvider('abc def-secret-part');
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err?.message).not.toContain('def-secret-part');
    expect(() => createTokenProvider(settings('token'), silentLogger)).toThrow(/CLOUDPC_MCP_ACCESS_TOKEN/);
  });

  it('honours an aborted signal', async () => {
    await expect(new StaticTokenProvider('t0k3n').getToken(AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});
