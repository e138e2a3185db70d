// Wires config to the Graph client and the token provider, both created on first use: start-up does no auth work.
import type { Dispatcher } from 'undici';
import { Agent } from './graph/undiciAgent.js';
import type { Config } from './config.js';
import { BulkActionCache } from './graph/bulkActions.js';
import { SCOPE_READ, SCOPE_RETRY } from './graph/clouds.js';
import { GraphClient } from './graph/client.js';
import type { TokenProvider } from './graph/types.js';
import type { Logger } from './log.js';
import type { ServerDeps } from './tools/context.js';
import { createTokenProvider, type SignInHooks } from './auth/tokenProvider.js';
import { VERSION } from './version.js';

export interface DepsOptions {
  config: Config;
  logger: Logger;
  /** Overrides the token provider the config would choose (the simulator supplies its own token). */
  tokenProvider?: TokenProvider;
  simulated?: boolean;
  /** Where sign-in prompts (device code, browser) go besides the tool result, e.g. MCP log notifications. */
  signInHooks?: SignInHooks;
  /** A connection pool shared with other deps (remote mode: one per process, not one per request); never closed here. */
  dispatcher?: Dispatcher;
  /** Remote mode keeps one per signed-in user, so what one user's token may read never serves another. */
  bulkActionCache?: BulkActionCache;
}

/**
 * The Graph connection pool remote mode shares across all requests and users. Same keep-alive limits as the Graph
 * client's own (idle sockets dropped before typical front-door idle limits, so a reused socket is rarely reset under a
 * POST); more connections, because one process now serves many callers at once.
 */
export function createGraphDispatcher(): Dispatcher {
  return new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 64, connect: { timeout: 10_000 } });
}

export interface OwnedDeps extends ServerDeps {
  close(): Promise<void>;
}

export function createDeps({ config, logger, tokenProvider, simulated = false, signInHooks, dispatcher, bulkActionCache }: DepsOptions): OwnedDeps {
  let client: GraphClient | undefined;
  let tokens: TokenProvider | undefined = tokenProvider;
  const getTokens = (): TokenProvider => {
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
  return {
    config,
    logger,
    simulated,
    bulkActionCache: bulkActionCache ?? new BulkActionCache(),
    tokens: getTokens,
    graph() {
      if (!client) {
        client = new GraphClient({
          graphRoot: config.graphRoot,
          tokenProvider: getTokens(),
          timeoutMs: config.timeoutMs,
          throttle: { maxAttempts: config.maxAttempts, maxTotalWaitMs: config.maxThrottleWaitMs },
          logger,
          userAgent: `cloudpc-mcp/${VERSION}`,
          ...(dispatcher ? { dispatcher } : {}),
        });
      }
      return client;
    },
    async close() {
      await client?.close();
    },
  };
}
