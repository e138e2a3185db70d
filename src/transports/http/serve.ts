// Remote mode: Streamable HTTP on node:http. Refuses to start on any configuration problem (exit 2, with the fix on
// stderr), since nobody is in a chat to read a tool result; listens; shares one Graph connection pool, one token
// cache per user and one rate budget per caller across requests; on SIGTERM stops taking requests, lets calls in
// flight finish, then exits.
import type http from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import type { Config, ConfigProblem } from '../../config/config.js';
import { createDeps, createGraphDispatcher, type OwnedDeps } from '../../mcp/deps.js';
import { delegatedScope, SCOPE_READ, SCOPE_RETRY } from '../../graph/clouds.js';
import { MCP_PATH } from '../../config/http.js';
import type { Logger } from '../../core/log.js';
import { VERSION } from '../../core/version.js';
import { openGraphTarget, type GraphTarget } from '../../mcp/graphTarget.js';
import type { Lifecycle } from '../../core/lifecycle.js';
import { createAuditor } from './audit.js';
import { createEntraVerifier } from './entraAuth.js';
import { createHandler, type HandlerContext } from './handler.js';
import { mountApproval } from './approvalMount.js';
import { PlanStore } from '../../tools/retry/plans.js';
import { identityOboExchange, UserSessions } from '../../auth/credentials/obo.js';
import { createListener, listen } from './listener.js';
import { buildOriginPolicy } from './origin.js';
import { RateLimiter } from './rateLimit.js';
import { openStore } from '../../store/open.js';
import type { StateStore } from '../../store/types.js';

export interface RunHttpOptions {
  config: Config;
  logger: Logger;
  problems?: readonly ConfigProblem[];
  life: Lifecycle;
}

export interface RunningHttp {
  url: string;
}

/** Exit code for "will not start as configured": distinct from 1 (crashed), so a supervisor can tell them apart. */
export const EXIT_MISCONFIGURED = 2;

export async function runHttp({ config, logger, problems, life }: RunHttpOptions): Promise<RunningHttp | undefined> {
  if (problems?.length)
    return refuse(
      life,
      'remote mode (--transport http) did not start, because of these settings. Fix them and start again:\n' +
        problems.map((p) => `- ${p.setting}: ${p.message}`).join('\n'),
    );

  // The shared store first: a replica that cannot reach it must not take requests it cannot keep.
  const opened = await openStore(config.store, logger);
  if (!opened.ok)
    return refuse(
      life,
      `remote mode did not start, because of this setting. Fix it and start again:\n- ${opened.problem.setting}: ${opened.problem.message}`,
    );
  const { store } = opened;
  const target = await openGraphTarget(config, logger, !config.http.entra);
  // One pool for every request and user: a new undici Agent per request would open a new TLS connection to Graph each time.
  const dispatcher = createGraphDispatcher();
  // Plans live in the store: in memory for one replica, in Redis for several (docs/remote.md, "Several replicas").
  const plans = new PlanStore({ ttlMs: config.planTtlMs, store });
  const callers = callerAccess(config, logger, target, dispatcher, plans);
  let handler: http.RequestListener | undefined;
  const server = createListener(config.http, (req, res) => handler!(req, res));
  const failed = await listen(server, config.http);
  if (failed) {
    await release(dispatcher, target, store);
    return refuse(life, `remote mode did not start: ${failed}.`);
  }

  const { host, port, publicUrl, inflight, handler: ready } = buildHandler(config, logger, server, { store, dispatcher, plans, callers });
  handler = ready;

  // The lifecycle runs this once, on SIGTERM or SIGINT, and exits when it is done or its cap is over.
  life.setShutdown(async (why) => {
    await inflight.drain(why, config.http.shutdownGraceMs, logger);
    await callers.sharedDeps?.close().catch(() => {});
    await release(dispatcher, target, store);
    logger.info('stopped');
  }, config.http.shutdownGraceMs + 2_000); // a stalled socket must not keep the process alive long past the grace

  const url = `${publicUrl}${MCP_PATH}`;
  logger.info(
    `cloudpc-mcp ${VERSION} ready on ${url} (listening on ${host}:${port}; ${modeLine(config)}; cloud ${config.cloud.name}, Graph ${target.graphRoot})`,
  );
  return { url };
}

function refuse(life: Lifecycle, why: string): undefined {
  process.stderr.write(`[cloudpc-mcp] error: ${why}\n`);
  life.stop('misconfigured', EXIT_MISCONFIGURED);
  return undefined;
}

/**
 * Closes what every request shares, in order, ignoring failures: the process is stopping either way, and one failed
 * close must not keep the others open.
 */
async function release(dispatcher: Dispatcher, target: GraphTarget, store: StateStore): Promise<void> {
  await dispatcher.close().catch(() => {});
  await target.stop().catch(() => {});
  await store.close().catch(() => {});
}

type CallerAccess = ReturnType<typeof callerAccess>;

interface Shared {
  store: StateStore;
  dispatcher: Dispatcher;
  plans: PlanStore;
  callers: CallerAccess;
}

/** The request handler, built only once the server listens: the origin policy and the approval page need its port. */
function buildHandler(
  config: Config,
  logger: Logger,
  server: http.Server,
  { store, dispatcher, plans, callers }: Shared,
): { host: string; port: number; publicUrl: string; inflight: Inflight; handler: http.RequestListener } {
  const port = (server.address() as AddressInfo).port;
  const host = config.http.host.includes(':') && !config.http.host.startsWith('[') ? `[${config.http.host}]` : config.http.host;
  const publicUrl = config.http.publicUrl ?? `http://${host}:${port}`;
  const inflight = new Inflight(server);
  const approval = mountApproval(config, logger, publicUrl, plans);
  // The page's address is known only now that the port is: the shared deps learn it before the first request.
  if (callers.sharedDeps && approval.page) callers.sharedDeps.approvalPage = approval.page;
  const { rateLimitPerMinute: perMinute, rateLimitBurst: burst } = config.http.limits;
  const handler = createHandler({
    config,
    logger,
    publicUrl,
    originPolicy: buildOriginPolicy({ loopback: config.http.loopback, port, publicUrl, allowedOrigins: config.http.allowedOrigins }),
    dispatcher,
    audit: createAuditor(),
    ...callers,
    limiter: new RateLimiter(store, { perMinute, burst }),
    store,
    draining: () => inflight.draining,
    track: (res) => inflight.track(res),
    approval,
  });
  return { host, port, publicUrl, inflight, handler };
}

/** Entra mode: a token check and a Graph session per user. Without sign-in: one set of deps with the server's own credential. */
function callerAccess(
  config: Config,
  logger: Logger,
  target: GraphTarget,
  dispatcher: Dispatcher,
  plans: PlanStore,
): Pick<HandlerContext, 'entra'> & { sharedDeps?: OwnedDeps } {
  if (!config.http.entra) {
    return {
      sharedDeps: createDeps({
        config,
        logger,
        graphRoot: target.graphRoot,
        tokenProvider: target.tokenProvider,
        simulated: config.simulate,
        proxy: target.proxy,
        dispatcher,
        plans,
      }),
    };
  }
  const graphScope = delegatedScope(config.cloud, config.readOnly ? SCOPE_READ : SCOPE_RETRY);
  return {
    entra: {
      verify: createEntraVerifier(config.http.entra, { dispatcher }),
      sessions: new UserSessions({ exchange: identityOboExchange(config.http.entra, graphScope), logger }),
    },
  };
}

function modeLine(config: Config): string {
  const entra = config.http.entra;
  return entra
    ? `Entra sign-in required, tenant ${entra.tenantId}, audience ${entra.appIdUri}; Graph called on behalf of each user`
    : `no authentication, Graph called with the server's own credential`;
}

/** Requests in flight, so shutdown can refuse new ones and wait for these. */
class Inflight {
  draining = false;
  private readonly open = new Set<ServerResponse>();
  private onIdle: (() => void) | undefined;

  constructor(private readonly server: http.Server) {}

  track(res: ServerResponse): void {
    this.open.add(res);
    res.once('close', () => {
      this.open.delete(res);
      // Once draining, a connection whose last call just ended is closed rather than kept for requests that will be refused.
      if (this.draining) this.server.closeIdleConnections();
      if (this.draining && this.open.size === 0) this.onIdle?.();
    });
  }

  async drain(why: string, graceMs: number, logger: Logger): Promise<void> {
    this.draining = true;
    logger.info(`shutting down (${why}): refusing new requests, ${this.open.size} in flight`);
    this.server.close();
    this.server.closeIdleConnections();
    if (this.open.size > 0) {
      await new Promise<void>((resolve) => {
        this.onIdle = resolve;
        setTimeout(() => {
          logger.warn(`shutdown grace of ${graceMs} ms is over; ending ${this.open.size} call(s) still in flight`);
          resolve();
        }, graceMs).unref();
      });
    }
    this.server.closeAllConnections();
  }
}
