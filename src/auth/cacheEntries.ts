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
  const str = (e: Record<string, unknown>, k: string) => (typeof e[k] === 'string' ? (e[k] as string).toLowerCase() : '');
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
  const stillUsed = new Set(
    CREDENTIAL_SECTIONS.flatMap((s) => Object.values(cache[s] ?? {}).map((e) => str(e, 'home_account_id'))),
  );
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
