// Graph behind a corporate proxy, end to end with the built server: Graph is https on 127.0.0.1 (the simulator behind
// a TLS front whose certificate the server trusts through NODE_EXTRA_CA_CERTS) and the server is given HTTPS_PROXY.
// A recording proxy proves the traffic went through it (or, with NO_PROXY or the embedded simulator, that it did not),
// and proxies that refuse, ask for credentials or are down give an error that names the proxy and the fix.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { baseEnv, connect, textOf, type Connected } from './harness.js';
import { createTestCertificate, type TestCertificate } from '../support/entra/certificate.js';
import { deadPort, startRecordingProxy, startTlsFront, type RecordingProxy, type TlsFront } from '../support/recordingProxy.js';

let cert: TestCertificate;
const sim = useSimulator();
let graph: TlsFront;
let proxy: RecordingProxy;
const servers: Connected[] = [];

beforeAll(async () => {
  cert = createTestCertificate();
  graph = await startTlsFront(sim.url, cert);
  proxy = await startRecordingProxy();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close().catch(() => {})));
  proxy.requests.length = 0;
  proxy.authorizations.length = 0;
  proxy.mode = 'tunnel';
});
afterAll(async () => {
  await proxy?.close();
  await graph?.close();
  cert?.remove();
});

const graphHostPort = () => new URL(graph.url).host;

/** The built server against https Graph on 127.0.0.1, with the operator's token and these proxy variables. */
async function start(extra: Record<string, string>): Promise<Connected> {
  const server = await connect({
    env: baseEnv({
      CLOUDPC_MCP_GRAPH_URL: graph.url,
      CLOUDPC_MCP_ACCESS_TOKEN: sim.token,
      NODE_EXTRA_CA_CERTS: cert.certPath,
      // One attempt: a proxy that is down is reported at once rather than after the backoff a flaky network deserves.
      CLOUDPC_MCP_MAX_ATTEMPTS: '1',
      ...extra,
    }),
  });
  servers.push(server);
  return server;
}

async function getAction(server: Connected) {
  const r = (await server.client.callTool({
    name: 'get_cloudpc_bulk_action',
    arguments: { bulkActionId: DEMO_IDS.failedRestart },
  })) as CallToolResult;
  return { isError: r.isError === true, text: textOf(r) };
}

describe('Graph requests honour HTTPS_PROXY and NO_PROXY', () => {
  it('HTTPS_PROXY: every Graph request goes through the proxy as a CONNECT tunnel to the Graph host, loopback included', async () => {
    const server = await start({ HTTPS_PROXY: proxy.url });
    const r = await getAction(server);
    expect(r.isError, r.text).toBe(false);
    expect(r.text).toContain(DEMO_IDS.failedRestart);
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(new Set(proxy.requests)).toEqual(new Set([graphHostPort()]));
    expect(sim.requests.length).toBeGreaterThan(0);
  });

  it('lower-case https_proxy wins over HTTPS_PROXY, as in curl', async () => {
    const server = await start({ https_proxy: proxy.url, HTTPS_PROXY: `http://127.0.0.1:${await deadPort()}` });
    const r = await getAction(server);
    expect(r.isError, r.text).toBe(false);
    expect(proxy.requests).toContain(graphHostPort());
  });

  it('HTTP_PROXY alone carries https Graph traffic too', async () => {
    const server = await start({ HTTP_PROXY: proxy.url });
    expect((await getAction(server)).isError).toBe(false);
    expect(proxy.requests).toContain(graphHostPort());
  });

  it('NO_PROXY listing the Graph host: straight to Graph, the proxy sees nothing', async () => {
    const server = await start({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost, 127.0.0.0/8' });
    const before = graph.connections();
    const r = await getAction(server);
    expect(r.isError, r.text).toBe(false);
    expect(proxy.requests).toEqual([]);
    expect(graph.connections()).toBeGreaterThan(before);
  });

  it('credentials in the proxy URL open an authenticating proxy, and never appear in output', async () => {
    proxy.mode = 'auth';
    const { user, password } = proxy.credentials;
    const server = await start({ HTTPS_PROXY: `http://${user}:${encodeURIComponent(password)}@127.0.0.1:${proxy.port}` });
    const r = await getAction(server);
    expect(r.isError, r.text).toBe(false);
    expect(proxy.authorizations[0]).toBe(`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
    expect(server.stderr()).not.toContain(encodeURIComponent(password));
    expect(server.stderr()).not.toContain(password);
  });
});

describe('a proxy that does not let Graph through: the error names it (never its credentials) and the fix', () => {
  it('407: asks for credentials; says how to give them, or to bypass it with NO_PROXY', async () => {
    proxy.mode = 'auth';
    const server = await start({ HTTPS_PROXY: `http://${proxy.credentials.user}:wrong-secret@127.0.0.1:${proxy.port}` });
    const graphRequests = sim.requests.length;
    const r = await getAction(server);
    expect(r.isError).toBe(true);
    expect(r.text).toContain(`The proxy http://127.0.0.1:${proxy.port} (HTTPS_PROXY) asks for authentication (HTTP 407)`);
    expect(r.text).toMatch(/HTTPS_PROXY=http:\/\/user:password@host:port/);
    expect(r.text).toContain('NO_PROXY');
    expect(r.text).not.toContain('wrong-secret');
    expect(server.stderr()).not.toContain('wrong-secret');
    expect(sim.requests.length).toBe(graphRequests);
  });

  it('403: the proxy refuses the Graph host; nothing reached Graph, and a retry is not in doubt', async () => {
    proxy.mode = 'refuse';
    const server = await start({ HTTPS_PROXY: proxy.url });
    const before = sim.retries.length;
    const graphRequests = sim.requests.length;
    const r = (await server.client.callTool({
      name: 'retry_cloudpc_bulk_action',
      arguments: { bulkActionId: DEMO_IDS.failedRestart, confirm: true },
    })) as CallToolResult;
    const text = textOf(r);
    expect(r.isError).toBe(true);
    expect(text).toContain(`The proxy http://127.0.0.1:${proxy.port} (HTTPS_PROXY) refused the connection`);
    expect(text).toContain('HTTP 403');
    expect(text).not.toMatch(/MAY HAVE BEEN ACCEPTED/);
    expect(sim.retries.length).toBe(before);
    expect(sim.requests.length).toBe(graphRequests);
  });

  it('a proxy that is down: cannot reach it, check it runs and that HTTPS_PROXY names it', async () => {
    const port = await deadPort();
    const server = await start({ HTTPS_PROXY: `http://ops:topsecret@127.0.0.1:${port}` });
    const r = await getAction(server);
    expect(r.isError).toBe(true);
    expect(r.text).toContain(`Cannot reach the proxy http://127.0.0.1:${port} (HTTPS_PROXY)`);
    expect(r.text).toContain('NO_PROXY');
    expect(r.text + server.stderr()).not.toContain('topsecret');
  });
});

describe('the embedded simulator is never proxied', () => {
  it('--simulate with HTTPS_PROXY and HTTP_PROXY set (and no NO_PROXY): the tools work and the proxy sees nothing', async () => {
    const server = await connect({
      env: baseEnv({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, https_proxy: proxy.url, http_proxy: proxy.url }),
      args: ['--simulate'],
    });
    servers.push(server);
    const r = await getAction(server);
    expect(r.isError, r.text).toBe(false);
    expect(proxy.requests).toEqual([]);
  });
});
