// What a delegated sign-in keeps between restarts: the token cache plan and the saved AuthenticationRecord, opened
// together because one is useless without the other (the record finds the account, the cache holds its tokens).

import { loadSignIn, recordFile, saveSignIn, type RecordKey, type SavedSignIn } from './authRecordStore.js';
import { configDir } from './privateFiles.js';
import { AUTH_ENV } from '../methods.js';
import type { KeychainProbe } from './osKeychain.js';
import { promises as fs } from 'node:fs';
import { planTokenCache, unencryptedCacheFile, type TokenCachePlan, type TokenCacheSetting } from './tokenCachePlan.js';

export interface SignInStoreSettings {
  setting: TokenCacheSetting;
  /** Where the config directory comes from (CLOUDPC_MCP_CONFIG_DIR, HOME, APPDATA, XDG_CONFIG_HOME). */
  env: NodeJS.ProcessEnv;
  key: RecordKey;
}

export interface SignInStore {
  readonly plan: TokenCachePlan;
  readonly recordFile: string;
  /** The account signed in before, when a record was saved for this cloud, tenant setting and client. */
  readonly saved: SavedSignIn | undefined;
  /** Saves a serialized AuthenticationRecord when the plan keeps records; returns whether it did. */
  save(recordText: string): Promise<boolean>;
  /** A token cache file from an earlier start (auto without the keychain, or unencrypted), now unused but still on disk. */
  readonly leftover?: string;
}

export async function openSignInStore(
  settings: SignInStoreSettings,
  probe?: (cacheName: string) => Promise<KeychainProbe>,
): Promise<SignInStore> {
  let dir: string;
  try {
    dir = settings.setting === 'none' ? '' : configDir(settings.env);
  } catch (err) {
    return nothingKept(`This sign-in will not be remembered when the server restarts: ${(err as Error).message}`);
  }
  const plan = await planTokenCache(settings.setting, dir, probe);
  const old = dir && plan.kind !== 'unencrypted-file' ? unencryptedCacheFile(dir) : undefined;
  const leftover =
    old &&
    (await fs.access(old).then(
      () => true,
      () => false,
    ))
      ? old
      : undefined;
  if (!plan.saveRecord) return { ...nothingKept(plan.advice ?? plan.summary, plan), ...(leftover ? { leftover } : {}) };
  const file = recordFile(dir, settings.key);
  let saved = await loadSignIn(file, settings.key.clientId);
  return {
    ...(leftover ? { leftover } : {}),
    plan,
    recordFile: file,
    get saved() {
      return saved;
    },
    async save(recordText) {
      await saveSignIn(file, recordText);
      saved = await loadSignIn(file, settings.key.clientId);
      return true;
    },
  };
}

function nothingKept(advice: string, plan?: TokenCachePlan): SignInStore {
  return {
    plan: plan ?? {
      setting: 'auto',
      kind: 'memory',
      summary: `Tokens are kept in memory only (no directory to keep them in; set ${AUTH_ENV.configDir}).`,
      advice,
      saveRecord: false,
    },
    recordFile: '',
    saved: undefined,
    save: async () => false,
  };
}
