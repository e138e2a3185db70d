// The saved sign-in: @azure/identity's AuthenticationRecord (authority, tenant, account id, user name, client id; no
// secrets), which lets a credential find the user's tokens in the persistent cache after a restart. One file per
// cloud, authority, tenant setting and client, so changing any of them never silently reuses another account.

import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readPrivateFile, removeFile, writePrivateFile } from './privateFiles.js';

export interface RecordKey {
  cloud: string;
  authorityHost: string;
  /** The tenant setting ('organizations' by default), not the tenant the user turned out to be in. */
  tenantId: string;
  clientId: string;
}

/** What a saved record says, for status output; `text` is what identity's deserializeAuthenticationRecord takes. */
export interface SavedSignIn {
  text: string;
  username: string;
  tenantId: string;
  homeAccountId: string;
  clientId: string;
  file: string;
}

const PREFIX = 'signin-';

export function recordFile(dir: string, key: RecordKey): string {
  const digest = createHash('sha256')
    .update([key.cloud, key.authorityHost.toLowerCase(), key.tenantId.toLowerCase(), key.clientId.toLowerCase()].join('\n'))
    .digest('hex');
  return path.join(dir, `${PREFIX}${key.cloud}-${digest.slice(0, 16)}.json`);
}

export async function loadSignIn(file: string, clientId: string): Promise<SavedSignIn | undefined> {
  const text = await readPrivateFile(file);
  if (text === undefined) return undefined;
  const parsed = parse(text);
  // A record made for another app would point MSAL at tokens this client cannot use.
  if (!parsed || parsed.clientId.toLowerCase() !== clientId.toLowerCase()) return undefined;
  return { ...parsed, text, file };
}

export async function saveSignIn(file: string, text: string): Promise<void> {
  if (!parse(text)) throw new Error('refusing to save an incomplete authentication record');
  await writePrivateFile(file, text);
}

/** Every saved sign-in in the directory (logout removes them all). */
export async function listSignIns(dir: string): Promise<SavedSignIn[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: SavedSignIn[] = [];
  for (const name of names.filter((n) => n.startsWith(PREFIX) && n.endsWith('.json')).sort()) {
    const file = path.join(dir, name);
    const text = await readPrivateFile(file);
    const parsed = text === undefined ? undefined : parse(text);
    if (text !== undefined && parsed) out.push({ ...parsed, text, file });
  }
  return out;
}

export { removeFile as removeSignIn };

function parse(text: string): Omit<SavedSignIn, 'text' | 'file'> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  const str = (k: string) => (typeof r[k] === 'string' && r[k] !== '' ? r[k] : undefined);
  const username = str('username');
  const tenantId = str('tenantId');
  const homeAccountId = str('homeAccountId');
  const clientId = str('clientId');
  if (!username || !tenantId || !homeAccountId || !clientId || !str('authority')) return undefined;
  return { username, tenantId, homeAccountId, clientId };
}
