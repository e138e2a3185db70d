// Remote-mode settings (transport, bind address, Entra protection) → HttpConfig. Pure, like config.ts, which calls it:
// every rule, above all "no unauthenticated bind beyond loopback", is a unit-tested table.
import { CLOUDS, type CloudInfo } from '../graph/clouds.js';
import { GUID_PATTERN } from '../core/jsonShapes.js';

export const TRANSPORTS = ['stdio', 'http'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const HTTP_AUTH_MODES = ['none', 'entra'] as const;
export type HttpAuthMode = (typeof HTTP_AUTH_MODES)[number];

export const MCP_PATH = '/mcp';
export const DEFAULT_PORT = 8080;
export const DEFAULT_ENTRA_SCOPE = 'access_as_user';
/** How long one on-behalf-of exchange may take (CLOUDPC_MCP_OBO_TIMEOUT_MS). */
export const DEFAULT_OBO_TIMEOUT_MS = 15_000;

export interface EntraConfig {
  /** Directory (tenant) id GUID: issuer and token `tid` must match it. */
  tenantId: string;
  /** The server's own app registration: the API callers get tokens for, and the OBO client. */
  clientId: string;
  /** Accepted `aud` values: the app id URI (v1 tokens) and the client id (v2 tokens carry it as aud). */
  audiences: string[];
  /** The app id URI scopes are named after, e.g. api://<client-id>. */
  appIdUri: string;
  /** Delegated scope every caller token must carry in `scp`, e.g. access_as_user. */
  scope: string;
  issuer: string;
  jwksUrl: string;
  /** Entra authority the OBO exchange goes to (https://login.microsoftonline.com or an override). */
  authorityHost: string;
  /** A custom authority is not a public Entra host, so MSAL must not ask a public host about it. */
  disableInstanceDiscovery: boolean;
  /** Never logged. */
  clientSecret?: string;
  certificatePath?: string;
  /** Deadline of one on-behalf-of exchange; the user's next call starts a fresh one. */
  oboTimeoutMs: number;
}

export interface HttpConfig {
  host: string;
  port: number;
  /** True for 127.0.0.0/8, ::1 and localhost: only then may the server run without authentication. */
  loopback: boolean;
  /** The URL clients use, without trailing slash (e.g. https://cloudpc-mcp.contoso.com); undefined: derived at start. */
  publicUrl?: string;
  /** Browser origins allowed besides the server's own. */
  allowedOrigins: string[];
  maxBodyBytes: number;
  shutdownGraceMs: number;
  auth: HttpAuthMode;
  /** Set when auth is 'entra' and its settings are complete. */
  entra?: EntraConfig;
}

export interface HttpSettingsInput {
  transport?: string;
  host?: string;
  port?: string;
  publicUrl?: string;
  allowedOrigins?: string;
  maxBodyBytes?: string;
  shutdownGraceMs?: string;
  auth?: string;
  entraAudience?: string;
  entraScope?: string;
  entraIssuer?: string;
  entraJwksUrl?: string;
  oboTimeoutMs?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  certificatePath?: string;
  /** Already validated authority override (AZURE_AUTHORITY_HOST), else the cloud's. */
  authorityHost?: string;
  cloud: CloudInfo;
  simulate: boolean;
}

interface Problem {
  setting: string;
  message: string;
}

const LOOPBACK_NAME = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\]|localhost)$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAME.test(host.trim());
}

const S = {
  transport: 'CLOUDPC_MCP_TRANSPORT (--transport)',
  host: 'CLOUDPC_MCP_HOST (--host)',
  port: 'CLOUDPC_MCP_PORT (--port)',
  publicUrl: 'CLOUDPC_MCP_PUBLIC_URL (--public-url)',
  origins: 'CLOUDPC_MCP_ALLOWED_ORIGINS (--allowed-origins)',
  body: 'CLOUDPC_MCP_MAX_BODY_BYTES (--max-body-bytes)',
  grace: 'CLOUDPC_MCP_SHUTDOWN_GRACE_MS (--shutdown-grace-ms)',
  auth: 'CLOUDPC_MCP_HTTP_AUTH (--http-auth)',
  audience: 'CLOUDPC_MCP_ENTRA_AUDIENCE (--entra-audience)',
  scope: 'CLOUDPC_MCP_ENTRA_SCOPE (--entra-scope)',
  issuer: 'CLOUDPC_MCP_ENTRA_ISSUER (--entra-issuer)',
  jwks: 'CLOUDPC_MCP_ENTRA_JWKS_URL (--entra-jwks-url)',
  oboTimeout: 'CLOUDPC_MCP_OBO_TIMEOUT_MS (--obo-timeout-ms)',
} as const;

function wholeNumber(setting: string, raw: string | undefined, def: number, min: number, max: number, problems: Problem[]): number {
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push({ setting, message: `"${raw}" is not a whole number from ${min} to ${max}; default is ${def}.` });
    return def;
  }
  return n;
}

/** An https URL (or http to loopback); returns it without trailing slash. */
function secureUrl(setting: string, raw: string, problems: Problem[], example: string): string | undefined {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    problems.push({ setting, message: `"${raw}" is not a URL; give one such as ${example}.` });
    return undefined;
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackHost(u.hostname))) {
    problems.push({ setting, message: `"${raw}" must use https (plain http only to a loopback address such as 127.0.0.1).` });
    return undefined;
  }
  if (u.username || u.password || u.search || u.hash) {
    problems.push({ setting, message: `give "${raw}" without credentials, query or fragment.` });
    return undefined;
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

export function parseHttpSettings(
  input: HttpSettingsInput,
  problems: Problem[],
  warnings: string[],
): { transport: Transport; http: HttpConfig } {
  const rawTransport = input.transport?.trim().toLowerCase();
  let transport: Transport = 'stdio';
  if (rawTransport) {
    if ((TRANSPORTS as readonly string[]).includes(rawTransport)) transport = rawTransport as Transport;
    else {
      problems.push({ setting: S.transport, message: `"${input.transport}" is not one of: ${TRANSPORTS.join(', ')}.` });
      // stdio clients never set a transport: whoever set a wrong one meant remote mode, which refuses to start on
      // a mistake instead of waiting on a stdin nobody writes to.
      transport = 'http';
    }
  }

  const host = input.host?.trim() || '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host)) {
    problems.push({ setting: S.host, message: `"${input.host}" is not an address or host name; use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface, needs authentication).` });
  }
  const loopback = isLoopbackHost(host);
  const port = wholeNumber(S.port, input.port, DEFAULT_PORT, 0, 65_535, problems);
  const maxBodyBytes = wholeNumber(S.body, input.maxBodyBytes, 1_048_576, 1_024, 67_108_864, problems);
  const shutdownGraceMs = wholeNumber(S.grace, input.shutdownGraceMs, 25_000, 0, 600_000, problems);

  let publicUrl: string | undefined;
  if (input.publicUrl?.trim()) {
    publicUrl = secureUrl(S.publicUrl, input.publicUrl, problems, 'https://cloudpc-mcp.contoso.com');
    if (publicUrl && new URL(publicUrl).pathname !== '/' && new URL(publicUrl).pathname !== '') {
      problems.push({ setting: S.publicUrl, message: `give only scheme and host (and port), e.g. ${new URL(publicUrl).origin}: the MCP endpoint is always ${MCP_PATH}.` });
      publicUrl = undefined;
    }
  }

  const allowedOrigins: string[] = [];
  for (const item of (input.allowedOrigins ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    let origin: string | undefined;
    try {
      const u = new URL(item);
      if ((u.protocol === 'https:' || u.protocol === 'http:') && u.origin === item.replace(/\/+$/, '')) origin = u.origin;
    } catch {
      origin = undefined;
    }
    if (origin) allowedOrigins.push(origin);
    else problems.push({ setting: S.origins, message: `"${item}" is not an origin; give scheme, host and port only, such as https://copilotstudio.contoso.com (no wildcard, no path).` });
  }

  let auth: HttpAuthMode = 'none';
  const rawAuth = input.auth?.trim().toLowerCase();
  if (rawAuth) {
    if ((HTTP_AUTH_MODES as readonly string[]).includes(rawAuth)) auth = rawAuth as HttpAuthMode;
    else problems.push({ setting: S.auth, message: `"${input.auth}" is not one of: ${HTTP_AUTH_MODES.join(', ')}.` });
  }

  const http: HttpConfig = { host, port, loopback, allowedOrigins, maxBodyBytes, shutdownGraceMs, auth, ...(publicUrl ? { publicUrl } : {}) };
  if (transport !== 'http') return { transport, http };

  if (auth === 'none' && !loopback) {
    problems.push({
      setting: S.host,
      message:
        `refusing to listen on ${host} without authentication: anyone who can reach that address could list and retry bulk actions with this server's own Graph credential. ` +
        `Protect it with Entra sign-in (CLOUDPC_MCP_HTTP_AUTH=entra, see "Remote mode" in the README), or listen on 127.0.0.1 for local use.`,
    });
  }
  if (auth === 'none' && loopback) {
    warnings.push(
      `HTTP on ${host} without authentication: any program on this machine can call the tools with the server's own Graph credential. For local development only; use CLOUDPC_MCP_HTTP_AUTH=entra for anything shared.`,
    );
  }
  if (auth === 'entra') {
    if (!loopback && !publicUrl) {
      problems.push({
        setting: S.publicUrl,
        message: `set it to the https URL clients use to reach this server (e.g. https://cloudpc-mcp.contoso.com): it names the protected resource in the sign-in metadata and is the one browser origin allowed.`,
      });
    }
    if (input.simulate) {
      problems.push({
        setting: 'CLOUDPC_MCP_SIMULATE (--simulate)',
        message: 'the simulator answers with its own built-in token, so it cannot act as the signed-in user; use CLOUDPC_MCP_HTTP_AUTH=none on 127.0.0.1 to try the simulator over HTTP.',
      });
    }
    const entra = parseEntra(input, problems);
    if (entra) http.entra = entra;
  }
  return { transport, http };
}

function parseEntra(input: HttpSettingsInput, problems: Problem[]): EntraConfig | undefined {
  const before = problems.length;
  const tenantId = input.tenantId?.trim();
  const clientId = input.clientId?.trim();
  if (!tenantId || !GUID_PATTERN.test(tenantId)) {
    problems.push({
      setting: 'AZURE_TENANT_ID (--tenant-id)',
      message: `remote mode needs the Directory (tenant) ID, a GUID from the app registration's Overview page${tenantId ? `, not "${tenantId}"` : ''}: caller tokens are checked against that tenant's issuer.`,
    });
  }
  if (!clientId || !GUID_PATTERN.test(clientId)) {
    problems.push({
      setting: 'AZURE_CLIENT_ID (--client-id)',
      message: `remote mode needs the Application (client) ID of the server's own app registration (the API callers sign in to; see "Remote mode" in the README)${clientId ? `, not "${clientId}"` : ''}.`,
    });
  }
  const clientSecret = input.clientSecret?.trim() || undefined;
  const certificatePath = input.certificatePath?.trim() || undefined;
  if (!clientSecret && !certificatePath) {
    problems.push({
      setting: 'AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH',
      message: "remote mode calls Graph on behalf of each signed-in user, which needs the server app's client secret (AZURE_CLIENT_SECRET) or a PEM certificate with its private key (AZURE_CLIENT_CERTIFICATE_PATH).",
    });
  }
  const oboTimeoutMs = wholeNumber(S.oboTimeout, input.oboTimeoutMs, DEFAULT_OBO_TIMEOUT_MS, 1_000, 300_000, problems);
  const scope = input.entraScope?.trim() || DEFAULT_ENTRA_SCOPE;
  if (!/^[A-Za-z0-9._-]{1,120}$/.test(scope)) {
    problems.push({ setting: S.scope, message: `"${input.entraScope}" is not a scope name such as ${DEFAULT_ENTRA_SCOPE} (the name under "Expose an API", without the api:// prefix).` });
  }
  const authority = (input.authorityHost ?? input.cloud.authorityHost).replace(/\/+$/, '');
  let appIdUri = `api://${clientId ?? ''}`;
  if (input.entraAudience?.trim()) {
    const a = input.entraAudience.trim().replace(/\/+$/, '');
    if (/^(api|https):\/\/\S+$/i.test(a)) appIdUri = a;
    else problems.push({ setting: S.audience, message: `"${input.entraAudience}" is not an Application ID URI such as api://<client-id> (shown under "Expose an API").` });
  }
  const issuer = input.entraIssuer?.trim()
    ? secureUrl(S.issuer, input.entraIssuer, problems, `${authority}/<tenant-id>/v2.0`)
    : `${authority}/${tenantId ?? ''}/v2.0`;
  const jwksUrl = input.entraJwksUrl?.trim()
    ? secureUrl(S.jwks, input.entraJwksUrl, problems, `${authority}/<tenant-id>/discovery/v2.0/keys`)
    : `${authority}/${tenantId ?? ''}/discovery/v2.0/keys`;
  if (problems.length > before || !tenantId || !clientId || !issuer || !jwksUrl) return undefined;
  const knownAuthority = Object.values(CLOUDS).some((c) => new URL(c.authorityHost).origin === new URL(authority).origin);
  return {
    tenantId,
    clientId,
    appIdUri,
    audiences: [...new Set([appIdUri, clientId])],
    scope,
    // A configured issuer keeps its exact spelling: Entra's iss claim is compared as a string.
    issuer: input.entraIssuer?.trim() ? input.entraIssuer.trim() : issuer,
    jwksUrl,
    authorityHost: authority,
    disableInstanceDiscovery: !knownAuthority,
    oboTimeoutMs,
    ...(clientSecret ? { clientSecret } : {}),
    ...(certificatePath ? { certificatePath } : {}),
  };
}
