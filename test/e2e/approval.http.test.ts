// Approval in remote mode, end to end: the built server over Streamable HTTP. With Entra sign-in, the approval page
// lives at the server's public URL behind the Entra sign-in (authorization code + PKCE through MSAL, against the Entra
// stand-in on https://127.0.0.1), and only the plan's owner can approve or execute it. Without sign-in (loopback), the
// page uses one-time links as in stdio.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { textOf } from './harness.js';
import { entraServerEnv, startEntraStandIn, type EntraStandIn, type User } from '../support/entra/standIn.js';
import { auditLines, httpEnv, startHttpServer, type HttpServerProcess } from '../support/http-server.js';
import { decide, linkIn, openLink, request, waitFor, type OpenPage } from '../support/approval-browser.js';

const ALICE: User = { oid: '11111111-aaaa-4bbb-8ccc-0000000000a1', upn: 'alice@contoso.com' };
const BOB: User = { oid: '11111111-aaaa-4bbb-8ccc-0000000000b2', upn: 'bob@contoso.com' };
let entra: EntraStandIn;
let sim: Simulator;
const clients: Client[] = [];
const s = (r: CallToolResult) => r.structuredContent as Record<string, any>;
const posts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/retry'));

async function mcp(url: string, token?: string, logs: string[] = []): Promise<Client> {
  const client = new Client({ name: 'remote-client', version: '1' });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}),
  );
  clients.push(client);
  return client;
}
const retry = async (c: Client, args: Record<string, unknown>) =>
  (await c.callTool({ name: 'retry_cloudpc_bulk_action', arguments: args })) as CallToolResult;

beforeAll(async () => {
  // The simulator accepts the Graph token the tenant issues on behalf of a user, and nothing else delegated.
  entra = await startEntraStandIn();
  sim = await startSimulator({ token: entra.delegatedToken, appToken: entra.appToken });
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await sim?.close();
  await entra?.close();
});
beforeEach(() => sim.reset());

describe('remote mode with Entra sign-in', () => {
  let server: HttpServerProcess;
  let ca: Buffer;
  beforeAll(async () => {
    ca = readFileSync(entra.caPath);
    server = await startHttpServer(httpEnv({ ...entraServerEnv(entra, sim.url), CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '0' }));
  });
  afterAll(async () => {
    await server?.stop();
  });

  const getTls = (url: string) =>
    new Promise<{ status: number; location?: string }>((resolve, reject) => {
      https
        .get(url, { ca }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}) });
        })
        .on('error', reject);
    });

  /** The person's browser: opens the page, is sent to Entra, signs in as `user`, comes back with a session. */
  async function signInAndOpen(pageUrl: string, user: User): Promise<OpenPage & { status: number }> {
    entra.signInAs(user);
    const first = await request(pageUrl);
    expect(first.status).toBe(303);
    const authorize = new URL(first.headers.location!);
    expect(authorize.origin).toBe(entra.url);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const signinCookie = String(first.headers['set-cookie']?.[0]).split(';')[0]!;
    const back = await getTls(authorize.toString());
    expect(back.status).toBe(302);
    const callback = await request(back.location!, { headers: { cookie: signinCookie } });
    expect(callback.status, callback.body.slice(0, 400)).toBe(303);
    const cookie = String(callback.headers['set-cookie']?.[0]).split(';')[0]!;
    const page = await request(new URL(callback.headers.location!, pageUrl).toString(), { headers: { cookie } });
    return {
      url: pageUrl,
      origin: new URL(pageUrl).origin,
      cookie,
      csrf: /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '',
      html: page.body,
      status: page.status,
    };
  }

  it("the sign-in callback shows none of its query string, and logs only Entra's error code", async () => {
    const phish = 'Your session expired. Call +1 555 0100 or visit evil.example to restore access';
    const r = await request(`${server.base}/approve/callback?error=access_denied&error_description=${encodeURIComponent(phish)}&state=x`);
    expect(r.status).toBe(401);
    expect(r.body).toContain('The sign-in did not complete');
    expect(r.body).not.toMatch(/evil\.example|555 0100|session expired|access_denied/);
    await waitFor(() => (server.stderr().includes('Entra sign-in returned an error') ? true : undefined), 'the log line');
    expect(server.stderr()).toMatch(/Entra sign-in returned an error.*"error":"access_denied"/);
    expect(server.stderr()).not.toContain('evil.example');
    const odd = await request(`${server.base}/approve/callback?error=${encodeURIComponent('<b>x</b> visit evil.example')}`);
    expect(odd.body).not.toMatch(/evil\.example|&lt;b&gt;/);
  });

  it("the retry's answer and the view get the sign-in page link (it grants nothing by itself), and no secret", async () => {
    const alice = await mcp(server.url, await entra.mint({ oid: ALICE.oid, upn: ALICE.upn }));
    const pending = await retry(alice, { bulkActionId: DEMO_IDS.failedReprovision });
    expect(s(pending)).toMatchObject({ status: 'approvalPending', approvalUrl: `${server.base}/approve/${s(pending).planId}` });
    expect(pending._meta?.['cloudpc-mcp/approval']).toBeUndefined();
    expect(textOf(pending)).toContain(`where they sign in as the plan's owner: ${server.base}/approve/${s(pending).planId}`);
    expect(posts()).toHaveLength(0);
  });

  it("the plan's owner approves on the page behind Entra sign-in; another user can neither approve nor execute it; exactly the plan is sent", async () => {
    const alice = await mcp(server.url, await entra.mint({ oid: ALICE.oid, upn: ALICE.upn }));
    const bob = await mcp(server.url, await entra.mint({ oid: BOB.oid, upn: BOB.upn }));
    const dry = await retry(alice, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true });
    const plan = s(dry).plan;
    expect(plan.owner).toBe(ALICE.upn);
    const pending = await retry(alice, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(pending).status).toBe('approvalPending');
    // This link grants nothing without the owner's sign-in, so the model may relay it (remote clients show no logs).
    const pageUrl = `${server.base}/approve/${plan.id}`;
    expect(textOf(pending)).toContain(pageUrl);

    const stolen = await retry(bob, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(stolen.isError).toBe(true);
    expect(textOf(stolen)).toMatch(/belongs to another user/);

    const bobPage = await signInAndOpen(pageUrl, BOB);
    expect(bobPage.status).toBe(403);
    expect(bobPage.html).toMatch(/belongs to another user/);
    expect((await decide(bobPage, 'approve', { csrf: 'x' })).status).toBe(403);
    expect(s(await retry(alice, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id })).status).toBe('approvalPending');

    const alicePage = await signInAndOpen(pageUrl, ALICE);
    expect(alicePage.status).toBe(200);
    expect(alicePage.html).toContain('erin@contoso.com');
    expect((await decide(alicePage, 'approve', { origin: 'https://evil.example' })).status).toBe(403);
    expect((await decide(alicePage, 'approve')).status).toBe(200);
    expect(posts()).toHaveLength(0);

    const sent = await retry(alice, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(sent)).toMatchObject({ status: 'accepted', approval: { via: 'page', by: ALICE.upn } });
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: plan.cloudPcIds }]);
    await waitFor(() => auditLines(server.stderr()).find((l) => l.outcome === 'accepted'), 'the audit line');
    expect(auditLines(server.stderr()).find((l) => l.outcome === 'accepted')).toMatchObject({
      planId: plan.id,
      approvedVia: 'page',
      approvedBy: ALICE.upn,
      caller: { upn: ALICE.upn, oid: ALICE.oid },
    });
  });
});

describe('remote mode on loopback without sign-in', () => {
  let server: HttpServerProcess;
  beforeAll(async () => {
    server = await startHttpServer(
      httpEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '0' }),
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("the one-time link reaches the client as a log notification (never the result), on the server's own port; approving it lets the plan run", async () => {
    const logs: string[] = [];
    const c = await mcp(server.url, undefined, logs);
    const plan = s(await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true })).plan;
    const pending = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(pending).status).toBe('approvalPending');
    const link = await waitFor(() => linkIn(logs), 'the link in a log notification');
    expect(link.startsWith(`${server.base}/approve/${plan.id}?token=`)).toBe(true);
    expect(textOf(pending)).not.toContain('token=');
    const page = await openLink(link);
    const again = await request(link);
    expect(again.status).toBe(410);
    expect(again.body).toContain('This link was already opened');
    expect((await decide(page, 'approve')).status).toBe(200);
    const sent = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(sent).approval).toEqual({ via: 'page', by: 'the local user' });
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: plan.cloudPcIds }]);
  });
});
