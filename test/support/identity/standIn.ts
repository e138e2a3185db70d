// A stand-in for the Entra token service on https://127.0.0.1, good enough for the real @azure/identity / MSAL code
// to sign in against: OpenID metadata per tenant, the device code endpoint, and the token endpoint for the
// device_code, refresh_token and client_credentials grants. Tokens are JWT-shaped and signed with jose. The test plays
// the user: it approves or declines a device code here, and it can make the service answer like Entra does when
// consent is missing, a refresh token has expired or a tenant does not exist. Every request is recorded, so a test
// can prove what the server asked for (and that nothing asked for instance discovery).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { SignJWT, generateKeyPair } from 'jose';
import { createTestCertificate, type TestCertificate } from './certificate.js';

export interface StandInUser {
  upn: string;
  oid: string;
  name: string;
}

export interface StandInOptions {
  tenantId?: string;
  tenantDomain?: string;
  user?: StandInUser;
  /** Delegated permissions in the access token's scp claim. */
  scopes?: readonly string[];
  /** Application permissions in the app-only token's roles claim. */
  appRoles?: readonly string[];
  /** The client secret client_credentials must present. */
  clientSecret?: string;
  /** aud of the Graph tokens. */
  graphAudience?: string;
}

export type GrantType = 'device_code' | 'refresh_token' | 'client_credentials' | 'authorization_code' | 'other';

export interface RecordedIdentityRequest {
  method: string;
  path: string;
  tenant?: string;
  grant?: GrantType;
  clientId?: string;
}

export interface DeviceCodeRecord {
  userCode: string;
  clientId: string;
  state: 'pending' | 'approved' | 'declined';
}

/** Knobs a test turns to make the service behave like Entra in a given situation. */
export interface StandInBehaviour {
  /** expires_in of issued access tokens. Under 300 s MSAL treats a cached token as due for refresh at once. */
  accessTokenLifetimeSec: number;
  deviceCodeLifetimeSec: number;
  /** Approved device codes are answered with AADSTS65001 (no admin consent for the permission). */
  consentRequired: boolean;
  /** Refresh tokens are answered with AADSTS700082 (expired through inactivity). */
  refreshTokensExpired: boolean;
  /** What the user does on the browser sign-in page. */
  browserAnswer: 'approve' | 'decline';
}

export interface IdentityStandIn {
  /** https://127.0.0.1:PORT: the AZURE_AUTHORITY_HOST for the server. */
  url: string;
  /** Give to NODE_EXTRA_CA_CERTS. */
  caPath: string;
  tenantId: string;
  tenantDomain: string;
  user: StandInUser;
  /** The one delegated access token it issues (the simulator accepts exactly this string). */
  delegatedToken: string;
  /** The one app-only access token it issues. */
  appToken: string;
  clientSecret: string;
  behaviour: StandInBehaviour;
  requests: RecordedIdentityRequest[];
  /** Everything secret it handed out (tokens, refresh tokens, device codes), to check none of it leaks. */
  secretsIssued(): string[];
  /** Requests to the token endpoint with this grant. */
  grants(grant: GrantType): number;
  /** Device codes requested so far: each one is a sign-in prompt shown to the user. */
  deviceCodes(): DeviceCodeRecord[];
  /** The user enters the code and signs in (or refuses). */
  approve(userCode: string): void;
  decline(userCode: string): void;
  close(): Promise<void>;
}

const DEFAULTS = {
  tenantId: '6babcaad-604b-40ac-a9d7-9fd97c0b779f',
  tenantDomain: 'contoso.onmicrosoft.com',
  user: { upn: 'megan@contoso.onmicrosoft.com', oid: '4f0a1b8e-2a5e-4d7b-9c1e-7e3c1b2d9a10', name: 'Megan Bowen' },
};
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export async function startIdentityStandIn(options: StandInOptions = {}): Promise<IdentityStandIn> {
  const tenantId = options.tenantId ?? DEFAULTS.tenantId;
  const tenantDomain = options.tenantDomain ?? DEFAULTS.tenantDomain;
  const user = options.user ?? DEFAULTS.user;
  const clientSecret = options.clientSecret ?? `secret-${randomBytes(12).toString('hex')}`;
  const graphAudience = options.graphAudience ?? 'https://graph.microsoft.com';
  const cert: TestCertificate = createTestCertificate();
  const { privateKey } = await generateKeyPair('ES256');
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, lifetimeSec: number) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'stand-in' }).setIssuedAt().setNotBefore(now() - 60).setExpirationTime(now() + lifetimeSec).sign(privateKey);

  // One token of each kind for the whole run: the Graph simulator accepts exactly one string per kind. Their JWT exp is
  // far away; how long a client may keep them is what each token response's expires_in says.
  const delegatedToken = await sign(
    {
      aud: graphAudience, iss: `https://sts.windows.net/${tenantId}/`, tid: tenantId, oid: user.oid, upn: user.upn, name: user.name,
      scp: (options.scopes ?? ['CloudPC.ReadWrite.All', 'CloudPC.Read.All']).join(' '), idtyp: 'user', appid: 'stand-in-public-client',
    },
    24 * 3600,
  );
  const appToken = await sign(
    { aud: graphAudience, iss: `https://sts.windows.net/${tenantId}/`, tid: tenantId, oid: randomUUID(), roles: [...(options.appRoles ?? ['CloudPC.Read.All'])], idtyp: 'app', appid: 'stand-in-service-principal' },
    24 * 3600,
  );

  const behaviour: StandInBehaviour = { accessTokenLifetimeSec: 3600, deviceCodeLifetimeSec: 900, consentRequired: false, refreshTokensExpired: false, browserAnswer: 'approve' };
  const authCodes = new Map<string, { clientId: string; redirectUri: string; challenge: string }>();
  const requests: RecordedIdentityRequest[] = [];
  const secrets = new Set<string>([delegatedToken, appToken, clientSecret]);
  const codes = new Map<string, DeviceCodeRecord & { deviceCode: string; expires: number }>();
  const issuedCodes: DeviceCodeRecord[] = [];
  const refreshTokens = new Set<string>();
  let url = '';

  const knownTenant = (t: string) => [tenantId, tenantDomain, 'organizations', 'common'].includes(t.toLowerCase());
  const aadError = (status: number, error: string, aadsts: number, text: string, extra: Record<string, unknown> = {}) => ({
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${text}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [aadsts],
      timestamp: new Date().toISOString(),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
      ...extra,
    },
  });

  const delegatedResponse = async (clientId: string, scope: string) => {
    const refreshToken = `rt.${randomBytes(24).toString('base64url')}`;
    refreshTokens.add(refreshToken);
    secrets.add(refreshToken);
    const idToken = await sign(
      { aud: clientId, iss: `${url}/${tenantId}/v2.0`, tid: tenantId, oid: user.oid, sub: user.oid, preferred_username: user.upn, name: user.name, ver: '2.0' },
      3600,
    );
    secrets.add(idToken);
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        scope: scope.split(' ').filter((s) => s && !OIDC_SCOPES.has(s)).join(' '),
        expires_in: behaviour.accessTokenLifetimeSec,
        ext_expires_in: behaviour.accessTokenLifetimeSec,
        access_token: delegatedToken,
        refresh_token: refreshToken,
        id_token: idToken,
        client_info: Buffer.from(JSON.stringify({ uid: user.oid, utid: tenantId })).toString('base64url'),
      },
    };
  };

  const tokenEndpoint = async (form: URLSearchParams, rec: RecordedIdentityRequest) => {
    const grantType = form.get('grant_type') ?? '';
    const clientId = form.get('client_id') ?? '';
    const scope = form.get('scope') ?? '';
    // MSAL sends the short form; RFC 8628 clients send the URN.
    if (grantType === 'device_code' || grantType === 'urn:ietf:params:oauth:grant-type:device_code') {
      rec.grant = 'device_code';
      const code = [...codes.values()].find((c) => c.deviceCode === form.get('device_code'));
      if (!code) return aadError(400, 'invalid_grant', 70000, 'The provided value for the input parameter device_code is not valid.');
      if (Date.now() > code.expires) return aadError(400, 'expired_token', 70020, 'The provided value for the input parameter device_code has expired.');
      if (code.state === 'declined') return aadError(400, 'authorization_declined', 70000, 'The user declined the sign-in request.');
      if (code.state === 'pending') return aadError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
      // A device code is good for one token response, as at Entra.
      code.deviceCode = '';
      if (behaviour.consentRequired) {
        return aadError(
          400,
          'invalid_grant',
          65001,
          `The user or administrator has not consented to use the application with ID '${clientId}' named 'Microsoft Graph Command Line Tools'. Send an interactive authorization request for this user and resource.`,
          { suberror: 'consent_required' },
        );
      }
      return delegatedResponse(clientId, scope);
    }
    if (grantType === 'refresh_token') {
      rec.grant = 'refresh_token';
      const rt = form.get('refresh_token') ?? '';
      if (!refreshTokens.has(rt)) return aadError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
      if (behaviour.refreshTokensExpired) {
        return aadError(400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity. The token was issued on 2026-01-01 and was inactive for 90.00:00:00.', { suberror: 'bad_token' });
      }
      return delegatedResponse(clientId, scope);
    }
    if (grantType === 'authorization_code') {
      rec.grant = 'authorization_code';
      const code = authCodes.get(form.get('code') ?? '');
      authCodes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      // PKCE: the one who redeems the code is the one who asked for it.
      if (!code || code.redirectUri !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== code.challenge) {
        return aadError(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
      }
      return delegatedResponse(clientId, scope);
    }
    if (grantType === 'client_credentials') {
      rec.grant = 'client_credentials';
      // Workload identity presents the federated token as a client assertion; any JWT-shaped one is accepted here.
      const assertion = form.get('client_assertion');
      if (assertion !== null) {
        if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' || assertion.split('.').length !== 3) {
          return aadError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
        }
        return { status: 200, body: { token_type: 'Bearer', expires_in: behaviour.accessTokenLifetimeSec, ext_expires_in: behaviour.accessTokenLifetimeSec, access_token: appToken } };
      }
      if (form.get('client_secret') !== clientSecret) {
        return aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
      }
      return { status: 200, body: { token_type: 'Bearer', expires_in: behaviour.accessTokenLifetimeSec, ext_expires_in: behaviour.accessTokenLifetimeSec, access_token: appToken } };
    }
    rec.grant = 'other';
    return aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  };

  const handle = async (method: string, pathname: string, form: URLSearchParams, query: URLSearchParams): Promise<{ status: number; body: unknown; location?: string }> => {
    const rec: RecordedIdentityRequest = { method, path: pathname };
    requests.push(rec);
    const [tenant, ...rest] = pathname.split('/').filter(Boolean);
    if (tenant === undefined) return { status: 404, body: { error: 'not_found' } };
    rec.tenant = tenant;
    const tail = rest.join('/');
    if (!knownTenant(tenant) && tail !== 'discovery/instance') {
      return aadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    const base = `${url}/${tenant}`;
    if (method === 'GET' && tail === 'v2.0/.well-known/openid-configuration') {
      return {
        status: 200,
        body: {
          issuer: `${url}/${tenantId}/v2.0`,
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
        },
      };
    }
    if (method === 'POST' && tail === 'oauth2/v2.0/devicecode') {
      const clientId = form.get('client_id') ?? '';
      rec.clientId = clientId;
      const userCode = randomBytes(6).toString('base64url').replace(/[^A-Za-z0-9]/g, 'X').toUpperCase().slice(0, 8).padEnd(8, 'Q');
      const deviceCode = `dc.${randomBytes(24).toString('base64url')}`;
      secrets.add(deviceCode);
      const record = { userCode, clientId, state: 'pending' as const, deviceCode, expires: Date.now() + behaviour.deviceCodeLifetimeSec * 1000 };
      codes.set(userCode, record);
      issuedCodes.push(record);
      const verificationUri = `${url}/devicelogin`;
      return {
        status: 200,
        body: {
          user_code: userCode,
          device_code: deviceCode,
          verification_uri: verificationUri,
          expires_in: behaviour.deviceCodeLifetimeSec,
          interval: 1,
          message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
        },
      };
    }
    if (method === 'GET' && tail === 'oauth2/v2.0/authorize') {
      // The browser sign-in page: the user signs in (or declines) at once, and the page redirects to the app.
      const redirectUri = query.get('redirect_uri') ?? '';
      const back = new URL(redirectUri);
      back.searchParams.set('state', query.get('state') ?? '');
      rec.clientId = query.get('client_id') ?? undefined;
      if (query.get('code_challenge_method') !== 'S256' || !query.get('code_challenge')) {
        back.searchParams.set('error', 'invalid_request');
        back.searchParams.set('error_description', 'AADSTS9002325: Proof Key for Code Exchange is required.');
      } else if (behaviour.browserAnswer === 'decline') {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
      } else {
        const code = `ac.${randomBytes(24).toString('base64url')}`;
        secrets.add(code);
        authCodes.set(code, { clientId: rec.clientId ?? '', redirectUri, challenge: query.get('code_challenge') ?? '' });
        back.searchParams.set('code', code);
        back.searchParams.set('client_info', Buffer.from(JSON.stringify({ uid: user.oid, utid: tenantId })).toString('base64url'));
      }
      return { status: 302, body: '', location: back.toString() };
    }
    if (method === 'POST' && tail === 'oauth2/v2.0/token') {
      rec.clientId = form.get('client_id') ?? undefined;
      return tokenEndpoint(form, rec);
    }
    // Instance discovery is what a custom authority must never cause; answer like Entra would, the test checks it.
    if (tail === 'discovery/instance') return aadError(400, 'invalid_instance', 50049, 'Unknown or invalid instance.');
    return { status: 404, body: { error: 'not_found', path: pathname } };
  };

  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parsed = new URL(req.url ?? '/', 'https://127.0.0.1');
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      handle(req.method ?? 'GET', parsed.pathname, form, parsed.searchParams).then(
        ({ status, body, location }) => {
          if (location) {
            res.writeHead(status, { location, 'cache-control': 'no-store' }).end();
            return;
          }
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
          res.end(JSON.stringify(body));
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'server_error', error_description: String(err) }));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const find = (userCode: string) => {
    const c = codes.get(userCode);
    if (!c) throw new Error(`no pending device code ${userCode}`);
    return c;
  };
  return {
    url,
    caPath: cert.certPath,
    tenantId,
    tenantDomain,
    user,
    delegatedToken,
    appToken,
    clientSecret,
    behaviour,
    requests,
    secretsIssued: () => [...secrets],
    grants: (grant) => requests.filter((r) => r.grant === grant).length,
    deviceCodes: () => issuedCodes.map(({ userCode, clientId, state }) => ({ userCode, clientId, state })),
    approve: (userCode) => void (find(userCode).state = 'approved'),
    decline: (userCode) => void (find(userCode).state = 'declined'),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cert.remove();
    },
  };
}
