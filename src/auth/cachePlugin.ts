// The MSAL cache plugin contract (msal-common ICachePlugin) as @azure/identity's persistence hook passes it around,
// restated here so the auth layer does not import MSAL's types.

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
