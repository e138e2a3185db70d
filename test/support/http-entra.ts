// A stand-in for one Entra tenant on https://127.0.0.1 (self-signed certificate made here with openssl, trusted by the
// server under test through NODE_EXTRA_CA_CERTS): OpenID metadata, the signing keys (JWKS) and the token endpoint's
// on-behalf-of grant. Tests mint caller tokens with its key, or with a stranger's key, or with wrong claims.
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export const TENANT_ID = '7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b';
export const CLIENT_ID = '3a8e6c1d-2b4f-4e70-9c8d-1e2f3a4b5c6d';
export const CLIENT_SECRET = 'stand-in-client-secret-0123456789';

export interface Exchange {
  /** oid of the user whose token was exchanged. */
  oid: string;
  /** The assertion the server sent: must be the caller's own token. */
  assertion: string;
  scope: string;
}

export interface MintOptions {
  oid?: string;
  upn?: string;
  tid?: string;
  aud?: string;
  iss?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** undefined: access_as_user; null: no scp claim (an app-only token). */
  scp?: string | null;
  roles?: string[];
  /** Sign with a key the tenant never published. */
  foreignKey?: boolean;
  /** The client application the token was issued to (azp); default copilot-studio-client. */
  azp?: string;
  /** Claims set as given, after the others: wrong types, say. */
  claims?: Record<string, unknown>;
  /** Protected-header members set as given (kid: undefined drops it; crit is honoured when signing). */
  header?: Record<string, unknown>;
}

export interface SignInUser {
  oid: string;
  upn: string;
}

export interface EntraStandIn {
  /** Who signs in on the next browser sign-in (authorization code flow). */
  signInAs(user: SignInUser): void;
  authorityHost: string;
  issuer: string;
  /** PEM of the self-signed certificate, for NODE_EXTRA_CA_CERTS. */
  caPath: string;
  exchanges: Exchange[];
  /** oid of every on-behalf-of request that reached the token endpoint with a valid assertion, answered or not. */
  attempts: string[];
  mint(opts?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

export interface StandInOptions {
  /** The Graph token the on-behalf-of grant issues (the simulator's accepted token). */
  graphToken: string;
  /** Users (oid) for whom the grant answers AADSTS65001, as Entra does when admin consent is missing. */
  noConsent?: string[];
  /** Users (oid) whose first on-behalf-of request is never answered, as with a token service that hangs. */
  holdFirst?: string[];
}

/**
 * Settings for a server in Entra mode against this stand-in: its app registration, the stand-in as authority (issuer
 * and key URL follow from it, as they do for the real Entra) and trust in the stand-in's certificate.
 */
export function entraServerEnv(entra: EntraStandIn, graphUrl: string): Record<string, string> {
  return {
    CLOUDPC_MCP_HTTP_AUTH: 'entra',
    AZURE_TENANT_ID: TENANT_ID,
    AZURE_CLIENT_ID: CLIENT_ID,
    AZURE_CLIENT_SECRET: CLIENT_SECRET,
    AZURE_AUTHORITY_HOST: entra.authorityHost,
    CLOUDPC_MCP_GRAPH_URL: graphUrl,
    NODE_EXTRA_CA_CERTS: entra.caPath,
  };
}

export async function startEntraStandIn(opts: StandInOptions): Promise<EntraStandIn> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cloudpc-entra-'));
  const caPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', caPath, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });

  const signing = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256');
  const kid = 'stand-in-key-1';
  const jwk = { ...(await exportJWK(signing.publicKey)), kid, use: 'sig', alg: 'RS256' };
  // Entra publishes several keys at a time (rollover): a second one, which signs nothing here.
  const spare = { ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).publicKey)), kid: 'stand-in-key-2', use: 'sig', alg: 'RS256' };
  const exchanges: Exchange[] = [];
  const attempts: string[] = [];
  let base = '';
  let nextUser: SignInUser = { oid: '11111111-aaaa-4bbb-8ccc-000000000001', upn: 'alice@contoso.com' };
  const codes = new Map<string, { challenge: string; redirectUri: string; user: SignInUser }>();

  const server = https.createServer({ key: readFileSync(keyPath), cert: readFileSync(caPath) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      // The browser sign-in page: the user (signInAs) signs in at once and is sent back with a code, as Entra does.
      if (url.pathname === `/${TENANT_ID}/oauth2/v2.0/authorize`) {
        const back = new URL(url.searchParams.get('redirect_uri') ?? '');
        const code = `code-${randomUUID()}`;
        codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', redirectUri: back.toString(), user: nextUser });
        back.searchParams.set('code', code);
        back.searchParams.set('state', url.searchParams.get('state') ?? '');
        res.writeHead(302, { location: back.toString() }).end();
        return;
      }
      void route(req.method ?? 'GET', url.pathname, Buffer.concat(chunks).toString('utf8')).then(([status, body]) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/${TENANT_ID}/v2.0`;

  const oauthError = (code: string, aadsts: number, text: string): [number, unknown] => [
    400,
    { error: code, error_description: `AADSTS${aadsts}: ${text}`, error_codes: [aadsts], timestamp: new Date().toISOString() },
  ];

  async function codeGrant(form: URLSearchParams): Promise<[number, unknown]> {
    const code = codes.get(form.get('code') ?? '');
    codes.delete(form.get('code') ?? '');
    if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) return oauthError('invalid_client', 7000215, 'Invalid client secret provided.');
    const verifier = form.get('code_verifier') ?? '';
    if (!code || code.redirectUri.split('?')[0] !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
      return oauthError('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
    }
    const now = Math.floor(Date.now() / 1000);
    const idToken = await new SignJWT({ tid: TENANT_ID, oid: code.user.oid, sub: code.user.oid, preferred_username: code.user.upn, name: code.user.upn, ver: '2.0' })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(CLIENT_ID)
      .setIssuedAt(now)
      .setNotBefore(now - 60)
      .setExpirationTime(now + 3600)
      .sign(signing.privateKey);
    const clientInfo = Buffer.from(JSON.stringify({ uid: code.user.oid, utid: TENANT_ID })).toString('base64url');
    return [200, { token_type: 'Bearer', scope: 'openid profile', expires_in: 3600, ext_expires_in: 3600, access_token: `at-${randomUUID()}`, id_token: idToken, client_info: clientInfo }];
  }

  async function route(method: string, pathname: string, body: string): Promise<[number, unknown]> {
    if (pathname === `/${TENANT_ID}/v2.0/.well-known/openid-configuration`) {
      return [200, {
        issuer,
        authorization_endpoint: `${base}/${TENANT_ID}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/${TENANT_ID}/oauth2/v2.0/token`,
        jwks_uri: `${base}/${TENANT_ID}/discovery/v2.0/keys`,
        end_session_endpoint: `${base}/${TENANT_ID}/oauth2/v2.0/logout`,
        response_types_supported: ['code'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
      }];
    }
    if (pathname === `/${TENANT_ID}/discovery/v2.0/keys`) return [200, { keys: [jwk, spare] }];
    if (pathname === `/${TENANT_ID}/oauth2/v2.0/token` && method === 'POST') {
      const form = new URLSearchParams(body);
      if (form.get('grant_type') === 'authorization_code') return codeGrant(form);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || form.get('requested_token_use') !== 'on_behalf_of') {
        return oauthError('unsupported_grant_type', 70003, 'only the on-behalf-of grant is offered here.');
      }
      if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) {
        return oauthError('invalid_client', 7000215, 'Invalid client secret provided.');
      }
      const assertion = form.get('assertion') ?? '';
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jwtVerify(assertion, signing.publicKey, { issuer, audience: [`api://${CLIENT_ID}`, CLIENT_ID] }));
      } catch {
        return oauthError('invalid_grant', 50013, 'Assertion failed signature validation.');
      }
      const oid = String(claims.oid);
      attempts.push(oid);
      if (opts.holdFirst?.includes(oid) && attempts.filter((a) => a === oid).length === 1) return new Promise<never>(() => {});
      if (opts.noConsent?.includes(oid)) {
        return oauthError('invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${CLIENT_ID}'.`);
      }
      const scope = form.get('scope') ?? '';
      exchanges.push({ oid, assertion, scope });
      return [200, { token_type: 'Bearer', scope, expires_in: 3600, ext_expires_in: 3600, access_token: opts.graphToken }];
    }
    return [404, { error: 'not_found' }];
  }

  return {
    signInAs(user) {
      nextUser = user;
    },
    authorityHost: base,
    issuer,
    caPath,
    exchanges,
    attempts,
    async mint(m: MintOptions = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims: JWTPayload = {
        oid: m.oid ?? '11111111-aaaa-4bbb-8ccc-000000000001',
        tid: m.tid ?? TENANT_ID,
        upn: m.upn ?? 'alice@contoso.com',
        ver: '2.0',
        azp: m.azp ?? 'copilot-studio-client',
      };
      if (m.scp !== null) claims.scp = m.scp ?? 'access_as_user';
      if (m.roles) claims.roles = m.roles;
      Object.assign(claims, m.claims);
      const key: CryptoKey = m.foreignKey ? foreign.privateKey : signing.privateKey;
      const header = { alg: 'RS256', kid, typ: 'JWT', ...m.header };
      const crit = Array.isArray(header.crit) ? { crit: Object.fromEntries(header.crit.map((c: string) => [c, true])) } : undefined;
      return new SignJWT(claims)
        .setProtectedHeader(header)
        .setIssuer(m.iss ?? issuer)
        .setAudience(m.aud ?? CLIENT_ID)
        .setIssuedAt(now - 60)
        .setNotBefore(now - 60)
        .setExpirationTime(now + (m.expiresIn ?? 3600))
        .sign(key, crit);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
