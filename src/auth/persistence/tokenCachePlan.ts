// Decides where a delegated sign-in's tokens are kept between restarts, and says so in words a user can act on.
//   auto (default)  the OS secret store when it works; otherwise memory only, and every prompt says why and what
//                   the user can do. Tokens are never written in clear text unless asked for.
//   unencrypted     a file only the user can read (0600), with a loud warning: for hosts without a secret store.
//   none            nothing on disk, not even which account signed in.

import path from 'node:path';
import type { CachePluginFactory } from './cachePlugin.js';
import { AuthError } from '../errors.js';
import { fileTokenCache } from './cachePlugin.js';
import { AUTH_ENV } from '../methods.js';
import { probeKeychain, type KeychainProbe } from './osKeychain.js';
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
    `${AUTH_ENV.tokenCache}="${env[AUTH_ENV.tokenCache]}" is not one of ${TOKEN_CACHE_SETTINGS.join(', ')}: auto keeps the sign-in in the OS secret store when there is one; unencrypted keeps it in a file only your user can read; none keeps nothing.`,
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
  if (setting === 'unencrypted') {
    const file = (name: string | undefined) => unencryptedCacheFile(dir, name);
    return {
      setting,
      kind: 'unencrypted-file',
      summary: `Tokens, including the refresh token, are kept UNENCRYPTED in ${file(CACHE_NAME)} (readable only by your user), because ${AUTH_ENV.tokenCache}=unencrypted.`,
      warning: `WARNING: ${AUTH_ENV.tokenCache}=unencrypted: the refresh token is stored UNENCRYPTED in ${dir}. Anyone who can read your files (a backup, another administrator, malware running as you) can act as you in Microsoft Graph until it expires. Prefer an OS secret store; remove it with \`npx cloudpc-mcp logout\`.`,
      saveRecord: true,
      factory: async (options) => fileTokenCache(file(options?.name)),
    };
  }
  const probed = await probe(CACHE_NAME);
  if (probed.available) {
    return { setting, kind: 'os-store', summary: `Tokens are kept encrypted in ${probed.store}.`, saveRecord: true, factory: probed.factory };
  }
  return {
    setting,
    kind: 'memory',
    summary: `Tokens are kept in memory only: ${probed.store} is not available here (${probed.reason}).`,
    advice:
      `This sign-in will not be remembered when the server restarts: ${probed.store} is not available here (${probed.reason}). ` +
      `To sign in only once, ${fixFor(process.platform)}; or set ${AUTH_ENV.tokenCache}=unencrypted to keep the tokens in a file only your user can read (not encrypted).`,
    saveRecord: true,
  };
}

function fixFor(platform: NodeJS.Platform): string {
  if (platform === 'linux') return 'install libsecret and a keyring, then reinstall cloudpc-mcp (docs/sign-in.md, "Where the sign-in is kept")';
  return 'reinstall cloudpc-mcp so its optional keychain module installs (docs/sign-in.md, "Where the sign-in is kept")';
}
