// The Graph client reads responses without undici's streams (src/graph/exchange.ts). What a hostile or broken endpoint
// can do to a body (never end it, cut it off, reset mid-way) is tested here over real loopback HTTP, not a mock.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphClient } from '../../src/graph/client.js';
import { requestTarget } from '../../src/graph/requestTarget.js';
import { graphRejection } from '../support/graph-rejection.js';
import type { TokenProvider } from '../../src/graph/types.js';

const TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw';
const tokens: TokenProvider = { description: 'test (delegated)', delegated: true, getToken: async () => TOKEN };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

async function serve(handler: Handler): Promise<{ client: GraphClient; requests: () => number }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    // A handler that throws cuts the connection, so the client under test sees a failure instead of waiting.
    Promise.resolve(handler(req, res)).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const client = new GraphClient({ graphRoot: `http://127.0.0.1:${port}`, tokenProvider: tokens, timeoutMs: 5_000, sleep: async () => {} });
  cleanups.push(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { client, requests: () => requests };
}

const RETRY = '/deviceManagement/virtualEndpoint/bulkActions/11111111-1111-4111-8111-111111111111/retry';

describe('Graph responses read without streams', () => {
  it('an error body that never ends is cut off: the status still comes back, and the request is not sent twice', async () => {
    const { client, requests } = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'request-id': 'rid-endless' });
      res.write(`{"error":{"code":"InternalServerError","message":"${'x'.repeat(1000)}`);
      const more = setInterval(() => res.write('y'.repeat(16 * 1024)), 1);
      res.on('close', () => clearInterval(more));
    });
    const e = await graphRejection(client.request({ method: 'POST', path: RETRY, body: { cloudPcIds: [] } }));
    expect(e).toMatchObject({ kind: 'http', status: 500, requestId: 'rid-endless', ambiguous: true, attempts: 1 });
    expect(requests()).toBe(1);
  });

  it('a connection dropped in the middle of a 503 body keeps the status: the throttled POST is safely sent again', async () => {
    let n = 0;
    const { client, requests } = await serve((req, res) => {
      if (++n === 1) {
        res.writeHead(503, { 'content-type': 'application/json', 'content-length': '500', 'retry-after': '0' });
        res.write('{"error":');
        setTimeout(() => req.socket.destroy(), 5);
        return;
      }
      res.writeHead(202);
      res.end();
    });
    const r = await client.request({ method: 'POST', path: RETRY, body: { cloudPcIds: [] } });
    expect(r.status).toBe(202);
    expect(requests()).toBe(2);
  });

  it('a 202 whose connection drops before its body ends is reported as possibly accepted, never re-sent', async () => {
    const { client, requests } = await serve((req, res) => {
      res.writeHead(202, { 'content-length': '100' });
      res.write('{');
      setTimeout(() => req.socket.destroy(), 5);
    });
    const e = await graphRejection(client.request({ method: 'POST', path: RETRY, body: { cloudPcIds: [] } }));
    expect(e).toMatchObject({ kind: 'network', status: 202, ambiguous: true, attempts: 1 });
    expect(requests()).toBe(1);
  });

  it('a body arriving in many small pieces is read whole', async () => {
    const value = Array.from({ length: 300 }, (_, i) => ({ id: `id-${i}`, displayName: `é action ${i}` }));
    const text = JSON.stringify({ value });
    const { client } = await serve(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const bytes = Buffer.from(text);
      // Split inside multi-byte characters too: decoding must happen once, over the whole body.
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        if (i % 700 === 0) await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
    const r = await client.request<{ value: unknown[] }>({ method: 'GET', path: '/deviceManagement/virtualEndpoint/bulkActions' });
    expect(r.body).toEqual({ value });
  });

  it('the token never reaches an error result, even when the endpoint echoes it back', async () => {
    const { client } = await serve((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BadRequest', message: `got ${req.headers.authorization}` } }));
    });
    const e = await graphRejection(client.request({ method: 'POST', path: RETRY, body: {} }));
    expect(e.status).toBe(400);
    expect(JSON.stringify({ ...e, message: e.message })).not.toContain(TOKEN);
  });
});

describe('request targets', () => {
  const ROOTS = ['https://graph.microsoft.com', 'https://graph.test/base'];
  // Strings built from the characters that matter to a URL parser, so the generator reaches the dangerous ones often.
  const pathChar = fc.constantFrom(
    '/',
    '.',
    '%',
    '2',
    'e',
    'E',
    'a',
    '?',
    '#',
    '\\',
    ' ',
    '\t',
    '@',
    ':',
    '%2f',
    '%2e',
    '%5c',
    'é',
    '\u0000',
  );
  const pathLike = fc.array(pathChar, { maxLength: 24 }).map((cs) => cs.join(''));

  it('a path either is refused or stays under the versioned root, as the URL parser reads it', () => {
    for (const root of ROOTS) {
      const base = new URL(root);
      const prefix = `${base.pathname.replace(/\/+$/, '')}/beta/`;
      fc.assert(
        fc.property(fc.oneof(pathLike, fc.string()), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }), (path, query) => {
          const target = requestTarget(prefix, path, query);
          if (target === undefined) return;
          const parsed = new URL(`${base.origin}${target}`);
          expect(parsed.origin).toBe(base.origin);
          expect(parsed.pathname.startsWith(prefix)).toBe(true);
        }),
        { numRuns: 3000 },
      );
    }
  });

  it('ordinary Graph paths are kept as they are', () => {
    expect(requestTarget('/beta/', '/deviceManagement/virtualEndpoint/bulkActions/a%2Fb/retry')).toBe(
      '/beta/deviceManagement/virtualEndpoint/bulkActions/a%2Fb/retry',
    );
    expect(requestTarget('/beta/', '/deviceManagement/virtualEndpoint/cloudPCs', { $filter: "userPrincipalName eq 'a b'" })).toBe(
      "/beta/deviceManagement/virtualEndpoint/cloudPCs?$filter=userPrincipalName%20eq%20'a%20b'",
    );
  });
});
