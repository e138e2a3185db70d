// Stands where the internet would be: the spawned server gets HTTPS_PROXY pointing here (NO_PROXY exempts
// 127.0.0.1), so any request @azure/identity or MSAL makes to a host other than the local stand-in arrives here
// instead of failing quietly on a closed network. It records the target and refuses; a test asserts it saw nothing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyTrap {
  url: string;
  /** host:port (CONNECT) or absolute URLs (plain http) that something tried to reach. */
  attempts: string[];
  close(): Promise<void>;
}

export async function startProxyTrap(): Promise<ProxyTrap> {
  const attempts: string[] = [];
  const server = http.createServer((req, res) => {
    attempts.push(req.url ?? '?');
    res.writeHead(403).end('blocked by the test: no internet');
  });
  server.on('connect', (req, socket) => {
    attempts.push(req.url ?? '?');
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
