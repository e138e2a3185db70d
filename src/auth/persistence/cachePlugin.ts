// The MSAL cache plugin contract (msal-common ICachePlugin) as @azure/identity's persistence hook passes it around,
// restated here so the auth layer does not import MSAL's types.

import { readPrivateFile, removeFile, writePrivateFile } from './privateFiles.js';

export interface SerializableCache {
  serialize(): string;
  deserialize(cache: string): void;
}

export interface CacheContext {
  readonly cacheHasChanged: boolean;
  readonly tokenCache: SerializableCache;
}

/** Where a cache plugin keeps its bytes; msal-node-extensions' persistences have this shape too. */
export interface CachePersistence {
  load(): Promise<string | null | undefined>;
  save(contents: string): Promise<void>;
  delete(): Promise<boolean>;
}

export interface CachePlugin {
  beforeCacheAccess(context: CacheContext): Promise<void>;
  afterCacheAccess(context: CacheContext): Promise<void>;
  /** Present on msal-node-extensions' PersistenceCachePlugin and on ours; logout uses it. */
  persistence?: CachePersistence;
}

/** identity's TokenCachePersistenceOptions as the plugin factory receives them. */
export interface PersistenceOptions {
  name?: string;
  enabled?: boolean;
  unsafeAllowUnencryptedStorage?: boolean;
}

export type CachePluginFactory = (options?: PersistenceOptions) => Promise<CachePlugin>;

// The token cache as a private file: auto's choice where the OS keychain add-on is not installed, or what
// CLOUDPC_MCP_TOKEN_CACHE=unencrypted asks for. Private to the user (0600, in a 0700 directory), rewritten atomically,
// and read before every cache access, so two servers of the same user see each other's sign-ins and refreshes.
// Ours rather than msal-node-extensions' FilePersistence + PersistenceCachePlugin, which do this job: that package
// (5.6.1) installs 40 package folders and 53 MB (keytar, prebuild-install, msal-node-runtime), measured with
// `npm install --ignore-scripts @azure/msal-node-extensions@5.6.1` in an empty folder, against 44 folders for this
// whole server; it would break the 70-folder install limit and bring back keytar's binary download at install time.
// What it adds over this (a lock file between writers) matters little here: a lost race costs one refresh.
export function fileTokenCache(file: string): CachePlugin & { persistence: CachePersistence } {
  const persistence: CachePersistence = {
    load: () => readPrivateFile(file),
    save: (contents) => writePrivateFile(file, contents),
    delete: () => removeFile(file),
  };
  return {
    persistence,
    async beforeCacheAccess(context) {
      const text = await persistence.load();
      if (text) context.tokenCache.deserialize(text);
    },
    async afterCacheAccess(context) {
      if (context.cacheHasChanged) await persistence.save(context.tokenCache.serialize());
    },
  };
}
