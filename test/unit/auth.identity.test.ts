// The real credential factory against a stand-in @azure/identity: proves the library is loaded on the first
// token request only (never for an operator token), and that each method builds the right credential.
import { assert, beforeEach, describe, expect, it, vi } from 'vitest';

const state = vi.hoisted(() => ({
  loads: 0,
  built: [] as Array<{ cls: string; options: Record<string, unknown> }>,
  getToken: undefined as
    undefined | ((cls: string, self: { options: Record<string, unknown> }, scopes: unknown, opts: unknown) => Promise<unknown>),
  authenticated: 0,
}));

vi.mock('@azure/identity', () => {
  state.loads += 1;
  const make = (cls: string) =>
    class {
      options: Record<string, unknown>;
      constructor(options: Record<string, unknown> = {}) {
        this.options = options;
        state.built.push({ cls, options });
      }
      getToken(scopes: unknown, opts: unknown) {
        return state.getToken!(cls, this, scopes, opts);
      }
      async authenticate() {
        state.authenticated += 1;
        return undefined;
      }
    };
  return {
    DeviceCodeCredential: make('DeviceCodeCredential'),
    InteractiveBrowserCredential: make('InteractiveBrowserCredential'),
    AzureCliCredential: make('AzureCliCredential'),
    AzureDeveloperCliCredential: make('AzureDeveloperCliCredential'),
    EnvironmentCredential: make('EnvironmentCredential'),
    ManagedIdentityCredential: make('ManagedIdentityCredential'),
    WorkloadIdentityCredential: make('WorkloadIdentityCredential'),
  };
});

import { SignInRequiredError, createTokenProvider } from '../../src/auth/tokenProvider.js';
import { DEFAULT_PUBLIC_CLIENT_ID } from '../../src/auth/methods.js';
import { CLOUDS } from '../../src/graph/clouds.js';
import { silentLogger } from '../../src/core/log.js';

const HOUR = 3_600_000;
const ok = async () => ({ token: 'tok', expiresOnTimestamp: Date.now() + HOUR });

beforeEach(() => {
  state.built.length = 0;
  state.getToken = ok;
});

describe('@azure/identity is loaded lazily', () => {
  it('importing the provider and using an operator token never loads it', async () => {
    const p = createTokenProvider({ method: 'token', cloud: CLOUDS.global, accessToken: 'static', env: {} }, silentLogger);
    expect(await p.getToken()).toBe('static');
    expect(state.loads).toBe(0);
  });

  it('creating an identity-backed provider does not load it; the first getToken does', async () => {
    const p = createTokenProvider({ method: 'azurecli', cloud: CLOUDS.global, env: {} }, silentLogger);
    expect(state.loads).toBe(0);
    await p.getToken();
    expect(state.loads).toBe(1);
    expect(state.built).toEqual([{ cls: 'AzureCliCredential', options: {} }]);
  });
});

describe('the real factory', () => {
  it('device code: options, and the prompt callback surfaces as SignInRequiredError', async () => {
    let release!: () => void;
    state.getToken = async (_cls, self, scopes) => {
      expect(scopes).toBe('https://graph.microsoft.us/CloudPC.ReadWrite.All');
      (self.options['userPromptCallback'] as (i: unknown) => void)({
        userCode: 'CODE42XY',
        verificationUri: 'https://microsoft.com/deviceloginus',
        message: 'identity message',
      });
      await new Promise<void>((r) => (release = r));
      return { token: 'user', expiresOnTimestamp: Date.now() + HOUR };
    };
    const p = createTokenProvider({ method: 'devicecode', cloud: CLOUDS.usgov, env: {} }, silentLogger);
    const err = await p.getToken().catch((e: unknown) => e);
    assert.instanceOf(err, SignInRequiredError);
    expect(err.prompt).toMatchObject({ kind: 'deviceCode', userCode: 'CODE42XY', verificationUri: 'https://microsoft.com/deviceloginus' });
    const built = state.built[0]!;
    expect(built.cls).toBe('DeviceCodeCredential');
    expect(built.options).toMatchObject({
      authorityHost: 'https://login.microsoftonline.us',
      disableInstanceDiscovery: false,
      tenantId: 'organizations',
      clientId: DEFAULT_PUBLIC_CLIENT_ID,
    });
    const later = p.getToken();
    release();
    expect(await later).toBe('user');
  });

  it('browser: automatic authentication off; authenticate() opens the window and is reported', async () => {
    let calls = 0;
    state.getToken = async () => {
      calls += 1;
      if (calls === 1)
        throw Object.assign(new Error('Automatic authentication has been disabled.'), { name: 'AuthenticationRequiredError' });
      return { token: 'browser', expiresOnTimestamp: Date.now() + HOUR };
    };
    const prompts: string[] = [];
    const p = createTokenProvider(
      { method: 'browser', cloud: CLOUDS.global, authorityHost: 'https://login.private.example', tenantId: 'contoso.com', env: {} },
      silentLogger,
      { onPrompt: (pr) => prompts.push(pr.kind) },
    );
    await expect(p.getToken()).rejects.toBeInstanceOf(SignInRequiredError);
    expect(prompts).toEqual(['browser']);
    expect(state.built[0]).toMatchObject({
      cls: 'InteractiveBrowserCredential',
      options: {
        disableAutomaticAuthentication: true,
        disableInstanceDiscovery: true,
        authorityHost: 'https://login.private.example',
        tenantId: 'contoso.com',
      },
    });
    await vi.waitFor(() => expect(p.pendingSignIn).toBeUndefined());
    expect(await p.getToken()).toBe('browser');
    expect(calls).toBe(2);
  });

  it.each([
    ['azd', { tenantId: 'contoso.com' }, 'AzureDeveloperCliCredential', { tenantId: 'contoso.com' }],
    ['environment', {}, 'EnvironmentCredential', { authorityHost: 'https://login.microsoftonline.com', disableInstanceDiscovery: false }],
    ['managedidentity', { env: { AZURE_CLIENT_ID: 'uami' } }, 'ManagedIdentityCredential', { clientId: 'uami' }],
    [
      'workloadidentity',
      { env: { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_FEDERATED_TOKEN_FILE: '/var/run/token' } },
      'WorkloadIdentityCredential',
      { tenantId: 't', clientId: 'c', tokenFilePath: '/var/run/token' },
    ],
  ] as const)('%s builds %s', async (method, over, cls, options) => {
    const p = createTokenProvider({ method, cloud: CLOUDS.global, env: {}, ...over }, silentLogger);
    await p.getToken();
    expect(state.built[0]).toMatchObject({ cls, options });
  });
});
