// Opens the store the settings name: memory without CLOUDPC_MCP_REDIS_URL, else Redis, connected before the server
// takes requests. A Redis that refuses the credentials or cannot be reached at start-up is a configuration problem
// (exit 2 with the setting and the fix); once running, the client reconnects by itself, forever, with backoff. A Redis
// Cluster (Azure Managed Redis's OSS clustering policy) is found on connect and served by a cluster client (cluster.ts).
import type { RedisClientOptions, RedisClientType, RedisClusterType } from 'redis';
import type { RedisConfig, StoreConfig } from '../config/store.js';
import type { Logger } from '../core/log.js';
import { clusterOptions, isClusterNode } from './cluster.js';
import { MemoryStore } from './memory.js';
import { RedisStore } from './redis.js';
import type { StateStore } from './types.js';

/** What went wrong at start-up, worded as a configuration problem. */
export interface StoreStartProblem {
  setting: string;
  message: string;
}

export type OpenedStore = { ok: true; store: StateStore } | { ok: false; problem: StoreStartProblem };

const START_ATTEMPTS = 3;
const CONNECT_TIMEOUT_MS = 10_000;

/** node-redis options for the settings: TLS from rediss://, the password from the URL, or Entra tokens (@redis/entraid). */
export async function redisClientOptions(cfg: RedisConfig, started: () => boolean): Promise<RedisClientOptions> {
  const options: RedisClientOptions = {
    url: cfg.url,
    // Fail at once while disconnected: a command queued now could decide a plan on state that changed meanwhile.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // At start-up a few attempts, then the problem is reported; once running, reconnect forever (at most every 2 s).
      reconnectStrategy: (retries: number, cause: Error) =>
        !started() && retries >= START_ATTEMPTS ? cause : Math.min(2_000, 100 * 2 ** retries),
    },
  };
  if (cfg.auth === 'entra') options.credentialsProvider = await entraCredentialsProvider(cfg.authority);
  return options;
}

/**
 * Microsoft's Node.js quickstart for Azure Managed Redis: @redis/entraid with an @azure/identity credential. The
 * server's own Azure identity (DefaultAzureCredential: the managed identity in Azure, AZURE_CLIENT_ID for a
 * user-assigned one, or a service principal from AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET) gets a token
 * for Redis, which the provider renews before it expires and sends with AUTH on every connection.
 */
export async function entraCredentialsProvider(
  authority: RedisConfig['authority'],
): Promise<NonNullable<RedisClientOptions['credentialsProvider']>> {
  const [entraid, { DefaultAzureCredential }] = await Promise.all([import('@redis/entraid'), import('@azure/identity')]);
  // A CommonJS package: through a bundle its exports arrive as the namespace's default.
  const { EntraIdCredentialsProviderFactory, REDIS_SCOPE_DEFAULT } = entraid.EntraIdCredentialsProviderFactory ? entraid : entraid.default;
  return EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({
    credential: new DefaultAzureCredential({ authorityHost: authority.host, disableInstanceDiscovery: authority.disableInstanceDiscovery }),
    scopes: REDIS_SCOPE_DEFAULT,
    tokenManagerConfig: { expirationRefreshRatio: 0.8 },
  });
}

type RedisLib = typeof import('redis');
type Connection = RedisClientType | RedisClusterType;

export async function openStore(cfg: StoreConfig, logger: Logger): Promise<OpenedStore> {
  if (!cfg.redis) return { ok: true, store: new MemoryStore() };
  const redis = cfg.redis;
  let started = false;
  const health = new Health(redis.where, logger, () => started);
  let client: Connection;
  try {
    // Loaded only when Redis is configured: one replica on memory never pays for the client.
    const lib = await import('redis');
    // A CommonJS package: through a bundle its exports arrive as the namespace's default.
    const redisLib = typeof lib.createClient === 'function' ? lib : (lib as unknown as { default: RedisLib }).default;
    client = await connect(redisLib, await redisClientOptions(redis, () => started), health);
  } catch (err) {
    return { ok: false, problem: startProblem(redis, health.lastError ?? (err as Error), health.cluster) };
  }
  started = true;
  const shards = 'masters' in client ? `, a cluster of ${client.masters.length} shards` : '';
  logger.info(
    `shared store: Redis at ${redis.where}${shards} (keys under "${redis.prefix}", ${redis.auth === 'entra' ? 'Entra ID' : 'password'} authentication)`,
  );
  return { ok: true, store: new RedisStore({ client, prefix: redis.prefix, where: redis.where }) };
}

/**
 * One client to the URL; when the server is a cluster node, a cluster client with that URL as its root node instead
 * (connected before the first client closes, so an Entra token is fetched once). Either answers PING before it is used.
 */
async function connect(lib: RedisLib, options: RedisClientOptions, health: Health): Promise<Connection> {
  const single = health.watch(lib.createClient(options), 'error', 'ready');
  try {
    await single.connect();
    if (!(await isClusterNode(single, (err) => err instanceof lib.ErrorReply))) {
      await single.ping();
      return single;
    }
    health.cluster = true;
    const cluster = health.watch(lib.createCluster(clusterOptions(options)), 'node-error', 'node-ready');
    cluster.on('error', (err: Error) => (health.lastError = err));
    try {
      await cluster.connect();
      await cluster.ping();
    } catch (err) {
      cluster.destroy();
      throw err;
    }
    single.destroy();
    return cluster;
  } catch (err) {
    single.destroy();
    throw err;
  }
}

/** Logs a lost Redis (or shard) once, and again when it answers; keeps the last error for a start-up problem. */
class Health {
  lastError: Error | undefined;
  /** Whether the endpoint turned out to be a cluster node (its shards are connected to as well). */
  cluster = false;
  readonly #down = new Set<string>();
  constructor(
    private readonly where: string,
    private readonly logger: Logger,
    private readonly started: () => boolean,
  ) {}

  watch<C extends Connection>(client: C, errorEvent: string, readyEvent: string): C {
    client.on(errorEvent, (err: Error, node?: { host: string; port: number }) => {
      this.lastError = err;
      const at = node ? `${node.host}:${node.port}` : this.where;
      if (this.started() && !this.#down.has(at))
        this.logger.warn(`shared store: lost Redis at ${at}; plans are refused until it answers again (reconnecting)`, {
          error: err.message.split('\n')[0],
        });
      this.#down.add(at);
    });
    client.on(readyEvent, (node?: { host: string; port: number }) => {
      const at = node ? `${node.host}:${node.port}` : this.where;
      if (this.started() && this.#down.has(at)) this.logger.info(`shared store: Redis at ${at} answers again`);
      this.#down.delete(at);
    });
    return client;
  }
}

/** Pure: a start-up failure as the setting to fix and how. */
export function startProblem(redis: RedisConfig, err: Error, cluster = false): StoreStartProblem {
  const text = err.message.split('\n')[0] ?? '';
  if (redis.auth === 'entra' && /Credential|authentication failed|AADSTS/i.test(`${err.name} ${text}`)) {
    return {
      setting: 'CLOUDPC_MCP_REDIS_AUTH (entra)',
      message: `the server's Azure identity could not get a Microsoft Entra token for Redis (${text}). In Azure, give the app a managed identity (AZURE_CLIENT_ID names a user-assigned one); elsewhere set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET; or use CLOUDPC_MCP_REDIS_AUTH=password with an access key in CLOUDPC_MCP_REDIS_URL.`,
    };
  }
  if (/WRONGPASS|NOAUTH|NOPERM|invalid (username|password)|\bAUTH\b/i.test(text)) {
    return redis.auth === 'entra'
      ? {
          setting: 'CLOUDPC_MCP_REDIS_AUTH (entra)',
          message: `Redis at ${redis.where} refused the server's Microsoft Entra token (${text}). Give the server's managed identity (or service principal) data access on the cache (Azure portal: the cache's Authentication, "Microsoft Entra", add the identity), or use CLOUDPC_MCP_REDIS_AUTH=password with an access key in CLOUDPC_MCP_REDIS_URL.`,
        }
      : {
          setting: 'CLOUDPC_MCP_REDIS_URL',
          message: `Redis at ${redis.where} refused the credentials (${text}). Put the cache's access key (password) in the URL, rediss://:<access key>@<host>:<port>, or use CLOUDPC_MCP_REDIS_AUTH=entra where the cache uses Microsoft Entra authentication.`,
        };
  }
  return {
    setting: 'CLOUDPC_MCP_REDIS_URL',
    message: cluster
      ? `Redis at ${redis.where} is a Redis Cluster (Azure Managed Redis: the OSS clustering policy), and a shard of it could not be reached (${text || err.name}). The server connects to every shard as well as to the URL: let this network reach the shards' ports too (85xx on Azure Managed Redis), or choose the Enterprise clustering policy, which serves every key through the one endpoint.`
      : `Redis at ${redis.where} could not be reached (${text || err.name}). Check the host and port (Azure Managed Redis: rediss://<name>.<region>.redis.azure.net:10000), that the cache lets this network in, and that it is running.`,
  };
}
