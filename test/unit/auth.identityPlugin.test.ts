// The one non-public contract (src/auth/persistence/identityPlugin.ts), checked against the real, installed
// @azure/identity: the context its useIdentityPlugin hands a plug-in still carries cachePluginControl.setPersistence,
// and a credential that asks for persistence still takes its cache from that factory, by the name we pass. When an
// upgrade changes either, this fails before a user finds every restart asking for a new sign-in. (That identity then
// reads and writes the cache through the plug-in is proved end to end by test/e2e/auth.persistence.test.ts.)
import { readFileSync } from 'node:fs';
import * as identity from '@azure/identity';
import { describe, expect, it } from 'vitest';
import type { CachePlugin, PersistenceOptions } from '../../src/auth/persistence/cachePlugin.js';
import { catchCacheFactory, routeIdentityCache } from '../../src/auth/persistence/identityPlugin.js';
import { CACHE_NAME } from '../../src/auth/persistence/tokenCachePlan.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
const installed = (
  JSON.parse(readFileSync(new URL('../../node_modules/@azure/identity/package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const plugin = (): CachePlugin => ({ beforeCacheAccess: async () => {}, afterCacheAccess: async () => {} });

function recordingFactory() {
  const asked: PersistenceOptions[] = [];
  const factory = async (options?: PersistenceOptions) => {
    asked.push({ ...options });
    return plugin();
  };
  return { asked, factory };
}

const credential = (persist: boolean) =>
  new identity.DeviceCodeCredential({
    tenantId: 'organizations',
    clientId: '14d82eec-204b-4c2f-b7e8-296a70dab67e',
    // Never contacted: building a credential sends nothing.
    authorityHost: 'https://127.0.0.1:1',
    disableInstanceDiscovery: true,
    userPromptCallback: () => {},
    ...(persist ? { tokenCachePersistenceOptions: { enabled: true, name: CACHE_NAME } } : {}),
  });

describe(`@azure/identity ${installed}: the plug-in context identityPlugin.ts relies on`, () => {
  it('is pinned to one exact version, so an upgrade is a change someone makes (and runs this test for)', () => {
    expect(pkg.dependencies['@azure/identity']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed).toBe(pkg.dependencies['@azure/identity']);
  });

  it('hands a plug-in cachePluginControl.setPersistence', () => {
    let context: unknown;
    identity.useIdentityPlugin((c) => (context = c));
    expect(typeof (context as { cachePluginControl?: { setPersistence?: unknown } }).cachePluginControl?.setPersistence).toBe('function');
  });

  it('a credential that asks for persistence takes its cache from the routed factory, by our cache name; the router follows the latest plan', () => {
    const first = recordingFactory();
    routeIdentityCache(identity, first.factory);
    credential(true);
    expect(first.asked.length).toBeGreaterThan(0);
    // identity means to suffix the name (.nocae/.cae) but spreads our options over it: both spellings name our cache.
    for (const o of first.asked)
      expect(o).toMatchObject({ enabled: true, name: expect.stringMatching(new RegExp(`^${CACHE_NAME}(\\.(no)?cae)?$`)) });

    const second = recordingFactory();
    routeIdentityCache(identity, second.factory);
    credential(true);
    expect(second.asked.length).toBeGreaterThan(0);
    expect(first.asked.length).toBe(second.asked.length);
  });

  it('a credential that does not ask for persistence never touches the factory', () => {
    const f = recordingFactory();
    routeIdentityCache(identity, f.factory);
    credential(false);
    expect(f.asked).toEqual([]);
  });

  it('a cache plug-in written against that context (as @azure/identity-cache-persistence is) gives up its factory without registering it', () => {
    const routed = recordingFactory();
    routeIdentityCache(identity, routed.factory);
    const caught = recordingFactory();
    const keychainLike = (context: unknown) =>
      (context as { cachePluginControl: { setPersistence(f: unknown): void } }).cachePluginControl.setPersistence(caught.factory);
    expect(catchCacheFactory(keychainLike)).toBe(caught.factory);
    expect(catchCacheFactory(undefined)).toBeUndefined();
    // identity still uses the routed factory, not the one that was only caught.
    credential(true);
    expect(routed.asked.length).toBeGreaterThan(0);
    expect(caught.asked).toEqual([]);
  });
});
