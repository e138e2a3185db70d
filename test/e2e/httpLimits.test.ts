// What one connection or one caller may hold or spend in remote mode, against the built server over raw sockets:
// slow senders (slowloris) are cut off at the header and body deadlines by the server, connections are capped,
// refusals sent before the body arrived close the connection, batches are refused, a malformed tools/call is -32602
// (not the SDK's -32603), a caller over its rate budget gets 429 with Retry-After, and echoed headers are bounded.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { textOf } from './harness.js';
import { auditLines, httpEnv, INITIALIZE, MCP_HEADERS, raw, startHttpServer, type HttpServerProcess } from '../support/http-server.js';

const HEADERS_TIMEOUT_MS = 1_000;
const BODY_TIMEOUT_MS = 2_000;

let server: HttpServerProcess;
beforeAll(async () => {
  server = await startHttpServer(
    httpEnv({
      CLOUDPC_MCP_SIMULATE: 'true',
      CLOUDPC_MCP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      CLOUDPC_MCP_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
    }),
  );
});
afterAll(async () => {
  await server?.stop();
});

/** A TCP connection that records what the server sends and when the server ends it. */
interface Sock {
  socket: net.Socket;
  received(): string;
  /** Resolves when the server closed the connection: what it sent, and the ms since `open` began. */
  closedByServer: Promise<{ data: string; afterMs: number }>;
}

function open(port: number): Promise<Sock> {
  const began = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
    socket.on('error', () => {});
    const closedByServer = new Promise<{ data: string; afterMs: number }>((done) =>
      socket.on('close', () => done({ data, afterMs: Date.now() - began })),
    );
    socket.once('connect', () => resolve({ socket, received: () => data, closedByServer }));
    socket.once('error', reject);
  });
}

/** Writes `piece` every 100 ms until the server closes the connection: a client that never stops, but never finishes. */
function dribble(s: Sock, piece: string): void {
  const timer = setInterval(() => {
    if (!s.socket.destroyed && s.socket.writable) s.socket.write(piece);
  }, 100);
  void s.closedByServer.then(() => clearInterval(timer));
}

/** A GET /healthz on a kept-alive connection; resolves once answered, which proves the server took the connection. */
async function healthOn(s: Sock): Promise<void> {
  const before = s.received().length;
  s.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await expect.poll(() => s.received().slice(before), { timeout: 10_000 }).toMatch(/"status":"ok"/);
}

describe('slow senders cannot hold a socket', () => {
  it('a connection that never sends a request is closed at the headers deadline', async () => {
    const s = await open(server.port);
    const { data, afterMs } = await s.closedByServer;
    expect(data).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS);
  });

  it('headers dribbled a line at a time are cut off at the headers deadline (408), the server closing the socket', async () => {
    const s = await open(server.port);
    s.socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n`);
    dribble(s, 'X-Slow: 1\r\n');
    const { data, afterMs } = await s.closedByServer;
    expect(data).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS);
  });

  it('a body dribbled a byte at a time is cut off at the body deadline (408), the server closing the socket', async () => {
    const s = await open(server.port);
    s.socket.write(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 4000\r\n\r\n{`,
    );
    dribble(s, ' ');
    const { data, afterMs } = await s.closedByServer;
    expect(data).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS);
  });

  it.each([
    ['a foreign Origin (403)', { origin: 'http://evil.example.com' }, 403],
    ['a body that is not JSON (415)', { 'content-type': 'text/plain' }, 415],
  ])('a refusal sent before the body arrived closes the connection: %s', async (_what, extra, status) => {
    const s = await open(server.port);
    const headers = {
      host: `127.0.0.1:${server.port}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'content-length': '4000',
      ...extra,
    };
    s.socket.write(
      `POST /mcp HTTP/1.1\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n{"jsonrpc":`,
    );
    const { data } = await s.closedByServer;
    expect(data).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(data).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('caps open connections: one more is closed at once, and served again once one is free', async () => {
    const capped = await startHttpServer(httpEnv({ CLOUDPC_MCP_SIMULATE: 'true', CLOUDPC_MCP_MAX_CONNECTIONS: '3' }));
    const held: Sock[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        held.push(await open(capped.port));
        await healthOn(held[i]!);
      }
      const extra = await open(capped.port).catch(() => undefined);
      if (extra) {
        extra.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        expect((await extra.closedByServer).data).toBe('');
      }
      await healthOn(held[0]!);
      held.shift()!.socket.destroy();
      // Once the server has seen that close, a new connection is served.
      await expect
        .poll(
          async () =>
            raw(`${capped.base}/healthz`, { method: 'GET' }).then(
              (r) => r.status,
              () => 'refused',
            ),
          { timeout: 10_000 },
        )
        .toBe(200);
    } finally {
      for (const s of held) s.socket.destroy();
      await capped.stop();
    }
  });
});

describe('what a POST to /mcp may carry', () => {
  it('refuses a JSON-RPC batch with a clear JSON-RPC error', async () => {
    const r = await raw(server.url, {
      headers: MCP_HEADERS,
      body: JSON.stringify([INITIALIZE, { jsonrpc: '2.0', id: 2, method: 'ping' }]),
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: expect.stringMatching(/batches are not supported.*POST of its own/) },
    });
  });

  it('answers a malformed tools/call with -32602 naming the mistake, through the real MCP client', async () => {
    const client = new Client({ name: 'cloudpc-mcp-http-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    try {
      const send = (params: unknown) => client.request({ method: 'tools/call', params } as never, CallToolResultSchema);
      await expect(send({ name: 'list_cloud_pcs', arguments: 'all of them' })).rejects.toMatchObject({
        code: -32602,
        message: expect.stringMatching(/params\.arguments must be an object/),
      });
      await expect(send({ arguments: {} })).rejects.toMatchObject({
        code: -32602,
        message: expect.stringMatching(/params\.name must be the tool name/),
      });
      await expect(send(JSON.parse('{"name":"list_cloud_pcs","arguments":{"__proto__":{"top":1}}}'))).rejects.toMatchObject({
        code: -32602,
        message: expect.stringMatching(/"__proto__"/),
      });
      // The session is fine afterwards.
      expect(((await client.callTool({ name: 'list_cloudpc_bulk_actions', arguments: {} })) as CallToolResult).isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });

  it('echoes a huge foreign Origin bounded in the answer and the log', async () => {
    const origin = `http://evil.example.com/${'ab/'.repeat(3_000)}`;
    const r = await raw(server.url, { headers: { ...MCP_HEADERS, origin }, body: JSON.stringify(INITIALIZE) });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error.message.length).toBeLessThan(600);
    const line = () =>
      server
        .stderr()
        .split('\n')
        .find((l) => l.includes('refused a request from a foreign origin'));
    await expect.poll(line, { timeout: 10_000 }).toBeDefined();
    expect(line()!.length).toBeLessThan(800);
  });
});

describe('rate limit', () => {
  it('counts tool calls only; over the budget: 429 with Retry-After, and an audit line saying refused', async () => {
    const limited = await startHttpServer(
      httpEnv({ CLOUDPC_MCP_SIMULATE: 'true', CLOUDPC_MCP_RATE_LIMIT_PER_MINUTE: '1', CLOUDPC_MCP_RATE_LIMIT_BURST: '2' }),
    );
    const client = new Client({ name: 'cloudpc-mcp-http-test', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(limited.url)));
      for (let i = 0; i < 3; i++) await client.listTools();
      const get = () => client.callTool({ name: 'get_cloudpc_bulk_action', arguments: { bulkActionId: DEMO_IDS.failedRestart } });
      for (let i = 0; i < 2; i++) {
        const r = (await get()) as CallToolResult;
        expect(r.isError, textOf(r)).toBeFalsy();
      }
      await expect(get()).rejects.toMatchObject({
        code: 429,
        message: expect.stringMatching(/Rate limit: each caller may make 1 tool call a minute \(2 at once\)/),
      });
      const body = { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'list_cloud_pcs', arguments: {} } };
      const r = await raw(limited.url, { headers: MCP_HEADERS, body: JSON.stringify(body) });
      expect(r.status).toBe(429);
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(r.body)).toMatchObject({ id: 9, error: { message: expect.stringMatching(/CLOUDPC_MCP_RATE_LIMIT_PER_MINUTE/) } });
      // stderr is a separate pipe from the answer: wait for the line rather than race it.
      const refused = () =>
        auditLines(limited.stderr())
          .filter((l) => l.outcome === 'refused' && /Rate limit/.test(String(l.error)))
          .map((l) => l.tool);
      await expect.poll(refused, { timeout: 10_000 }).toEqual(['get_cloudpc_bulk_action', 'list_cloud_pcs']);
    } finally {
      await client.close();
      await limited.stop();
    }
  });
});
