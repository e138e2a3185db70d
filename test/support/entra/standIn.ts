// The Entra stand-in: one tenant (tenant.ts) on https://127.0.0.1 with a throw-away certificate, real enough for
// @azure/identity and MSAL to sign in against. Local sign-in: OpenID metadata per tenant, device code, the browser
// page with PKCE, refresh, service principal and workload identity. Remote mode: the signing keys caller tokens are
// checked with, the on-behalf-of grant, and the approval page's sign-in as a confidential client. The test plays the
// user (signIns.ts), scripts Entra's refusals, delays and silences (script.ts), mints caller tokens (keys.ts), and
// reads every request received, to prove what the server asked for and that nothing asked for instance discovery.
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestCertificate } from './certificate.js';
import { entraError, type Answer } from './errors.js';
import { tokenEndpoint, type Grant, type RecordedRequest, type TenantState } from './grants.js';
import { createTenantKeys, type MintOptions } from './keys.js';
import { Script, type ScriptedAnswer } from './script.js';
import { SignIns, type DeviceCodeRecord, type Lifetimes } from './signIns.js';
import { CLIENT_ID, CLIENT_SECRET, GRAPH_APP_ROLES, GRAPH_SCOPES, TENANT_ALIASES, TENANT_ID, USER, type User } from './tenant.js';

export type { DeviceCodeRecord, MintOptions, RecordedRequest, ScriptedAnswer, User };

export interface Exchange {
  /** oid of the user whose token was exchanged. */
  oid: string;
  /** The assertion the server sent: must be the caller's own token. */
  assertion: string;
  scope: string;
}

export interface EntraStandIn {
  /** https://127.0.0.1:PORT: the AZURE_AUTHORITY_HOST for the server under test. */
  url: string;
  /** The issuer of the tenant's tokens. */
  issuer: string;
  /** The certificate's path, for NODE_EXTRA_CA_CERTS. */
  caPath: string;
  /** The delegated Graph token every delegated grant issues, on-behalf-of included: the simulator's accepted token. */
  delegatedToken: string;
  /** The app-only Graph token client credentials issue. */
  appToken: string;
  lifetimes: Lifetimes;
  requests: RecordedRequest[];
  /** Requests to the token endpoint with this grant, answered or not. */
  grants(grant: Grant): RecordedRequest[];
  /** On-behalf-of exchanges granted, in order. */
  exchanges(): Exchange[];
  /** Everything secret it issued or minted (tokens, codes, the app's secret), to check none of it leaks. */
  secretsIssued(): string[];
  /** Who signs in next, on the browser page or by approving a device code; USER until changed. */
  signInAs(user: User): void;
  /** Device codes requested so far: each one is a sign-in prompt shown to the user. */
  deviceCodes(): DeviceCodeRecord[];
  /** The user enters the code and signs in (or refuses). */
  approve(userCode: string): void;
  decline(userCode: string): void;
  /** Answer otherwise than granting (see script.ts); the function returned takes the answer back. */
  script(answer: ScriptedAnswer): () => void;
  /** A caller token for remote mode, signed by the tenant unless told otherwise. */
  mint(options?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startEntraStandIn(): Promise<EntraStandIn> {
  const cert = createTestCertificate();
  const keys = await createTenantKeys();
  // One Graph token of each kind for the whole run: the simulator accepts exactly one string per kind. Their JWT exp is
  // far away; how long a client may keep them is what each token response's expires_in says.
  const graphToken = (claims: Record<string, unknown>) =>
    keys.sign({ aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${TENANT_ID}/`, tid: TENANT_ID, ...claims }, 24 * 3600);
  const delegatedToken = await graphToken({
    oid: USER.oid,
    upn: USER.upn,
    name: USER.name,
    scp: GRAPH_SCOPES.join(' '),
    idtyp: 'user',
    appid: 'stand-in-public-client',
  });
  const appToken = await graphToken({ oid: randomUUID(), roles: GRAPH_APP_ROLES, idtyp: 'app', appid: CLIENT_ID });
  const lifetimes: Lifetimes = { accessTokenSec: 3600, deviceCodeSec: 900 };
  const secrets = new Set([delegatedToken, appToken, CLIENT_SECRET]);
  const script = new Script();
  const signIns = new SignIns(secrets, lifetimes, script);
  const requests: RecordedRequest[] = [];

  let tenant: TenantState | undefined;
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => serve(tenant!, requests, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${url}/${TENANT_ID}/v2.0`;
  tenant = { url, issuer, keys, delegatedToken, appToken, signIns, script, lifetimes, secrets };

  return {
    url,
    issuer,
    caPath: cert.certPath,
    delegatedToken,
    appToken,
    lifetimes,
    requests,
    grants: (grant) => requests.filter((r) => r.grant === grant),
    exchanges: () =>
      requests
        .filter((r) => r.grant === 'on_behalf_of' && r.status === 200)
        .map((r) => ({ oid: r.oid ?? '', assertion: r.assertion ?? '', scope: r.scope ?? '' })),
    secretsIssued: () => [...secrets],
    signInAs: (user) => void (signIns.user = user),
    deviceCodes: () => signIns.deviceCodes(),
    approve: (userCode) => signIns.decide(userCode, 'approved'),
    decline: (userCode) => signIns.decide(userCode, 'declined'),
    script: (answer) => script.add(answer),
    mint: async (options) => {
      const token = await keys.mint(issuer, options);
      secrets.add(token);
      return token;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cert.remove();
    },
  };
}

/** The server's settings to sign in at the stand-in: it is the authority (a custom one: no instance discovery), trusted. */
export function authorityEnv(entra: EntraStandIn): Record<string, string> {
  return { AZURE_AUTHORITY_HOST: entra.url, NODE_EXTRA_CA_CERTS: entra.caPath };
}

/** Remote mode with Entra sign-in: the tenant's app registration; issuer and key URL follow from the authority, as at Entra. */
export function entraServerEnv(entra: EntraStandIn, graphUrl: string): Record<string, string> {
  return {
    CLOUDPC_MCP_HTTP_AUTH: 'entra',
    AZURE_TENANT_ID: TENANT_ID,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
    CLOUDPC_MCP_GRAPH_URL: graphUrl,
    ...authorityEnv(entra),
  };
}

function serve(tenant: TenantState, requests: RecordedRequest[], req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const target = new URL(req.url ?? '/', tenant.url);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: target.pathname };
    const clientId = target.searchParams.get('client_id') ?? form.get('client_id');
    if (clientId !== null) rec.clientId = clientId;
    requests.push(rec);
    Promise.resolve()
      .then(() => route(tenant, rec, form, target.searchParams))
      .catch((err: unknown): Answer => ({ status: 500, body: { error: 'server_error', error_description: String(err) } }))
      .then((answer) => {
        rec.status = answer.status;
        send(res, answer);
      })
      .catch(() => res.destroy());
  });
}

type Route = (t: TenantState, form: URLSearchParams, query: URLSearchParams, rec: RecordedRequest) => Promise<Answer> | Answer;

const ROUTES: Record<string, Route> = {
  'GET v2.0/.well-known/openid-configuration': (t, _form, _query, rec) => ({ status: 200, body: openIdMetadata(t, rec.tenant ?? '') }),
  'GET discovery/v2.0/keys': (t) => ({ status: 200, body: t.keys.jwks }),
  'POST oauth2/v2.0/devicecode': (t, form) => t.signIns.issueDeviceCode(form.get('client_id') ?? '', t.url),
  'GET oauth2/v2.0/authorize': (t, _form, query) => t.signIns.authorize(query),
  'POST oauth2/v2.0/token': (t, form, _query, rec) => tokenEndpoint(t, form, rec),
};

function route(t: TenantState, rec: RecordedRequest, form: URLSearchParams, query: URLSearchParams): Promise<Answer> | Answer {
  const [tenant, ...rest] = rec.path.split('/').filter(Boolean);
  if (tenant === undefined) return { status: 404, body: { error: 'not_found' } };
  rec.tenant = tenant;
  const tail = rest.join('/');
  // Instance discovery is what a custom authority must never cause; answer as Entra would, the tests check for it.
  if (tail === 'discovery/instance') return entraError(50049);
  if (!TENANT_ALIASES.some((known) => known.toLowerCase() === tenant.toLowerCase())) return entraError(90002, { tenant });
  const handler = ROUTES[`${rec.method} ${tail}`];
  return handler ? handler(t, form, query, rec) : { status: 404, body: { error: 'not_found', path: rec.path } };
}

function openIdMetadata(t: TenantState, tenant: string) {
  const base = `${t.url}/${tenant}`;
  return {
    issuer: t.issuer,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    tenant_region_scope: 'NA',
  };
}

function send(res: ServerResponse, answer: Answer): void {
  if (answer.location) {
    res.writeHead(answer.status, { location: answer.location, 'cache-control': 'no-store' }).end();
    return;
  }
  res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(answer.body ?? {}));
}
