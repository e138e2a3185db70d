// The node:http server of remote mode and what one connection may hold: a deadline for the request headers and one
// for the whole request, checked every second (Node's default check runs every 30 s, which would let a slow sender
// keep a socket that long past its deadline), and a cap on open connections (one more is closed as soon as it opens).
// A connection that misses a deadline gets Node's 408 and is closed; refusals sent before a body arrived close theirs
// too (reply.ts), so nobody holds a socket by sending slowly.
import http from 'node:http';
import type { HttpConfig } from '../../config/http.js';

/** How often Node looks for connections past their deadline: a deadline is kept to within this. */
const DEADLINE_CHECK_MS = 1_000;
// Longer than the idle timeout of common load balancers and ingresses, so they never reuse a socket this side just closed.
const KEEP_ALIVE_MS = 65_000;

export function createListener(settings: HttpConfig, listener: http.RequestListener): http.Server {
  const { headersTimeoutMs, bodyTimeoutMs, maxConnections } = settings.limits;
  const server = http.createServer(
    {
      // Both count from the connection's opening or the request's first byte; a request whose body has all arrived
      // is no longer timed, so a long answer (a waiting call streamed over SSE) is not cut.
      headersTimeout: headersTimeoutMs,
      requestTimeout: bodyTimeoutMs,
      connectionsCheckingInterval: DEADLINE_CHECK_MS,
      keepAliveTimeout: KEEP_ALIVE_MS,
    },
    listener,
  );
  server.maxConnections = maxConnections;
  return server;
}

/** Listens, or says why not in words that name the setting to change. */
export async function listen(server: http.Server, settings: HttpConfig): Promise<string | undefined> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      return `port ${settings.port} on ${settings.host} is already in use; choose another with --port (CLOUDPC_MCP_PORT)`;
    if (e.code === 'EACCES') return `not allowed to listen on port ${settings.port}; use a port above 1023`;
    if (e.code === 'EADDRNOTAVAIL') return `${settings.host} is not an address of this machine; check --host (CLOUDPC_MCP_HOST)`;
    return e.message;
  }
}
