// The token endpoint: device code, refresh token, authorization code (PKCE; public clients and the app registration
// alike), client credentials (secret or federated assertion) and on-behalf-of. Each request is checked as Entra checks
// it; one that passes is granted unless a script answers instead. Every delegated grant issues the one delegated Graph
// token and client credentials the one app-only token: the Graph simulator accepts exactly those, so a Graph call that
// works proves Graph saw what this tenant issued, never a caller's own token.
import { entraError, type Answer } from './errors.js';
import type { TenantKeys } from './keys.js';
import { pace, type Flow, type Script } from './script.js';
import { clientInfo, type Lifetimes, type SignIns } from './signIns.js';
import { CLIENT_ID, CLIENT_SECRET, TENANT_ID, type User } from './tenant.js';

export type Grant = Exclude<Flow, 'authorize'>;

export interface RecordedRequest {
  method: string;
  path: string;
  tenant?: string;
  grant?: Grant | 'other';
  clientId?: string;
  /** On-behalf-of with a valid assertion: the user whose token it is, the assertion itself and the scope asked for. */
  oid?: string;
  assertion?: string;
  scope?: string;
  /** The HTTP status answered; absent while the request is unanswered. */
  status?: number;
}

/** What the endpoints answer from: the tenant's address, keys, tokens, sign-ins and scripted answers. */
export interface TenantState {
  url: string;
  issuer: string;
  keys: TenantKeys;
  delegatedToken: string;
  appToken: string;
  signIns: SignIns;
  script: Script;
  lifetimes: Lifetimes;
  secrets: Set<string>;
}

/** A request that passed Entra's checks: whose it is, and its grant, given unless a script answers instead. */
interface Grantable {
  oid?: string;
  grant(): Promise<Answer> | Answer;
}

type Check = (t: TenantState, form: URLSearchParams, rec: RecordedRequest) => Promise<Answer | Grantable> | Answer | Grantable;

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export async function tokenEndpoint(t: TenantState, form: URLSearchParams, rec: RecordedRequest): Promise<Answer> {
  const grant = grantOf(form);
  rec.grant = grant ?? 'other';
  const context = { client: form.get('client_id') ?? '', tenant: rec.tenant ?? '', grant: form.get('grant_type') ?? '' };
  if (!grant) return entraError(70003, context);
  const refused = clientRefusal(grant, form);
  if (refused) return entraError(refused, context);
  const checked = await CHECKS[grant](t, form, rec);
  if ('status' in checked) return checked;
  const scripted = t.script.take(grant, checked.oid);
  if (scripted) await pace(scripted);
  return scripted?.aadsts ? entraError(scripted.aadsts, context) : checked.grant();
}

function grantOf(form: URLSearchParams): Grant | undefined {
  const type = form.get('grant_type') ?? '';
  if (type === JWT_BEARER && form.get('requested_token_use') === 'on_behalf_of') return 'on_behalf_of';
  // MSAL sends the short form of the device code grant; RFC 8628 clients send the URN.
  if (type === 'device_code' || type === 'urn:ietf:params:oauth:grant-type:device_code') return 'device_code';
  return (['refresh_token', 'authorization_code', 'client_credentials'] as const).find((g) => g === type);
}

/**
 * Client authentication, as Entra does it: the app registration proves itself with its secret or a federated token
 * (workload identity; any JWT-shaped one is accepted here), public clients have nothing to prove, and only the app
 * registration may use client credentials or on-behalf-of. The AADSTS code of the refusal, if any.
 */
function clientRefusal(grant: Grant, form: URLSearchParams): number | undefined {
  if (form.get('client_id') !== CLIENT_ID) return grant === 'client_credentials' || grant === 'on_behalf_of' ? 700016 : undefined;
  const assertion = form.get('client_assertion');
  if (assertion === null) return form.get('client_secret') === CLIENT_SECRET ? undefined : 7000215;
  return form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' && assertion.split('.').length === 3
    ? undefined
    : 700024;
}

const forUser = (t: TenantState, form: URLSearchParams, user: User): Grantable => ({
  oid: user.oid,
  grant: () => delegated(t, form, user),
});

const CHECKS: Record<Grant, Check> = {
  device_code: (t, form) => {
    const user = t.signIns.redeemDeviceCode(form.get('device_code') ?? '');
    return 'status' in user ? user : forUser(t, form, user);
  },
  refresh_token: (t, form) => {
    const user = t.signIns.refreshTokenUser(form.get('refresh_token') ?? '');
    return user ? forUser(t, form, user) : entraError(9002313);
  },
  authorization_code: (t, form) => {
    const user = t.signIns.redeemAuthCode(form);
    return user ? forUser(t, form, user) : entraError(501481);
  },
  client_credentials: (t) => ({ grant: () => bearer(t, t.appToken) }),
  on_behalf_of: async (t, form, rec) => {
    const assertion = form.get('assertion') ?? '';
    const claims = await t.keys.verifyCallerToken(assertion, t.issuer).catch(() => undefined);
    if (!claims) return entraError(50013);
    Object.assign(rec, { oid: String(claims.oid), assertion, scope: form.get('scope') ?? '' });
    return { oid: rec.oid, grant: () => bearer(t, t.delegatedToken, { scope: grantedScope(form) }) };
  },
};

/** A delegated sign-in's answer: the Graph token, and the refresh token, ID token and client info MSAL keeps. */
async function delegated(t: TenantState, form: URLSearchParams, user: User): Promise<Answer> {
  const idToken = await t.keys.sign(
    {
      aud: form.get('client_id') ?? '',
      iss: t.issuer,
      tid: TENANT_ID,
      oid: user.oid,
      sub: user.oid,
      preferred_username: user.upn,
      name: user.name ?? user.upn,
      ver: '2.0',
    },
    3600,
  );
  t.secrets.add(idToken);
  return bearer(t, t.delegatedToken, {
    scope: grantedScope(form),
    refresh_token: t.signIns.issueRefreshToken(user),
    id_token: idToken,
    client_info: clientInfo(user),
  });
}

function bearer(t: TenantState, accessToken: string, extra: Record<string, string> = {}): Answer {
  const lifetime = t.lifetimes.accessTokenSec;
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken, ...extra },
  };
}

/** The resource scopes granted; a sign-in that asked for OpenID scopes only gets those back. */
function grantedScope(form: URLSearchParams): string {
  const asked = (form.get('scope') ?? '').split(' ').filter(Boolean);
  const resource = asked.filter((s) => !OIDC_SCOPES.has(s));
  return (resource.length > 0 ? resource : asked).join(' ');
}
