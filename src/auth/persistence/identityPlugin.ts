// The one place this server relies on a part of @azure/identity that is not public: the context its
// `useIdentityPlugin` hands a plug-in. The function is public; what it passes (`AzurePluginContext`, whose
// `cachePluginControl.setPersistence(factory)` chooses the token cache every credential with
// `tokenCachePersistenceOptions.enabled` uses) is marked @internal, and identity offers no public option to give a
// credential a cache plug-in of one's own (it was removed before 2.0, Azure/azure-sdk-for-js#11871). The published
// keychain plug-in, @azure/identity-cache-persistence, is written against the same context.
//
// It is used both ways round, here only:
//   - routeIdentityCache: identity → our factory (the private file cache, or the keychain's factory).
//   - catchCacheFactory:  a plug-in → us, so the keychain can be tried (and logged out of) before identity uses it.
// Why it is worth it: sign in once without the keychain add-on's 42 packages and native build (docs/development.md).
// @azure/identity is pinned exactly in package.json, and test/unit/auth.identityPlugin.test.ts fails when an upgrade
// changes the context's shape or stops calling the factory with the cache name.

import type { CachePluginFactory } from './cachePlugin.js';

/** The part of AzurePluginContext this file relies on. */
export interface CachePluginContext {
  cachePluginControl: { setPersistence(factory: CachePluginFactory): void };
}

/** A plug-in as useIdentityPlugin takes it (identity types its argument `unknown`). */
export type IdentityPlugin = (context: unknown) => void;

// @azure/identity holds one persistence provider per process (setPersistence sets a module variable), so one
// router is registered once and follows the plan of the store opened last.
let currentFactory: CachePluginFactory | undefined;
let registered = false;

export function routeIdentityCache(identity: { useIdentityPlugin(plugin: IdentityPlugin): void }, factory: CachePluginFactory): void {
  currentFactory = factory;
  if (registered) return;
  identity.useIdentityPlugin((context) => {
    const control = (context as Partial<CachePluginContext> | undefined)?.cachePluginControl;
    if (typeof control?.setPersistence !== 'function') {
      throw new Error(
        '@azure/identity no longer passes cachePluginControl.setPersistence to plug-ins; see src/auth/persistence/identityPlugin.ts',
      );
    }
    control.setPersistence((options) => {
      if (!currentFactory) throw new Error('no token cache is configured');
      return currentFactory(options);
    });
  });
  registered = true;
}

/** Runs a cache plug-in against a stand-in context and keeps the factory it hands over, instead of registering it. */
export function catchCacheFactory(plugin: unknown): CachePluginFactory | undefined {
  if (typeof plugin !== 'function') return undefined;
  let factory: CachePluginFactory | undefined;
  const context: CachePluginContext = { cachePluginControl: { setPersistence: (f) => (factory = f) } };
  (plugin as IdentityPlugin)(context);
  return factory;
}
