// The OS secret store through @azure/identity-cache-persistence (macOS Keychain, libsecret on Linux, DPAPI on
// Windows). It is an optional dependency: its keychain module (keytar) is native and on Linux only builds where
// libsecret and a compiler are present, so npm leaves the whole package out elsewhere. Whether it works is only
// known by trying: loading it, then reading the store once (a locked or absent keyring fails here, not later).

import type { CachePluginFactory } from './cachePlugin.js';
import { scrub } from '../entraErrors/scrub.js';

export const KEYCHAIN_PACKAGE = '@azure/identity-cache-persistence';

export type KeychainProbe =
  | { available: true; store: string; factory: CachePluginFactory }
  | { available: false; store: string; installed: boolean; reason: string };

export type ModuleLoader = (specifier: string) => Promise<unknown>;

// A computed specifier: the package may be absent, so neither tsc nor the bundler may insist on resolving it.
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
          reason: `the optional package ${KEYCHAIN_PACKAGE} is not installed${platform === 'linux' ? '; npm leaves it out when libsecret or a compiler is missing at install time' : ''}`,
        }
      : { available: false, store, installed: true, reason: `its keychain module could not be loaded (${firstLine(e)})` };
  }
  // The package's plugin hands identity a factory; catch that factory instead of letting it register itself.
  let factory: CachePluginFactory | undefined;
  if (typeof mod.cachePersistencePlugin === 'function') {
    (mod.cachePersistencePlugin as (ctx: unknown) => void)({ cachePluginControl: { setPersistence: (f: CachePluginFactory) => (factory = f) } });
  }
  if (!factory) return { available: false, store, installed: true, reason: `${KEYCHAIN_PACKAGE} did not provide a cache plugin (an incompatible version?)` };
  try {
    // Reads the store once: this is where "no keyring daemon" or "keychain locked" shows up.
    await factory({ name: cacheName });
  } catch (err) {
    return { available: false, store, installed: true, reason: firstLine(err) };
  }
  return { available: true, store, factory };
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return scrub(text.split(/\r?\n/)[0] ?? '').replace(/\.$/, '');
}
