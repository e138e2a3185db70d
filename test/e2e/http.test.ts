// Remote mode without authentication (loopback, local development): Streamable HTTP served statelessly, so requests
// of one session can land on any replica; DNS-rebinding defence; limits; audit lines; start-up refusals; SIGTERM.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { textOf } from './harness.js';
import { startGate } from '../support/http-gate.js';
import {
  auditLines,
  httpEnv,
  INITIALIZE,
  MCP_HEADERS,
  raw,
  runToExit,
  startHttpServer,
  type HttpServerProcess,
} from '../support/http-server.js';

const sim = useSimulator();
let a: HttpServerProcess;
let b: HttpServerProcess;

beforeAll(async () => {
  const env = httpEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_MAX_BODY_BYTES: '4096' });
  [a, b] = await Promise.all([startHttpServer(env), startHttpServer(env)]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('remote mode on loopback without authentication', () => {
  it('serves one MCP session across two replicas, no sticky sessions: initialize on one, retry on the other', async () => {
    const replicas = [a.url, b.url];
    const served: string[] = [];
    let turn = 0;
    // Like a round-robin load balancer in front of two replicas.
    const roundRobin = (input: string | URL, init?: RequestInit) => {
      const target = replicas[turn++ % replicas.length]!;
      served.push(target);
      return fetch(target, init);
    };
    const client = new Client({ name: 'cloudpc-mcp-http-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(a.url), { fetch: roundRobin }));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('retry_cloudpc_bulk_action');
      const r = (await client.callTool({
        name: 'retry_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.carolPc] },
      })) as CallToolResult;
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(r.structuredContent).toMatchObject({ status: 'accepted', cloudPcIds: [DEMO_IDS.bobPc, DEMO_IDS.carolPc] });
      expect(sim.retries.at(-1)).toMatchObject({ bulkActionId: DEMO_IDS.failedRestart });
      expect(new Set(served)).toEqual(new Set(replicas));
    } finally {
      await client.close();
    }
  });

  it('streams progress notifications of a long call to the client (SSE response)', async () => {
    const client = new Client({ name: 'cloudpc-mcp-http-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(a.url)));
    try {
      const progress: string[] = [];
      const r = (await client.callTool(
        { name: 'get_cloudpc_bulk_action', arguments: { bulkActionId: DEMO_IDS.pendingPowerOn, waitSeconds: 1 } },
        undefined,
        {
          onprogress: (p) => progress.push(p.message ?? ''),
        },
      )) as CallToolResult;
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(progress[0]).toMatch(/^pending: \d+ succeeded/);
    } finally {
      await client.close();
    }
  });

  it('writes one audit line per tool call: tool, bulk action, number of ids, outcome and Graph request-id, no token', async () => {
    const lines = [...auditLines(a.stderr()), ...auditLines(b.stderr())];
    const retry = lines.find((l) => l.tool === 'retry_cloudpc_bulk_action');
    expect(retry).toMatchObject({ caller: 'local', bulkActionId: DEMO_IDS.failedRestart, ids: 2, outcome: 'accepted' });
    expect(retry!.graphRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.stderr() + b.stderr()).not.toContain(sim.token);
    expect(a.stdout() + b.stdout()).toBe('');
  });

  it('answers 403 to a foreign Origin or Host (DNS rebinding) and serves its own origin and origin-less clients', async () => {
    const body = JSON.stringify(INITIALIZE);
    const evilOrigin = await raw(a.url, { headers: { ...MCP_HEADERS, origin: 'http://evil.example.com' }, body });
    expect(evilOrigin.status).toBe(403);
    expect(JSON.parse(evilOrigin.body).error.message).toMatch(/Origin "http:\/\/evil\.example\.com" is not allowed/);
    const evilHost = await raw(a.url, { headers: { ...MCP_HEADERS, host: `evil.example.com:${a.port}` }, body });
    expect(evilHost.status).toBe(403);
    const own = await raw(a.url, { headers: { ...MCP_HEADERS, origin: `http://127.0.0.1:${a.port}` }, body });
    expect(own.status).toBe(200);
    const noOrigin = await raw(a.url, { headers: MCP_HEADERS, body });
    expect(noOrigin.status).toBe(200);
  });

  it('limits what it accepts: 413 over the body limit, 405 for GET, 404 elsewhere; health and no sign-in metadata', async () => {
    const big = JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, padding: 'x'.repeat(8192) } });
    const tooBig = await raw(a.url, { headers: MCP_HEADERS, body: big });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatch(/CLOUDPC_MCP_MAX_BODY_BYTES/);
    expect((await raw(a.url, { method: 'GET', headers: { accept: 'text/event-stream' } })).status).toBe(405);
    expect((await raw(`${a.base}/other`, { method: 'GET' })).status).toBe(404);
    const health = await raw(`${a.base}/healthz`, { method: 'GET' });
    expect([health.status, JSON.parse(health.body).status]).toEqual([200, 'ok']);
    expect((await raw(`${a.base}/.well-known/oauth-protected-resource`, { method: 'GET' })).status).toBe(404);
  });
});

describe('remote mode start-up refusals: exit code 2 and the fix on stderr', () => {
  it.each([
    [{ CLOUDPC_MCP_HOST: '0.0.0.0' }, /refusing to listen on 0\.0\.0\.0 without authentication.*CLOUDPC_MCP_HTTP_AUTH=entra/],
    [{ CLOUDPC_MCP_HTTP_AUTH: 'entra' }, /AZURE_TENANT_ID.*Directory \(tenant\) ID[\s\S]*AZURE_CLIENT_ID[\s\S]*AZURE_CLIENT_SECRET/],
    [{ CLOUDPC_MCP_TRANSPORT: 'htp' }, /CLOUDPC_MCP_TRANSPORT.*"htp" is not one of: stdio, http/],
    [{ CLOUDPC_MCP_PORT: 'eighty' }, /CLOUDPC_MCP_PORT.*"eighty" is not a whole number/],
  ])('%o', async (extra, message) => {
    const r = await runToExit(httpEnv({ CLOUDPC_MCP_SIMULATE: 'true', ...extra }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/remote mode \(--transport http\) did not start/);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a port already in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as net.AddressInfo).port;
      const r = await runToExit(httpEnv({ CLOUDPC_MCP_SIMULATE: 'true', CLOUDPC_MCP_PORT: String(port) }));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use; choose another with --port`));
    } finally {
      blocker.close();
    }
  });
});

describe('SIGTERM', () => {
  it('lets the call in flight finish, refuses new requests, then exits 0', async () => {
    const gate = await startGate(sim.url);
    const server = await startHttpServer(httpEnv({ CLOUDPC_MCP_GRAPH_URL: gate.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token }));
    const client = new Client({ name: 'cloudpc-mcp-http-test', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      const held = gate.hold('/retry');
      const call = client.callTool({
        name: 'retry_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.davePc] },
      });
      await held.arrived;
      server.child.kill('SIGTERM');
      // Refused either way: health says draining (503) or, once the listener is closed, the connection is refused.
      await expect
        .poll(
          async () =>
            raw(`${server.base}/healthz`, { method: 'GET' }).then(
              (r) => r.status,
              () => 'refused',
            ),
          { timeout: 20_000 },
        )
        .not.toBe(200);
      const late = await raw(server.url, { headers: MCP_HEADERS, body: JSON.stringify(INITIALIZE) }).then(
        (r) => r.status,
        () => 'refused',
      );
      expect([503, 'refused']).toContain(late);
      held.release();
      const r = (await call) as CallToolResult;
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(r.structuredContent).toMatchObject({ status: 'accepted', cloudPcIds: [DEMO_IDS.davePc] });
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.stderr()).toMatch(/shutting down \(SIGTERM\): refusing new requests, 1 in flight/);
    } finally {
      await client.close().catch(() => {});
      await server.stop();
      await gate.close();
    }
  });
});
