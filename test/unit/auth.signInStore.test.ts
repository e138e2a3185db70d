// The saved sign-in record: one per cloud, authority, tenant setting and client; private; no secrets; and a
// per-user directory chosen the way each platform expects.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSignIn, recordFile } from '../../src/auth/persistence/authRecordStore.js';
import { configDir } from '../../src/auth/persistence/privateFiles.js';
import type { KeychainProbe } from '../../src/auth/persistence/osKeychain.js';
import { openSignInStore } from '../../src/auth/persistence/signInStore.js';

const record = (over: Record<string, string> = {}) =>
  JSON.stringify({
    authority: 'login.microsoftonline.com',
    homeAccountId: 'uid.tid',
    tenantId: 'tid',
    username: 'megan@contoso.com',
    clientId: 'client-a',
    version: '1.0',
    ...over,
  });
const key = { cloud: 'global', authorityHost: 'https://login.microsoftonline.com', tenantId: 'organizations', clientId: 'client-a' };
const noKeychain = async (): Promise<KeychainProbe> => ({
  available: false,
  store: 'the keyring',
  installed: false,
  reason: 'not installed',
});

describe('configDir', () => {
  it.each([
    ['linux', { HOME: '/home/megan' }, '/home/megan/.config/cloudpc-mcp'],
    ['linux', { HOME: '/home/megan', XDG_CONFIG_HOME: '/xdg' }, '/xdg/cloudpc-mcp'],
    ['darwin', { HOME: '/Users/megan' }, '/Users/megan/Library/Application Support/cloudpc-mcp'],
    ['win32', { APPDATA: 'C:\\Users\\megan\\AppData\\Roaming' }, 'C:\\Users\\megan\\AppData\\Roaming\\cloudpc-mcp'],
    ['linux', { HOME: '/home/megan', CLOUDPC_MCP_CONFIG_DIR: '/srv/mcp' }, '/srv/mcp'],
  ] as const)('%s %j → %s', (platform, env, dir) => {
    expect(configDir(env, platform)).toBe(dir);
  });

  it('refuses a relative override and a missing home, saying what to set', () => {
    expect(() => configDir({ CLOUDPC_MCP_CONFIG_DIR: 'rel/dir' }, 'linux')).toThrow(/must be an absolute path/);
    expect(() => configDir({}, 'linux')).toThrow(/CLOUDPC_MCP_CONFIG_DIR/);
  });
});

describe('saved sign-in records', () => {
  it('a different cloud, authority, tenant setting or client never shares a record', () => {
    const base = recordFile('/d', key);
    expect(recordFile('/d', { ...key })).toBe(base);
    expect(recordFile('/d', { ...key, tenantId: 'ORGANIZATIONS' })).toBe(base);
    for (const other of [
      { cloud: 'usgov' },
      { authorityHost: 'https://127.0.0.1:1' },
      { tenantId: 'contoso.com' },
      { clientId: 'client-b' },
    ]) {
      expect(recordFile('/d', { ...key, ...other })).not.toBe(base);
    }
  });

  it('is saved 0600 and loaded back; a record for another client or an incomplete one is ignored', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcp-rec-'));
    const store = await openSignInStore({ setting: 'auto', env: { CLOUDPC_MCP_CONFIG_DIR: dir }, key }, noKeychain);
    expect(store.saved).toBeUndefined();
    expect(await store.save(record())).toBe(true);
    expect(statSync(store.recordFile).mode & 0o777).toBe(0o600);
    expect(store.saved).toMatchObject({ username: 'megan@contoso.com', homeAccountId: 'uid.tid' });
    expect(JSON.parse(readFileSync(store.recordFile, 'utf8'))).toEqual(JSON.parse(record()));

    expect(await loadSignIn(store.recordFile, 'client-b')).toBeUndefined();
    writeFileSync(store.recordFile, record({ username: '' }));
    expect(await loadSignIn(store.recordFile, 'client-a')).toBeUndefined();
    writeFileSync(store.recordFile, '{not json');
    expect(await loadSignIn(store.recordFile, 'client-a')).toBeUndefined();
  });

  it('a record file others could read is made private before it is used', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcp-rec-'));
    const file = recordFile(dir, key);
    writeFileSync(file, record(), { mode: 0o644 });
    expect(await loadSignIn(file, 'client-a')).toBeDefined();
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('points out a token cache file left behind after switching to the keychain or to memory only', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcp-rec-'));
    const env = { CLOUDPC_MCP_CONFIG_DIR: dir };
    expect((await openSignInStore({ setting: 'unencrypted', env, key }, noKeychain)).leftover).toBeUndefined();
    writeFileSync(path.join(dir, 'token-cache-cloudpc-mcp.json'), '{}');
    expect((await openSignInStore({ setting: 'unencrypted', env, key }, noKeychain)).leftover).toBeUndefined();
    // auto without the keychain uses that file: it is not left over.
    expect((await openSignInStore({ setting: 'auto', env, key }, noKeychain)).leftover).toBeUndefined();
    expect((await openSignInStore({ setting: 'keychain', env, key }, noKeychain)).leftover).toBe(
      path.join(dir, 'token-cache-cloudpc-mcp.json'),
    );
    const keychain = async (): Promise<KeychainProbe> => ({
      available: true,
      store: 'the macOS Keychain',
      factory: async () => ({ beforeCacheAccess: async () => {}, afterCacheAccess: async () => {} }),
    });
    expect((await openSignInStore({ setting: 'auto', env, key }, keychain)).leftover).toBe(path.join(dir, 'token-cache-cloudpc-mcp.json'));
  });

  it('with CLOUDPC_MCP_TOKEN_CACHE=none, or no home directory, nothing is read or written and the reason is given', async () => {
    const none = await openSignInStore({ setting: 'none', env: {}, key }, noKeychain);
    expect(none.plan.kind).toBe('memory');
    expect(await none.save(record())).toBe(false);
    const homeless = await openSignInStore({ setting: 'auto', env: {}, key }, noKeychain);
    expect(await homeless.save(record())).toBe(false);
    expect(homeless.plan.advice).toMatch(/will not be remembered.*CLOUDPC_MCP_CONFIG_DIR/);
  });
});
