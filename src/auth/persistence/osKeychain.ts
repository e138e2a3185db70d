// The OS secret store (macOS Keychain, Windows DPAPI, libsecret on Linux) through the published Azure Identity plug-in
// @azure/identity-cache-persistence: an add-on the user installs beside cloudpc-mcp, not a dependency. Its chain
// (msal-node-extensions → keytar → prebuild-install, a second msal-node, a native runtime) was 42 of the 86 package
// folders and about 60 of the 115 MB of a global install when it was an optional dependency, and keytar's install
// script fetches a native binary from outside the npm registry. Without it, a sign-in is kept in a private file
// (tokenCachePlan.ts). Whether the add-on works is only known by trying: loading it, then reading the store once (a
// locked or absent keyring fails here).

import { createRequire } from 'node:module';
import type { CachePluginFactory } from './cachePlugin.js';
import { catchCacheFactory } from './identityPlugin.js';
import { scrub } from '../entraErrors/scrub.js';

export const KEYCHAIN_PACKAGE = '@azure/identity-cache-persistence';

export type KeychainProbe =
  { available: true; store: string; factory: CachePluginFactory } | { available: false; store: string; installed: boolean; reason: string };

export type ModuleLoader = (specifier: string) => Promise<unknown>;

// A computed specifier: the package is usually absent, so neither tsc nor the bundler may insist on resolving it. Node
// looks for it beside the installed cloudpc-mcp: in a global install's node_modules, or in npx's folder given `-p`.
// require(), not import(): when keytar's native module cannot load (libsecret missing, no prebuilt binary), import()
// rejects and Node 20's ESM loader also leaves a second, unhandled rejection behind, which ends the process; require()
// only throws (tried with the add-on installed beside a global cloudpc-mcp without its binary).
const loadModule: ModuleLoader = async (specifier) => createRequire(import.meta.url)(specifier) as unknown;

export function storeName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'the macOS Keychain';
  if (platform === 'win32') return 'Windows DPAPI (per-user encryption)';
  return 'the Secret Service keyring (libsecret)';
}

export async function probeKeychain(
  cacheName: string,
  load: ModuleLoader = loadModule,
  platform: NodeJS.Platform = process.platform,
): Promise<KeychainProbe> {
  const store = storeName(platform);
  let mod: { cachePersistencePlugin?: unknown };
  try {
    mod = (await load(KEYCHAIN_PACKAGE)) as typeof mod;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // The add-on itself, not a module it requires (whose "Require stack" names the add-on too): the first line says which.
    const missing =
      (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') &&
      String(e.message).split('\n')[0]!.includes(`'${KEYCHAIN_PACKAGE}'`);
    return missing
      ? {
          available: false,
          store,
          installed: false,
          reason: `the keychain add-on ${KEYCHAIN_PACKAGE} is not installed`,
        }
      : { available: false, store, installed: true, reason: `its keychain module could not be loaded (${firstLine(e)})` };
  }
  // The package's plugin hands identity a factory; catch that factory instead of letting it register itself.
  const factory = catchCacheFactory(mod.cachePersistencePlugin);
  if (!factory)
    return {
      available: false,
      store,
      installed: true,
      reason: `${KEYCHAIN_PACKAGE} did not provide a cache plugin (an incompatible version?)`,
    };
  try {
    // Reads the store once: this is where "no keyring daemon" or "keychain locked" shows up.
    await factory({ name: cacheName });
  } catch (err) {
    return { available: false, store, installed: true, reason: firstLine(err) };
  }
  return { available: true, store, factory };
}

/** How to add the keychain add-on, for a global install and for npx (the way MCP clients usually start the server). */
export function keychainHowTo(platform: NodeJS.Platform = process.platform): string {
  const prereq = platform === 'linux' ? 'install libsecret and a keyring (docs/sign-in.md), then ' : '';
  return (
    `${prereq}add the keychain add-on: \`npm install -g ${KEYCHAIN_PACKAGE}\` beside a global cloudpc-mcp, or start the server with ` +
    `\`npx -y -p cloudpc-mcp -p ${KEYCHAIN_PACKAGE} cloudpc-mcp\``
  );
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return scrub(text.split(/\r?\n/)[0] ?? '').replace(/\.$/, '');
}
