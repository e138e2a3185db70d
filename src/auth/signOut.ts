// `cloudpc-mcp logout`: forget every sign-in this server saved. Removes the saved AuthenticationRecords, the
// unencrypted token cache files (ours alone), and, from the OS secret store that other Azure tools share, only the
// entries of this server's client for the saved accounts.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { listSignIns, removeSignIn } from './authRecordStore.js';
import { removeAccounts } from './cacheEntries.js';
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

export async function signOut(
  dir: string,
  probe: (cacheName: string) => Promise<KeychainProbe> = probeKeychain,
): Promise<SignOutResult> {
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
