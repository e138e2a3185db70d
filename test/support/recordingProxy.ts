// A forward proxy on 127.0.0.1 that records every CONNECT it is asked for and then behaves as a test needs: opens the
// tunnel, asks for Basic credentials (407) unless the right ones came, or refuses (403). Plain-http requests (absolute
// URLs) are recorded and refused: Graph traffic must arrive as a tunnel. Also a TLS front for the Graph simulator, so
// Graph can be https on 127.0.0.1 (the server under test trusts its certificate through NODE_EXTRA_CA_CERTS).
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'tunnel' | 'auth' | 'refuse';

export interface RecordingProxy {
  url: string;
  port: number;
  /** host:port of every CONNECT, and the absolute URL of every plain request, in order. */
  requests: string[];
  /** Proxy-Authorization header values received (to check what was sent, never to print). */
  authorizations: string[];
  mode: ProxyMode;
  /** With mode 'auth': the user and password that open the tunnel. */
  credentials: { user: string; password: string };
  close(): Promise<void>;
}

export async function startRecordingProxy(mode: ProxyMode = 'tunnel'): Promise<RecordingProxy> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    proxy.requests.push(req.url ?? '?');
    res.writeHead(403).end('plain requests are refused by this test proxy');
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    proxy.requests.push(target);
    const auth = req.headers['proxy-authorization'];
    if (auth) proxy.authorizations.push(auth);
    const expected = `Basic ${Buffer.from(`${proxy.credentials.user}:${proxy.credentials.password}`).toString('base64')}`;
    if (proxy.mode === 'refuse') return void client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    if (proxy.mode === 'auth' && auth !== expected) {
      return void client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="test"\r\ncontent-length: 0\r\n\r\n',
      );
    }
    const [host = '', port = ''] = splitHostPort(target);
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const proxy: RecordingProxy = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: [],
    authorizations: [],
    mode,
    credentials: { user: 'svc-cloudpc', password: 'p@ss:w0rd/é' },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

function splitHostPort(target: string): [string, string] {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
  return m ? [m[1]!, m[2]!] : [target, '443'];
}

/** A port on 127.0.0.1 where nothing listens: a proxy that is down. */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TlsFront {
  /** https://127.0.0.1:PORT, in front of the target. */
  url: string;
  /** TLS connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Terminates TLS on 127.0.0.1 and passes the bytes on to a plain-http target (the Graph simulator). */
export async function startTlsFront(targetUrl: string, cert: { certPem: string; keyPem: string }): Promise<TlsFront> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (socket) => {
    connections++;
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        socket.destroy();
        upstream.destroy();
      });
    }
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
