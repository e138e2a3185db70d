// `cloudpc-mcp logout`: forget every sign-in this server saved. Removes the saved AuthenticationRecords, the
// unencrypted token cache files (ours alone), and, from the OS secret store that other Azure tools share, only the
// entries of this server's client for the saved accounts.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { listSignIns, removeSignIn } from './authRecordStore.js';
import { probeKeychain, type KeychainProbe } from './osKeychain.js';
import { removeFile } from './privateFiles.js';
import { CACHE_NAME } from './tokenCachePlan.js';

export interface SignOutResult {
  /** Accounts whose saved sign-in was removed. */
  accounts: string[];
  /** Files removed. */
  files: string[];
  /** Token entries removed from the OS secret store. */
  keychainEntries: number;
  /** Why the OS secret store was not touched, when it was not. */
  keychainSkipped?: string;
}

export async function signOut(dir: string, probe: (cacheName: string) => Promise<KeychainProbe> = probeKeychain): Promise<SignOutResult> {
  const saved = dir ? await listSignIns(dir) : [];
  const result: SignOutResult = { accounts: [], files: [], keychainEntries: 0 };

  // Only accounts a saved record names: the store is shared, and an entry of another tool must never go.
  const byClient = new Map<string, string[]>();
  for (const s of saved) byClient.set(s.clientId.toLowerCase(), [...(byClient.get(s.clientId.toLowerCase()) ?? []), s.homeAccountId]);
  const keychain = byClient.size ? await probe(CACHE_NAME) : undefined;
  if (keychain?.available) {
    // The name identity gives the plugin (see CACHE_NAME); on Linux and macOS it is one shared secret anyway.
    const persistence = (await keychain.factory({ name: CACHE_NAME })).persistence;
    if (persistence) {
      let text = (await persistence.load()) ?? '';
      for (const [client, homeAccountIds] of byClient) {
        const r = removeAccounts(text, { clientId: client, homeAccountIds });
        text = r.text;
        result.keychainEntries += r.removed;
      }
      if (result.keychainEntries) await persistence.save(text);
    }
  } else if (keychain) {
    result.keychainSkipped = `${keychain.store} is not available (${keychain.reason})`;
  }

  if (dir) {
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (name.startsWith('token-cache-') && name.endsWith('.json')) {
        const file = path.join(dir, name);
        if (await removeFile(file)) result.files.push(file);
      }
    }
  }
  for (const s of saved) {
    if (await removeSignIn(s.file)) {
      result.files.push(s.file);
      if (!result.accounts.includes(s.username)) result.accounts.push(s.username);
    }
  }
  return result;
}

// Logout from a token cache that may be shared: @azure/identity-cache-persistence keeps every app's MSAL cache in one
// OS secret ("Microsoft.Developer.IdentityService"), so signing out of this server must remove only the entries
// of its own client and accounts, never the whole secret. Works on MSAL's serialized cache JSON.
const CREDENTIAL_SECTIONS = ['AccessToken', 'RefreshToken', 'IdToken'] as const;

export interface AccountMatch {
  clientId: string;
  /** Only these accounts; empty means every account of the client. */
  homeAccountIds: readonly string[];
}

export interface Removal {
  text: string;
  /** Section and key of each entry removed, e.g. "RefreshToken:<key>". */
  removedKeys: string[];
  removed: number;
  /** Nothing is left in the cache at all. */
  empty: boolean;
}

type Section = Record<string, Record<string, unknown>>;

export function removeAccounts(serialized: string, match: AccountMatch): Removal {
  let cache: Record<string, Section>;
  try {
    const parsed: unknown = JSON.parse(serialized || '{}');
    cache = parsed && typeof parsed === 'object' ? (parsed as Record<string, Section>) : {};
  } catch {
    // Unreadable means nothing we could have written; leave it to its owner.
    return { text: serialized, removedKeys: [], removed: 0, empty: false };
  }
  const client = match.clientId.toLowerCase();
  const accounts = new Set(match.homeAccountIds.map((a) => a.toLowerCase()));
  const str = (e: Record<string, unknown>, k: string) => (typeof e[k] === 'string' ? e[k].toLowerCase() : '');
  const touched = new Set<string>();
  const removedKeys: string[] = [];
  for (const section of CREDENTIAL_SECTIONS) {
    const entries = cache[section];
    if (!entries) continue;
    for (const [key, entry] of Object.entries(entries)) {
      const home = str(entry, 'home_account_id');
      if (str(entry, 'client_id') === client && (accounts.size === 0 || accounts.has(home))) {
        delete entries[key];
        touched.add(home);
        removedKeys.push(`${section}:${key}`);
      }
    }
  }
  const stillUsed = new Set(CREDENTIAL_SECTIONS.flatMap((s) => Object.values(cache[s] ?? {}).map((e) => str(e, 'home_account_id'))));
  for (const [key, entry] of Object.entries(cache['Account'] ?? {})) {
    const home = str(entry, 'home_account_id');
    if (touched.has(home) && !stillUsed.has(home)) {
      delete cache['Account']![key];
      removedKeys.push(`Account:${key}`);
    }
  }
  if (!stillUsed.size) {
    for (const [key, entry] of Object.entries(cache['AppMetadata'] ?? {})) {
      if (str(entry, 'client_id') === client) delete cache['AppMetadata']![key];
    }
  }
  const empty = Object.values(cache).every((s) => !s || typeof s !== 'object' || Object.keys(s).length === 0);
  return { text: JSON.stringify(cache), removedKeys, removed: removedKeys.length, empty };
}
