// Remote mode's on-behalf-of exchange when things go wrong on the operator's side, end to end with the built server,
// the Entra stand-in and the Graph simulator: an exchange that hangs ends at its deadline (CLOUDPC_MCP_OBO_TIMEOUT_MS)
// and the user's next call starts a fresh one; a certificate file that cannot be used is reported as that.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { textOf } from './harness.js';
import { entraServerEnv, startEntraStandIn, type EntraStandIn } from '../support/entra/standIn.js';
import { httpEnv, startHttpServer, type HttpServerProcess } from '../support/http-server.js';
import { startRecordingProxy } from '../support/recordingProxy.js';

const SLOW_OID = '44444444-aaaa-4bbb-8ccc-000000000004';
let entra: EntraStandIn;
let sim: Simulator;
const servers: HttpServerProcess[] = [];

beforeAll(async () => {
  entra = await startEntraStandIn();
  // The first exchange of this user is never answered, as with a token service that hangs.
  entra.script({ flow: 'on_behalf_of', oid: SLOW_OID, hang: true, times: 1 });
  sim = await startSimulator({ token: entra.delegatedToken, appToken: entra.appToken });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await sim?.close();
  await entra?.close();
});

async function start(extra: Record<string, string>): Promise<HttpServerProcess> {
  const server = await startHttpServer(httpEnv({ ...entraServerEnv(entra, sim.url), ...extra }));
  servers.push(server);
  return server;
}

async function callAs(server: HttpServerProcess, oid: string): Promise<{ isError: boolean; text: string }> {
  const client = new Client({ name: 'copilot-studio-like', version: '1' });
  const token = await entra.mint({ oid, upn: `${oid.slice(0, 4)}@contoso.com` });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  try {
    const r = (await client.callTool({
      name: 'get_cloudpc_bulk_action',
      arguments: { bulkActionId: DEMO_IDS.failedRestart },
    })) as CallToolResult;
    return { isError: r.isError === true, text: textOf(r) };
  } finally {
    await client.close();
  }
}

describe('the on-behalf-of exchange', () => {
  it('has a deadline: a hung exchange ends with a clear error, and the next call of that user starts a fresh one', async () => {
    const server = await start({ CLOUDPC_MCP_OBO_TIMEOUT_MS: '1000' });
    const first = await callAs(server, SLOW_OID);
    expect(first.isError).toBe(true);
    expect(first.text).toContain(`${entra.url} did not answer within 1 s (CLOUDPC_MCP_OBO_TIMEOUT_MS)`);
    expect(first.text).toContain('Nothing was sent to Graph');
    const second = await callAs(server, SLOW_OID);
    expect(second.isError, second.text).toBe(false);
    expect(entra.grants('on_behalf_of').filter((r) => r.oid === SLOW_OID)).toHaveLength(2);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    [
      'a certificate path where no file is',
      { AZURE_CLIENT_CERTIFICATE_PATH: '/nonexistent/cloudpc-mcp/server.pem' },
      /AZURE_CLIENT_CERTIFICATE_PATH=\/nonexistent\/cloudpc-mcp\/server\.pem does not exist/,
    ],
    [
      'a certificate path that is a folder',
      { AZURE_CLIENT_CERTIFICATE_PATH: '/tmp' },
      /AZURE_CLIENT_CERTIFICATE_PATH=\/tmp is a folder, not a file/,
    ],
  ])(
    'with %s: reported as that, with the fix for the operator, not as a network error; no exchange is tried',
    async (_what, env, problem) => {
      const server = await start({ AZURE_CLIENT_SECRET: '', ...env });
      const before = entra.grants('on_behalf_of').length;
      const r = await callAs(server, '55555555-aaaa-4bbb-8ccc-000000000005');
      expect(r.isError).toBe(true);
      expect(r.text).toMatch(problem);
      expect(r.text).toContain('The operator fixes it: Point AZURE_CLIENT_CERTIFICATE_PATH at a PEM file');
      expect(r.text).not.toMatch(/could not reach|network/i);
      expect(entra.grants('on_behalf_of').length).toBe(before);
    },
  );
});

describe('behind a corporate proxy (HTTPS_PROXY)', () => {
  const KEYS = '/discovery/v2.0/keys';
  const keyFetches = () => entra.requests.filter((r) => r.path.endsWith(KEYS)).length;

  it('the signing keys are fetched through the proxy, and the caller is let in', async () => {
    const proxy = await startRecordingProxy('tunnel');
    try {
      const server = await start({ HTTPS_PROXY: proxy.url });
      const before = keyFetches();
      const r = await callAs(server, '66666666-aaaa-4bbb-8ccc-000000000006');
      expect(keyFetches()).toBeGreaterThan(before);
      expect(proxy.requests).toContain(new URL(entra.url).host);
      // The token was checked and the call reached the tool. What follows is the on-behalf-of exchange, made by
      // @azure/identity through the same proxy; it cannot finish here: through a proxy, its TLS check of an authority
      // named by IP address (the stand-in's 127.0.0.1) fails with ERR_TLS_CERT_ALTNAME_INVALID, which real authorities,
      // host names, never meet.
      expect(r.text).not.toMatch(/Sign-in required|signing keys/);
    } finally {
      await proxy.close();
    }
  });

  it('a proxy that refuses Entra: sign-ins cannot be checked (503), and nothing went around the proxy to Entra', async () => {
    const proxy = await startRecordingProxy('refuse');
    try {
      const server = await start({ HTTPS_PROXY: proxy.url });
      const before = keyFetches();
      const token = await entra.mint({ oid: '77777777-aaaa-4bbb-8ccc-000000000007' });
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(res.status).toBe(503);
      expect(keyFetches()).toBe(before);
      expect(proxy.requests).toContain(new URL(entra.url).host);
    } finally {
      await proxy.close();
    }
  });
});
