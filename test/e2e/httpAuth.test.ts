// Remote mode with Entra sign-in, against local stand-ins: the Entra stand-in on https://127.0.0.1 (keys, issuer,
// on-behalf-of token endpoint) and the Graph simulator, which accepts only the token the on-behalf-of grant issues.
// So a call that works proves Graph saw the exchanged token, never the caller's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { textOf } from './harness.js';
import { entraServerEnv, startEntraStandIn, type EntraStandIn, type MintOptions } from '../support/entra/standIn.js';
import { CLIENT_ID, TENANT_ID, USER } from '../support/entra/tenant.js';
import { startGate, type Gate } from '../support/http-gate.js';
import { auditLines, httpEnv, INITIALIZE, MCP_HEADERS, startHttpServer, type HttpServerProcess } from '../support/http-server.js';

const NO_CONSENT_OID = '22222222-aaaa-4bbb-8ccc-000000000002';
let entra: EntraStandIn;
let sim: Simulator;
let graph: Gate;
let server: HttpServerProcess;

beforeAll(async () => {
  entra = await startEntraStandIn();
  entra.script({ flow: 'on_behalf_of', oid: NO_CONSENT_OID, aadsts: 65001 });
  sim = await startSimulator({ token: entra.delegatedToken, appToken: entra.appToken });
  // Graph traffic passes a counting proxy, to see how many connections the server opens.
  graph = await startGate(sim.url);
  server = await startHttpServer(httpEnv(entraServerEnv(entra, graph.url)));
});
afterAll(async () => {
  await server?.stop();
  await graph?.close();
  await sim?.close();
  await entra?.close();
});

async function post(token: string | undefined, body: unknown = INITIALIZE) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...(token !== undefined ? { authorization: token.startsWith('Basic') ? token : `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '', body: await res.text() };
}

async function connectAs(token: string): Promise<Client> {
  const client = new Client({ name: 'copilot-studio-like', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}

describe('remote mode with Entra sign-in', () => {
  it('without a token: 401 pointing to the protected-resource metadata, which names the tenant and the scope', async () => {
    const r = await post(undefined);
    expect(r.status).toBe(401);
    const pointer = /resource_metadata="([^"]+)"/.exec(r.challenge)?.[1];
    expect(pointer).toBe(`${server.base}/.well-known/oauth-protected-resource/mcp`);
    expect(r.challenge).toContain(`scope="api://${CLIENT_ID}/access_as_user"`);
    expect(r.challenge).not.toContain('error=');
    const metadata = await (await fetch(pointer!)).json();
    expect(metadata).toMatchObject({
      resource: server.url,
      authorization_servers: [entra.issuer],
      scopes_supported: [`api://${CLIENT_ID}/access_as_user`],
      bearer_methods_supported: ['header'],
    });
    expect(await (await fetch(`${server.base}/.well-known/oauth-protected-resource`)).json()).toEqual(metadata);
  });

  it.each<[string, MintOptions | 'basic', number, RegExp]>([
    ['a token for another resource (Graph)', { aud: 'https://graph.microsoft.com' }, 401, /another resource/],
    ['an expired token', { expiresIn: -600 }, 401, /expired/],
    ['a token from another issuer', { iss: 'https://login.microsoftonline.com/another-tenant/v2.0' }, 401, /not issued by/],
    ['a token signed with a key the tenant never published', { foreignKey: true }, 401, /signature/],
    ['a token without the access_as_user scope', { scp: 'User.Read' }, 403, /lacks the access_as_user scope/],
    ['an app-only token (roles, no scp)', { scp: null, roles: ['CloudPC.ReadWrite.All'] }, 403, /application token/],
    ['a Basic credential instead of a bearer token', 'basic', 401, /Bearer <access token>/],
    // Malformed tokens are the caller's problem (401), never the 503 that means "signing keys unreachable".
    [
      'a token with an unsupported crit header',
      { header: { crit: ['urn:example:unknown'], 'urn:example:unknown': 1 } },
      401,
      /not a valid signed Entra access token/,
    ],
    ['a token without kid while the tenant publishes several keys', { header: { kid: undefined } }, 401, /names no signing key \(kid\)/],
    ['a token whose oid is a number', { claims: { oid: 42 } }, 401, /oid claim/],
    ['a token whose tid is an object', { claims: { tid: { toString: 1 } } }, 401, /tid claim/],
  ])('refuses %s', async (_what, mint, status, message) => {
    const token = mint === 'basic' ? 'Basic dXNlcjpwYXNz' : await entra.mint(mint);
    const r = await post(token);
    expect(r.status).toBe(status);
    expect(r.challenge).toContain(`error="${status === 403 ? 'insufficient_scope' : 'invalid_token'}"`);
    expect(r.challenge).toContain(`resource_metadata="${server.base}/.well-known/oauth-protected-resource/mcp"`);
    expect(JSON.parse(r.body).error.message).toMatch(message);
    expect(server.stderr()).not.toContain(token);
  });

  it('a valid token: the retry runs on behalf of the user, Graph sees the exchanged token, and the exchange is cached per user', async () => {
    const before = entra.exchanges().length;
    const token = await entra.mint();
    const client = await connectAs(token);
    try {
      const r = (await client.callTool({
        name: 'retry_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.bobPc] },
      })) as CallToolResult;
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(r.structuredContent).toMatchObject({ status: 'accepted', cloudPcIds: [DEMO_IDS.bobPc] });
      expect(sim.retries.at(-1)).toMatchObject({ bulkActionId: DEMO_IDS.failedRestart });
      // Exactly one exchange, of this caller's own token, for the Graph permission retry needs.
      expect(entra.exchanges().slice(before)).toEqual([
        { oid: USER.oid, assertion: token, scope: expect.stringContaining('https://graph.microsoft.com/CloudPC.ReadWrite.All') },
      ]);

      // A fresh token of the same user (a new request, as after a client refresh) reuses the user's Graph token.
      const again = await connectAs(await entra.mint());
      const list = (await again.callTool({
        name: 'get_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedRestart },
      })) as CallToolResult;
      expect(list.isError, textOf(list)).toBeFalsy();
      await again.close();
      expect(entra.exchanges().length).toBe(before + 1);

      // Another user gets an exchange of their own.
      const bob = await connectAs(await entra.mint({ oid: '33333333-aaaa-4bbb-8ccc-000000000003', upn: 'bob@contoso.com' }));
      expect(
        ((await bob.callTool({ name: 'list_cloud_pcs', arguments: { userPrincipalName: 'bob@contoso.com' } })) as CallToolResult).isError,
      ).toBeFalsy();
      await bob.close();
      expect(
        entra
          .exchanges()
          .slice(before)
          .map((e) => e.oid),
      ).toEqual([USER.oid, '33333333-aaaa-4bbb-8ccc-000000000003']);
    } finally {
      await client.close();
    }
  });

  it('the audit line names the signed-in caller; no token or secret appears in the log', async () => {
    const retry = auditLines(server.stderr()).find((l) => l.tool === 'retry_cloudpc_bulk_action' && l.outcome === 'accepted');
    expect(retry).toMatchObject({
      caller: { upn: USER.upn, oid: USER.oid, tid: TENANT_ID },
      bulkActionId: DEMO_IDS.failedRestart,
      ids: 1,
    });
    expect(retry!.graphRequestId).toMatch(/^[0-9a-f-]{36}$/);
    const log = server.stderr();
    // Every token the tenant issued or minted (the exchanged Graph token and each caller's assertion among them), and the app's secret.
    for (const secret of entra.secretsIssued()) expect(log).not.toContain(secret);
  });

  it('when the exchange is refused (no admin consent), the tool result says who must do what; nothing reaches Graph', async () => {
    const retries = sim.retries.length;
    const client = await connectAs(await entra.mint({ oid: NO_CONSENT_OID, upn: 'carol@contoso.com' }));
    try {
      const r = (await client.callTool({
        name: 'retry_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedRestart },
      })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(
        /nothing was sent[\s\S]*no consent for the delegated Microsoft Graph permission CloudPC\.ReadWrite\.All[\s\S]*Grant admin consent/i,
      );
      expect(sim.retries.length).toBe(retries);
    } finally {
      await client.close();
    }
  });

  it('requests of several users, each served by its own MCP server, share one keep-alive connection pool to Graph', async () => {
    const before = graph.connections();
    for (const [oid, upn] of [
      [USER.oid, USER.upn],
      ['33333333-aaaa-4bbb-8ccc-000000000003', 'bob@contoso.com'],
    ] as const) {
      const client = await connectAs(await entra.mint({ oid, upn }));
      for (let i = 0; i < 3; i++) {
        const r = (await client.callTool({
          name: 'get_cloudpc_bulk_action',
          arguments: { bulkActionId: DEMO_IDS.failedRestart },
        })) as CallToolResult;
        expect(r.isError, textOf(r)).toBeFalsy();
      }
      await client.close();
    }
    // A pool per request would open a connection for each of the six calls.
    expect(graph.connections() - before).toBeLessThanOrEqual(1);
  });

  it('a browser page from a foreign origin is refused with 403 even with a valid token', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, origin: 'https://evil.example.com', authorization: `Bearer ${await entra.mint()}` },
      body: JSON.stringify(INITIALIZE),
    });
    expect(res.status).toBe(403);
  });
});

describe('remote mode with Entra sign-in: allowed client apps and a rate budget per caller', () => {
  const COPILOT_APP = '0f1e2d3c-4b5a-4697-8877-665544332211';
  const ALICE = { oid: USER.oid, upn: USER.upn, azp: COPILOT_APP };
  const BOB = { oid: '33333333-aaaa-4bbb-8ccc-000000000003', upn: 'bob@contoso.com', azp: COPILOT_APP };
  let strict: HttpServerProcess;
  beforeAll(async () => {
    strict = await startHttpServer(
      httpEnv({
        ...entraServerEnv(entra, graph.url),
        CLOUDPC_MCP_ENTRA_ALLOWED_CLIENTS: COPILOT_APP,
        CLOUDPC_MCP_RATE_LIMIT_PER_MINUTE: '1',
        CLOUDPC_MCP_RATE_LIMIT_BURST: '1',
      }),
    );
  });
  afterAll(async () => {
    await strict?.stop();
  });

  const connect = async (token: string) => {
    const client = new Client({ name: 'copilot-studio-like', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(strict.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
    );
    return client;
  };
  const read = (client: Client) =>
    client.callTool({ name: 'get_cloudpc_bulk_action', arguments: { bulkActionId: DEMO_IDS.failedRestart } });

  it('a token issued to another client app is 403 with a description naming the app and the setting, and no sign-in challenge', async () => {
    const res = await fetch(strict.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${await entra.mint({ azp: '99999999-0000-4000-8000-000000000000' })}` },
      body: JSON.stringify(INITIALIZE),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /client application 99999999-0000-4000-8000-000000000000.*CLOUDPC_MCP_ENTRA_ALLOWED_CLIENTS/,
    );
  });

  it('one caller over its budget gets 429 with Retry-After; another user of the tenant is not affected', async () => {
    const alice = await connect(await entra.mint(ALICE));
    const bob = await connect(await entra.mint(BOB));
    try {
      expect(((await read(alice)) as CallToolResult).isError).toBeFalsy();
      await expect(read(alice)).rejects.toMatchObject({ code: 429, message: expect.stringMatching(/Rate limit/) });
      const res = await fetch(strict.url, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${await entra.mint(ALICE)}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_cloudpc_bulk_actions', arguments: {} } }),
      });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await read(bob)) as CallToolResult).isError).toBeFalsy();
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});
