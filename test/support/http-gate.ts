// A pass-through proxy in front of the Graph simulator that can hold one request until the test lets it go, so a test
// can have a call provably in flight (the request reached "Graph") without depending on how fast anything runs.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hold {
  /** Resolves when a matching request has arrived and is being held. */
  arrived: Promise<void>;
  release(): void;
}

export interface Gate {
  url: string;
  /** Holds the next request whose path contains `pathPart`. */
  hold(pathPart: string): Hold;
  /** TCP connections the server under test opened to "Graph" so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startGate(target: string): Promise<Gate> {
  let armed: { pathPart: string; arrive: () => void; released: Promise<void> } | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (armed && (req.url ?? '').includes(armed.pathPart)) {
          const a = armed;
          armed = undefined;
          a.arrive();
          await a.released;
        }
        const up = http.request(
          new URL(req.url ?? '/', target),
          { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
          (upRes) => {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
          },
        );
        up.on('error', () => res.destroy());
        up.end(Buffer.concat(chunks));
      })();
    });
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    connections: () => connections,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold(pathPart) {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((r) => (arrive = r));
      const released = new Promise<void>((r) => (release = r));
      armed = { pathPart, arrive, released };
      return { arrived, release };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
