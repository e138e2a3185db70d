// The token cache as a plain file, for CLOUDPC_MCP_TOKEN_CACHE=unencrypted only: the user asked for it because no OS
// secret store is available. The file is private to the user (0600, in a 0700 directory) and rewritten atomically.
// It is read before every cache access, so two servers of the same user see each other's sign-ins and refreshes.

import { readPrivateFile, removeFile, writePrivateFile } from './privateFiles.js';
import type { CachePlugin, CachePersistence } from './cachePlugin.js';

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
