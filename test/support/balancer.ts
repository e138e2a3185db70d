// A load balancer in the test process: forwards each HTTP request, unchanged (Host included, as a reverse proxy that
// preserves the host does), to the next replica in turn, and appends the client's address to X-Forwarded-For. A test
// can pin it to one replica to say exactly where each request goes. Records which replica served each request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Balancer {
  base: string;
  port: number;
  /** Replica ports, in turn order. Set or change at any time. */
  targets: number[];
  /** When set, every request goes to this replica port instead of the next in turn. */
  pin: number | undefined;
  /** Which replica port served each request, in order. */
  served: { path: string; port: number }[];
  close(): Promise<void>;
}

export async function startBalancer(): Promise<Balancer> {
  let next = 0;
  const lb: Balancer = {
    base: '',
    port: 0,
    targets: [],
    pin: undefined,
    served: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const port = lb.pin ?? lb.targets[next++ % lb.targets.length]!;
    lb.served.push({ path: req.url ?? '', port });
    const xff = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const upstream = http.request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': xff }, agent: false },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  lb.port = (server.address() as AddressInfo).port;
  lb.base = `http://127.0.0.1:${lb.port}`;
  return lb;
}
