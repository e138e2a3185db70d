// Wires config to the Graph client and the token provider, both created on first use: start-up does no auth work.
import type { Dispatcher } from 'undici';
import { createGraphAgent, GRAPH_CONNECTIONS, type ProxyUse } from '../graph/dispatcher.js';
import type { Config } from '../config/config.js';
import { BulkActionCache } from '../graph/bulkActions.js';
import { SCOPE_READ, SCOPE_RETRY } from '../graph/clouds.js';
import { GraphClient } from '../graph/client.js';
import type { TokenProvider } from '../graph/types.js';
import type { Logger } from '../core/log.js';
import type { ApprovalPage, ServerDeps } from '../tools/context.js';
import { PlanStore, type PlanOwner } from '../tools/retry/plans.js';
import { createTokenProvider, type SignInHooks } from '../auth/tokenProvider.js';
import { VERSION } from '../core/version.js';

export interface DepsOptions {
  config: Config;
  logger: Logger;
  /** Where Graph requests go (GraphTarget.graphRoot); default config.graphRoot. */
  graphRoot?: string;
  /** Overrides the token provider the config would choose (the simulator supplies its own token). */
  tokenProvider?: TokenProvider;
  /** Graph is the embedded simulator: tools say results are simulated. */
  simulated?: boolean;
  /**
   * Whether Graph requests may use a proxy (GraphTarget.proxy). Default: 'never' when simulated, else 'environment'.
   * 'never' gives the client a direct pool of its own even when a shared one is passed: the shared pool is for real Graph.
   */
  proxy?: ProxyUse;
  /** Where sign-in prompts (device code, browser) go besides the tool result, e.g. MCP log notifications. */
  signInHooks?: SignInHooks;
  /** A connection pool shared with other deps (remote mode: one per process, not one per request); never closed here. */
  dispatcher?: Dispatcher;
  /** Remote mode keeps one per signed-in user, so what one user's token may read never serves another. */
  bulkActionCache?: BulkActionCache;
  /** Remote mode shares one store across requests (plans outlive a request); default: a store of its own. */
  plans?: PlanStore;
  /** Whom plans made through these deps belong to; default the local user. */
  owner?: PlanOwner;
  approvalPage?: ApprovalPage;
}

/** The Graph connection pool remote mode shares across all requests and users, proxied as the environment says. */
export function createGraphDispatcher(): Dispatcher {
  return createGraphAgent({ connections: GRAPH_CONNECTIONS.remote });
}

export interface OwnedDeps extends ServerDeps {
  close(): Promise<void>;
}

export function createDeps({
  config,
  logger,
  graphRoot = config.graphRoot,
  tokenProvider,
  simulated = false,
  proxy,
  signInHooks,
  dispatcher,
  bulkActionCache,
  plans,
  owner,
  approvalPage,
}: DepsOptions): OwnedDeps {
  let client: GraphClient | undefined;
  const direct = (proxy ?? (simulated ? 'never' : 'environment')) === 'never';
  // Created and closed here: the client only closes a pool it made itself.
  const ownPool = direct ? createGraphAgent({ connections: GRAPH_CONNECTIONS.stdio, proxy: 'never' }) : undefined;
  const pool = ownPool ?? dispatcher;
  const getTokens = lazyTokenProvider(config, logger, signInHooks, tokenProvider);
  return {
    config,
    logger,
    simulated,
    bulkActionCache: bulkActionCache ?? new BulkActionCache(),
    plans: plans ?? new PlanStore({ ttlMs: config.planTtlMs }),
    owner: owner ?? { kind: 'local' },
    ...(approvalPage ? { approvalPage } : {}),
    tokens: getTokens,
    graph() {
      client ??= createGraphClient(config, logger, graphRoot, getTokens(), pool);
      return client;
    },
    async close() {
      await client?.close();
      await ownPool?.close();
    },
  };
}

/** The given provider, or the one the config chooses, made on first use so start-up does no auth work. */
function lazyTokenProvider(
  config: Config,
  logger: Logger,
  signInHooks: SignInHooks | undefined,
  given: TokenProvider | undefined,
): () => TokenProvider {
  let tokens = given;
  return () => {
    tokens ??= createTokenProvider(
      {
        method: config.auth,
        cloud: config.cloud,
        authorityHost: config.authorityHost,
        tenantId: config.tenantId,
        clientId: config.clientId,
        accessToken: config.accessToken,
        // A read-only server asks for the least privilege its tools need.
        permission: config.readOnly ? SCOPE_READ : SCOPE_RETRY,
      },
      logger,
      signInHooks,
    );
    return tokens;
  };
}

function createGraphClient(
  config: Config,
  logger: Logger,
  graphRoot: string,
  tokenProvider: TokenProvider,
  pool: Dispatcher | undefined,
): GraphClient {
  return new GraphClient({
    graphRoot,
    tokenProvider,
    timeoutMs: config.timeoutMs,
    throttle: { maxAttempts: config.maxAttempts, maxTotalWaitMs: config.maxThrottleWaitMs },
    logger,
    userAgent: `cloudpc-mcp/${VERSION}`,
    ...(pool ? { dispatcher: pool } : {}),
  });
}
