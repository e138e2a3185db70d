// Remote mode: Streamable HTTP on node:http. Refuses to start on any configuration problem (exit 2, with the fix on
// stderr), since nobody is in a chat to read a tool result; listens; shares one Graph connection pool and one token
// cache per user across requests; on SIGTERM stops taking requests, lets calls in flight finish, then exits.
import http, { type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config, ConfigProblem } from '../../config/config.js';
import { createDeps, createGraphDispatcher, type OwnedDeps } from '../../mcp/deps.js';
import { delegatedScope, SCOPE_READ, SCOPE_RETRY } from '../../graph/clouds.js';
import { MCP_PATH } from '../../config/http.js';
import type { Logger } from '../../core/log.js';
import { VERSION } from '../../core/version.js';
import { openGraphTarget } from '../../mcp/graphTarget.js';
import type { Lifecycle } from '../../core/lifecycle.js';
import { createAuditor } from './audit.js';
import { createEntraVerifier } from './entraAuth.js';
import { createHandler, type HandlerContext } from './handler.js';
import { identityOboExchange, UserSessions } from '../../auth/obo.js';
import { buildOriginPolicy } from './origin.js';
import { mountApproval } from './approvalMount.js';
import { PlanStore } from '../../tools/retry/plans.js';

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
  if (problems?.length) {
    process.stderr.write(
      '[cloudpc-mcp] error: remote mode (--transport http) did not start, because of these settings. Fix them and start again:\n' +
        problems.map((p) => `- ${p.setting}: ${p.message}`).join('\n') +
        '\n',
    );
    life.stop('misconfigured', EXIT_MISCONFIGURED);
    return undefined;
  }

  const target = await openGraphTarget(config, logger, !config.http.entra);

  // One pool for every request and user: a new undici Agent per request would open a new TLS connection to Graph each time.
  const dispatcher = createGraphDispatcher();
  let sharedDeps: OwnedDeps | undefined;
  let entra: HandlerContext['entra'];
  // Plans live in this replica's memory: approval and execution must reach the same replica (docs/approval.md).
  const plans = new PlanStore({ ttlMs: config.planTtlMs });
  if (config.http.entra) {
    const graphScope = delegatedScope(config.cloud, config.readOnly ? SCOPE_READ : SCOPE_RETRY);
    entra = {
      verify: createEntraVerifier(config.http.entra),
      sessions: new UserSessions({ exchange: identityOboExchange(config.http.entra, graphScope), logger }),
    };
  } else {
    sharedDeps = createDeps({ config, logger, graphRoot: target.graphRoot, tokenProvider: target.tokenProvider, simulated: config.simulate, dispatcher, plans });
  }

  const inflight = new Set<ServerResponse>();
  let draining = false;
  let onIdle: (() => void) | undefined;
  let handler: ((req: http.IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = http.createServer((req, res) => handler!(req, res));
  // Longer than the idle timeout of common load balancers and ingresses, so they never reuse a socket this side just closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.http.port, config.http.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EADDRINUSE'
        ? `port ${config.http.port} on ${config.http.host} is already in use; choose another with --port (CLOUDPC_MCP_PORT)`
        : e.code === 'EACCES'
          ? `not allowed to listen on port ${config.http.port}; use a port above 1023`
          : e.code === 'EADDRNOTAVAIL'
            ? `${config.http.host} is not an address of this machine; check --host (CLOUDPC_MCP_HOST)`
            : e.message;
    process.stderr.write(`[cloudpc-mcp] error: remote mode did not start: ${why}.\n`);
    await dispatcher.close().catch(() => {});
    await target.stop().catch(() => {});
    life.stop('misconfigured', EXIT_MISCONFIGURED);
    return undefined;
  }

  const port = (server.address() as AddressInfo).port;
  const host = config.http.host.includes(':') && !config.http.host.startsWith('[') ? `[${config.http.host}]` : config.http.host;
  const publicUrl = config.http.publicUrl ?? `http://${host}:${port}`;
  const auditor = createAuditor();
  const approval = mountApproval(config, logger, publicUrl, plans);
  // The page's address is known only now that the port is: the shared deps learn it before the first request.
  if (sharedDeps && approval.page) sharedDeps.approvalPage = approval.page;
  handler = createHandler({
    approval,
    config,
    logger,
    publicUrl,
    originPolicy: buildOriginPolicy({ loopback: config.http.loopback, port, publicUrl, allowedOrigins: config.http.allowedOrigins }),
    dispatcher,
    audit: (entry, caller) => auditor(entry, caller),
    ...(entra ? { entra } : {}),
    ...(sharedDeps ? { sharedDeps } : {}),
    draining: () => draining,
    track(res) {
      inflight.add(res);
      res.once('close', () => {
        inflight.delete(res);
        // Once draining, a connection whose last call just ended is closed rather than kept for requests that will be refused.
        if (draining) server.closeIdleConnections();
        if (draining && inflight.size === 0) onIdle?.();
      });
    },
  });

  // The lifecycle runs this once, on SIGTERM or SIGINT, and exits when it is done or its cap is over.
  const shutdown = async (why: string): Promise<void> => {
    draining = true;
    logger.info(`shutting down (${why}): refusing new requests, ${inflight.size} in flight`);
    server.close();
    server.closeIdleConnections();
    if (inflight.size > 0) {
      await new Promise<void>((resolve) => {
        onIdle = resolve;
        setTimeout(() => {
          logger.warn(`shutdown grace of ${config.http.shutdownGraceMs} ms is over; ending ${inflight.size} call(s) still in flight`);
          resolve();
        }, config.http.shutdownGraceMs).unref();
      });
    }
    server.closeAllConnections();
    await sharedDeps?.close().catch(() => {});
    await dispatcher.close().catch(() => {});
    await target.stop().catch(() => {});
    logger.info('stopped');
  };
  // A stalled socket must not keep the process alive more than a couple of seconds past the grace.
  life.setShutdown(shutdown, config.http.shutdownGraceMs + 2_000);

  const url = `${publicUrl}${MCP_PATH}`;
  logger.info(
    `cloudpc-mcp ${VERSION} ready on ${url} (listening on ${host}:${port}; ` +
      (config.http.entra
        ? `Entra sign-in required, tenant ${config.http.entra.tenantId}, audience ${config.http.entra.appIdUri}; Graph called on behalf of each user`
        : `no authentication, Graph called with the server's own credential`) +
      `; cloud ${config.cloud.name}, Graph ${target.graphRoot})`,
  );
  return { url };
}
