// Decides where a delegated sign-in's tokens are kept between restarts, and says so in words a user can act on.
//   auto (default)  the OS secret store when its add-on is installed (osKeychain.ts); without the add-on a file only
//                   the user can read (0600 in a 0700 directory): sign in once on every desktop, without native
//                   modules in the default install. An add-on that is installed but fails (a locked keyring) means
//                   memory only, as with keychain.
//   keychain        the OS secret store or nothing: memory only where it does not work, and every prompt says why.
//   unencrypted     the private file, never asking the keychain, with a loud warning at each start.
//   none            nothing on disk, not even which account signed in.

import path from 'node:path';
import type { CachePluginFactory } from './cachePlugin.js';
import { AuthError } from '../authErrors.js';
import { fileTokenCache } from './cachePlugin.js';
import { AUTH_ENV } from '../methods.js';
import { keychainHowTo, probeKeychain, type KeychainProbe } from './osKeychain.js';
import { TOKEN_CACHE_SETTINGS } from '../../config/settings.js';

export { TOKEN_CACHE_SETTINGS };
export type TokenCacheSetting = (typeof TOKEN_CACHE_SETTINGS)[number];
export type TokenCacheKind = 'os-store' | 'unencrypted-file' | 'memory';

/**
 * The cache name. identity 4.13 means to pass `<name>.nocae` / `<name>.cae` to the plugin, but spreads our options
 * over that, so the plugin receives this name as it is; both spellings are handled the same way here.
 */
export const CACHE_NAME = 'cloudpc-mcp';

export interface TokenCachePlan {
  setting: TokenCacheSetting;
  kind: TokenCacheKind;
  /** One sentence: where tokens are kept, or that they are not. */
  summary: string;
  /** When a sign-in will not survive a restart: why, and the user's choices. Goes into sign-in prompts. */
  advice?: string;
  /** For stderr at start-up: the unencrypted cache warning. */
  warning?: string;
  /** Whether the AuthenticationRecord (no secrets) is saved. */
  saveRecord: boolean;
  /** Present when tokens are persisted. */
  factory?: CachePluginFactory;
}

export function parseTokenCacheSetting(env: NodeJS.ProcessEnv): TokenCacheSetting {
  const raw = env[AUTH_ENV.tokenCache]?.trim().toLowerCase();
  if (!raw) return 'auto';
  if ((TOKEN_CACHE_SETTINGS as readonly string[]).includes(raw)) return raw as TokenCacheSetting;
  throw new AuthError(
    'invalid_configuration',
    `${AUTH_ENV.tokenCache}="${env[AUTH_ENV.tokenCache]}" is not one of ${TOKEN_CACHE_SETTINGS.join(', ')}: auto keeps the sign-in in the OS secret store when its add-on is installed, otherwise in a file only your user can read; keychain only in the OS secret store; unencrypted only in that file; none keeps nothing.`,
  );
}

export function unencryptedCacheFile(dir: string, name: string = CACHE_NAME): string {
  return path.join(dir, `token-cache-${name.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

export async function planTokenCache(
  setting: TokenCacheSetting,
  dir: string,
  probe: (cacheName: string) => Promise<KeychainProbe> = probeKeychain,
): Promise<TokenCachePlan> {
  if (setting === 'none') {
    return {
      setting,
      kind: 'memory',
      summary: `Tokens are kept in memory only (${AUTH_ENV.tokenCache}=none): a restart needs a new sign-in.`,
      advice: `This sign-in will not be remembered when the server restarts (${AUTH_ENV.tokenCache}=none).`,
      saveRecord: false,
    };
  }
  if (setting === 'unencrypted') return filePlan(setting, dir);
  const probed = await probe(CACHE_NAME);
  if (probed.available) {
    return {
      setting,
      kind: 'os-store',
      summary: `Tokens are kept encrypted in ${probed.store}.`,
      saveRecord: true,
      factory: probed.factory,
    };
  }
  // An installed add-on says the user wants the keychain: where it fails (a locked keyring, no Secret Service), tokens
  // stay in memory and the prompt says why, rather than quietly landing in a file.
  if (setting === 'auto' && !probed.installed) return filePlan(setting, dir, probed);
  const fix = probed.installed ? `make ${probed.store} available (docs/sign-in.md, "Adding the keychain")` : keychainHowTo();
  return {
    setting,
    kind: 'memory',
    summary: `Tokens are kept in memory only: ${probed.store} is not available here (${probed.reason}).`,
    advice:
      `This sign-in will not be remembered when the server restarts: ${probed.store} is not available here (${probed.reason}). ` +
      `To sign in only once, ${fix}; or set ${AUTH_ENV.tokenCache}=unencrypted to keep the tokens in a file only your user can read (not encrypted).`,
    saveRecord: true,
  };
}

/** The private file: asked for (unencrypted, with a warning at each start) or auto's choice where no keychain works. */
function filePlan(setting: TokenCacheSetting, dir: string, probed?: Extract<KeychainProbe, { available: false }>): TokenCachePlan {
  const file = (name: string | undefined) => unencryptedCacheFile(dir, name);
  const factory: CachePluginFactory = async (options) => fileTokenCache(file(options?.name));
  if (probed) {
    return {
      setting,
      kind: 'unencrypted-file',
      summary:
        `Tokens, including the refresh token, are kept in ${file(CACHE_NAME)}, readable only by your user (not encrypted: ${probed.store} is not in use, ${probed.reason}). ` +
        `To keep them encrypted there instead, ${keychainHowTo()}.`,
      saveRecord: true,
      factory,
    };
  }
  return {
    setting,
    kind: 'unencrypted-file',
    summary: `Tokens, including the refresh token, are kept UNENCRYPTED in ${file(CACHE_NAME)} (readable only by your user), because ${AUTH_ENV.tokenCache}=unencrypted.`,
    warning: `WARNING: ${AUTH_ENV.tokenCache}=unencrypted: the refresh token is stored UNENCRYPTED in ${dir}. Anyone who can read your files (a backup, another administrator, malware running as you) can act as you in Microsoft Graph until it expires. Prefer the OS keychain add-on (docs/sign-in.md); remove it with \`npx cloudpc-mcp logout\`.`,
    saveRecord: true,
    factory,
  };
}
