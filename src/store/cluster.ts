// Redis Cluster: Azure Managed Redis's default clustering policy (OSS) speaks the Redis Cluster API, so a client must
// connect to every shard and send each key to the shard that owns its slot; one plain connection gets MOVED errors for
// keys on the other shards. The server finds out by itself: a cluster node answers CLUSTER INFO, while a single server,
// and the Enterprise and non-clustered policies (one endpoint that answers like a single server), refuse it.
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import type { RedisClientOptions, RedisClusterOptions } from 'redis';

/** No modules, functions, scripts or type mapping: the plain client, as createClient makes it. */
type None = Record<never, never>;

/** Pure: whether a CLUSTER INFO reply comes from a node of a Redis Cluster. */
export function saysCluster(reply: unknown): boolean {
  return /^cluster_state:/m.test(String(reply));
}

/**
 * Whether the server behind a connected client is a cluster node. A refused command (an error reply: "cluster support
 * disabled", "not allowed", an unknown command) means a single endpoint; a lost connection is not an answer and fails.
 */
export async function isClusterNode(
  client: { clusterInfo(): Promise<unknown> },
  isErrorReply: (err: unknown) => boolean,
): Promise<boolean> {
  try {
    return saysCluster(await client.clusterInfo());
  } catch (err) {
    if (isErrorReply(err)) return false;
    throw err;
  }
}

/**
 * The cluster client's options from the single client's: the URL is the root node that tells the topology; the shard
 * connections are made from `defaults` only (node-redis docs/clustering.md, "Root nodes vs. defaults"), so the URL's
 * credentials, TLS, the Entra credentials provider (one provider, each shard connection subscribes to its tokens),
 * timeouts and the no-offline-queue rule go there too.
 */
export function clusterOptions(single: RedisClientOptions): RedisClusterOptions<None, None, None, 3, None> {
  const url = new URL(single.url!);
  const { url: _root, socket, ...rest } = single;
  const tls = url.protocol === 'rediss:';
  return {
    rootNodes: [{ url: single.url! }],
    defaults: {
      ...rest,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      socket: {
        connectTimeout: socket?.connectTimeout,
        reconnectStrategy: socket?.reconnectStrategy,
        ...(tls ? { tls: true as const, checkServerIdentity: shardIdentity(url.hostname) } : { tls: false as const }),
      },
    },
  };
}

/**
 * TLS to a shard: its certificate must be valid for the address the cluster announced, or for the cache's own host
 * name. Azure Managed Redis behind a private endpoint announces shards by IP address, which its certificate does not
 * name (redis/node-redis#2903); the certificate is still checked, against the name the administrator configured.
 */
export function shardIdentity(configuredHost: string): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    const own = checkServerIdentity(host, cert);
    if (!own || isIP(configuredHost) || host === configuredHost) return own;
    return checkServerIdentity(configuredHost, cert) ? own : undefined;
  };
}
