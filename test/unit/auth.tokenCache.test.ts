// Where a sign-in is kept between restarts, and what the user is told about it.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CacheContext, CachePlugin } from '../../src/auth/persistence/cachePlugin.js';
import { removeAccounts } from '../../src/auth/persistence/signOut.js';
import { fileTokenCache } from '../../src/auth/persistence/cachePlugin.js';
import { probeKeychain, type KeychainProbe } from '../../src/auth/persistence/osKeychain.js';
import { openSignInStore } from '../../src/auth/persistence/signInStore.js';
import { signOut } from '../../src/auth/persistence/signOut.js';
import { parseTokenCacheSetting, planTokenCache } from '../../src/auth/persistence/tokenCachePlan.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'cloudpc-mcp-unit-'));
const unavailable: KeychainProbe = {
  available: false,
  store: 'the Secret Service keyring (libsecret)',
  installed: false,
  reason: 'the keychain add-on @azure/identity-cache-persistence is not installed',
};

describe('CLOUDPC_MCP_TOKEN_CACHE', () => {
  it('defaults to auto and accepts any case; anything else is refused with the choices', () => {
    expect(parseTokenCacheSetting({})).toBe('auto');
    expect(parseTokenCacheSetting({ CLOUDPC_MCP_TOKEN_CACHE: ' Unencrypted ' })).toBe('unencrypted');
    expect(parseTokenCacheSetting({ CLOUDPC_MCP_TOKEN_CACHE: 'KEYCHAIN' })).toBe('keychain');
    expect(() => parseTokenCacheSetting({ CLOUDPC_MCP_TOKEN_CACHE: 'plaintext' })).toThrow(
      /"plaintext" is not one of auto, keychain, unencrypted, none/,
    );
  });
});

describe('planTokenCache', () => {
  it('auto uses the OS secret store when it works', async () => {
    const factory = async () => ({ beforeCacheAccess: async () => {}, afterCacheAccess: async () => {} });
    const plan = await planTokenCache('auto', tmp(), async () => ({ available: true, store: 'the macOS Keychain', factory }));
    expect(plan).toMatchObject({ kind: 'os-store', saveRecord: true, summary: 'Tokens are kept encrypted in the macOS Keychain.' });
    expect(plan.advice).toBeUndefined();
    expect(plan.factory).toBe(factory);
  });

  it('auto without the keychain keeps tokens in the private file, says where, and how to turn the keychain on', async () => {
    const dir = tmp();
    const plan = await planTokenCache('auto', dir, async () => unavailable);
    expect(plan).toMatchObject({ kind: 'unencrypted-file', saveRecord: true });
    expect(plan.factory).toBeDefined();
    expect(plan.advice).toBeUndefined();
    // Not the loud warning of an explicit choice: this is the default, and it is said once in the summary.
    expect(plan.warning).toBeUndefined();
    expect(plan.summary).toContain(`kept in ${path.join(dir, 'token-cache-cloudpc-mcp.json')}, readable only by your user (not encrypted`);
    expect(plan.summary).toContain('npm install -g @azure/identity-cache-persistence');
    expect(plan.summary).toContain('npx -y -p cloudpc-mcp -p @azure/identity-cache-persistence cloudpc-mcp');
  });

  it('auto with the add-on installed but failing (a locked keyring) keeps tokens in memory, not in the file, and says why', async () => {
    const locked: KeychainProbe = {
      available: false,
      store: 'the Secret Service keyring (libsecret)',
      installed: true,
      reason: 'Cannot unlock the keyring',
    };
    const plan = await planTokenCache('auto', tmp(), async () => locked);
    expect(plan).toMatchObject({ kind: 'memory', saveRecord: true });
    expect(plan.factory).toBeUndefined();
    expect(plan.advice).toContain(
      'is not available here (Cannot unlock the keyring). To sign in only once, make the Secret Service keyring (libsecret) available',
    );
    expect(plan.advice).not.toContain('npm install -g');
  });

  it('keychain uses only the OS secret store: where it does not work, memory only, and the prompt says why and what to do', async () => {
    const plan = await planTokenCache('keychain', tmp(), async () => unavailable);
    expect(plan.kind).toBe('memory');
    expect(plan.factory).toBeUndefined();
    expect(plan.advice).toMatch(
      /^This sign-in will not be remembered when the server restarts: the Secret Service keyring \(libsecret\) is not available here \(the keychain add-on .* is not installed\)\./,
    );
    expect(plan.advice).toContain('npm install -g @azure/identity-cache-persistence');
    expect(plan.advice).toContain('CLOUDPC_MCP_TOKEN_CACHE=unencrypted');
    const factory = async () => ({ beforeCacheAccess: async () => {}, afterCacheAccess: async () => {} });
    expect(
      await planTokenCache('keychain', tmp(), async () => ({ available: true, store: 'Windows DPAPI (per-user encryption)', factory })),
    ).toMatchObject({ kind: 'os-store', factory });
  });

  it('unencrypted never asks the keychain and warns loudly; none keeps nothing at all', async () => {
    const dir = tmp();
    const probe = async (): Promise<KeychainProbe> => {
      throw new Error('must not be asked');
    };
    const plan = await planTokenCache('unencrypted', dir, probe);
    expect(plan).toMatchObject({ kind: 'unencrypted-file', saveRecord: true });
    expect(plan.warning).toMatch(/^WARNING: .*UNENCRYPTED/);
    expect(plan.summary).toContain(path.join(dir, 'token-cache-cloudpc-mcp.json'));
    expect(await planTokenCache('none', '', probe)).toMatchObject({ kind: 'memory', saveRecord: false });
  });
});

describe('the unencrypted file cache', () => {
  const context = (cache: { text: string }, changed: boolean): CacheContext => ({
    cacheHasChanged: changed,
    tokenCache: { serialize: () => cache.text, deserialize: (t) => (cache.text = t) },
  });

  it('writes only when MSAL changed the cache, into a 0600 file in a 0700 directory, and reads it back', async () => {
    const file = path.join(tmp(), 'nested', 'cache.json');
    const plugin: CachePlugin = fileTokenCache(file);
    await plugin.afterCacheAccess(context({ text: '{"a":1}' }, false));
    expect(() => statSync(file)).toThrow();
    await plugin.afterCacheAccess(context({ text: '{"a":2}' }, true));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const fresh = { text: '' };
    await fileTokenCache(file).beforeCacheAccess(context(fresh, false));
    expect(fresh.text).toBe('{"a":2}');
  });
});

describe('the OS secret store probe', () => {
  it('not installed (the add-on is not beside cloudpc-mcp)', async () => {
    const load = async () => {
      throw Object.assign(new Error("Cannot find package '@azure/identity-cache-persistence' imported from /x.js"), {
        code: 'ERR_MODULE_NOT_FOUND',
      });
    };
    expect(await probeKeychain('cloudpc-mcp', load, 'linux')).toMatchObject({
      available: false,
      installed: false,
      reason: 'the keychain add-on @azure/identity-cache-persistence is not installed',
    });
  });

  it('the real loader, here where the add-on is not installed, says so', async () => {
    expect(await probeKeychain('cloudpc-mcp', undefined, 'darwin')).toMatchObject({
      available: false,
      installed: false,
      reason: 'the keychain add-on @azure/identity-cache-persistence is not installed',
    });
  });

  it('installed, but a module it needs is missing (keytar without its binary): installed, and the reason given', async () => {
    const load = async () => {
      throw Object.assign(
        new Error(
          "Cannot find module '../build/Release/keytar.node'\nRequire stack:\n- /g/lib/node_modules/@azure/identity-cache-persistence/node_modules/keytar/lib/keytar.js",
        ),
        { code: 'MODULE_NOT_FOUND' },
      );
    };
    expect(await probeKeychain('cloudpc-mcp', load, 'linux')).toMatchObject({
      available: false,
      installed: true,
      reason: "its keychain module could not be loaded (Cannot find module '../build/Release/keytar.node')",
    });
  });

  it('installed, but its native module cannot load (libsecret missing at run time)', async () => {
    const load = async () => {
      throw new Error('libsecret-1.so.0: cannot open shared object file: No such file or directory');
    };
    expect(await probeKeychain('cloudpc-mcp', load, 'linux')).toMatchObject({
      available: false,
      installed: true,
      reason: expect.stringContaining('libsecret-1.so.0'),
    });
  });

  it('loaded, but the keyring cannot be read (no Secret Service running, or locked)', async () => {
    const load = async () => ({
      cachePersistencePlugin: (ctx: { cachePluginControl: { setPersistence(f: unknown): void } }) =>
        ctx.cachePluginControl.setPersistence(async () => {
          throw new Error('Unable to read from the system keyring (libsecret).');
        }),
    });
    expect(await probeKeychain('cloudpc-mcp', load, 'linux')).toMatchObject({
      available: false,
      reason: 'Unable to read from the system keyring (libsecret)',
    });
  });

  it('works: the plugin factory is kept, not registered', async () => {
    const names: unknown[] = [];
    const load = async () => ({
      cachePersistencePlugin: (ctx: { cachePluginControl: { setPersistence(f: unknown): void } }) =>
        ctx.cachePluginControl.setPersistence(async (o: unknown) => {
          names.push(o);
          return {};
        }),
    });
    const probe = await probeKeychain('cloudpc-mcp', load, 'darwin');
    expect(probe).toMatchObject({ available: true, store: 'the macOS Keychain' });
    expect(names).toEqual([{ name: 'cloudpc-mcp' }]);
  });
});

// MSAL's serialized cache as @azure/identity-cache-persistence shares it between tools.
const ours = { client: '14d82eec-204b-4c2f-b7e8-296a70dab67e', home: 'uid.tid' };
const shared = () =>
  JSON.stringify({
    Account: { a1: { home_account_id: ours.home, environment: 'login' }, a2: { home_account_id: 'other.tid', environment: 'login' } },
    AccessToken: {
      t1: { home_account_id: ours.home, client_id: ours.client, secret: 'at1' },
      t2: { home_account_id: 'other.tid', client_id: 'other-app', secret: 'at2' },
    },
    RefreshToken: {
      r1: { home_account_id: ours.home, client_id: ours.client, secret: 'rt1' },
      r2: { home_account_id: ours.home, client_id: 'other-app', secret: 'rt2' },
    },
    IdToken: { i1: { home_account_id: ours.home, client_id: ours.client } },
    AppMetadata: { m1: { client_id: ours.client } },
  });

describe('logout from a shared token cache', () => {
  it("removes this client's entries for the account and keeps every other tool's", () => {
    const r = removeAccounts(shared(), { clientId: ours.client.toUpperCase(), homeAccountIds: [ours.home] });
    const left = JSON.parse(r.text);
    expect(r.removed).toBe(3);
    expect(Object.keys(left.AccessToken)).toEqual(['t2']);
    expect(Object.keys(left.RefreshToken)).toEqual(['r2']);
    expect(left.IdToken).toEqual({});
    // The account stays: another app still holds a refresh token for it.
    expect(Object.keys(left.Account)).toEqual(['a1', 'a2']);
    expect(r.empty).toBe(false);
  });

  it('leaves unreadable content alone', () => {
    expect(removeAccounts('not json', { clientId: 'c', homeAccountIds: [] })).toMatchObject({ text: 'not json', removed: 0, empty: false });
  });

  it('signOut removes the saved records, the unencrypted cache and the keychain entries of the saved accounts only', async () => {
    const home = tmp();
    const env = { CLOUDPC_MCP_CONFIG_DIR: path.join(home, 'cfg') };
    const store = await openSignInStore({
      setting: 'unencrypted',
      env,
      key: { cloud: 'global', authorityHost: 'https://login.microsoftonline.com', tenantId: 'organizations', clientId: ours.client },
    });
    await store.save(
      JSON.stringify({
        authority: 'login.microsoftonline.com',
        homeAccountId: ours.home,
        tenantId: 'tid',
        username: 'megan@contoso.com',
        clientId: ours.client,
        version: '1.0',
      }),
    );
    const cacheFile = path.join(home, 'cfg', 'token-cache-cloudpc-mcp.json');
    await fileTokenCache(cacheFile).persistence.save('{}');

    let keychain = shared();
    const probe = async (): Promise<KeychainProbe> => ({
      available: true,
      store: 'the macOS Keychain',
      factory: async () => ({
        beforeCacheAccess: async () => {},
        afterCacheAccess: async () => {},
        persistence: { load: async () => keychain, save: async (t: string) => void (keychain = t), delete: async () => true },
      }),
    });
    const r = await signOut(path.join(home, 'cfg'), probe);
    expect(r.accounts).toEqual(['megan@contoso.com']);
    expect(r.files.sort()).toEqual([cacheFile, store.recordFile].sort());
    expect(r.keychainEntries).toBe(3);
    expect(JSON.parse(keychain).RefreshToken).toEqual({ r2: { home_account_id: ours.home, client_id: 'other-app', secret: 'rt2' } });
    expect(() => readFileSync(store.recordFile)).toThrow();
  });
});
