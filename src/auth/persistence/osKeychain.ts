// The OS secret store (macOS Keychain, Windows DPAPI, libsecret on Linux) through the published Azure Identity plug-in
// @azure/identity-cache-persistence: an add-on the user installs beside cloudpc-mcp, not a dependency. Its chain
// (msal-node-extensions → keytar → prebuild-install, a second msal-node and a native runtime: 20+ packages, most of
// the install's size) would otherwise land in every install, and keytar's install script fetches a native binary from
// outside the npm registry. Without it, a sign-in is kept in a private file (tokenCachePlan.ts). Whether the add-on
// works is only known by trying: loading it, then reading the store once (a locked or absent keyring fails here).

import type { CachePluginFactory } from './cachePlugin.js';
import { catchCacheFactory } from './identityPlugin.js';
import { scrub } from '../entraErrors/scrub.js';

export const KEYCHAIN_PACKAGE = '@azure/identity-cache-persistence';

export type KeychainProbe =
  | { available: true; store: string; factory: CachePluginFactory }
  | { available: false; store: string; installed: boolean; reason: string };

export type ModuleLoader = (specifier: string) => Promise<unknown>;

// A computed specifier: the package is usually absent, so neither tsc nor the bundler may insist on resolving it. Node
// looks for it beside the installed cloudpc-mcp: in a global install's node_modules, or in npx's folder given `-p`.
const loadModule: ModuleLoader = (specifier) => import(specifier);

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
    const missing = (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && String(e.message).includes(KEYCHAIN_PACKAGE);
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
  if (!factory) return { available: false, store, installed: true, reason: `${KEYCHAIN_PACKAGE} did not provide a cache plugin (an incompatible version?)` };
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
