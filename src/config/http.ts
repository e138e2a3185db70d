// Remote-mode settings (transport, bind address, Entra protection) → HttpConfig. Pure, like config.ts, which calls it:
// every rule, above all "no unauthenticated bind beyond loopback", is a unit-tested table.
import { CLOUDS, type CloudInfo } from '../graph/clouds.js';
import { GUID_PATTERN } from '../core/jsonShapes.js';
import type { HttpLimits } from './httpLimits.js';
import { DEFAULT_ENTRA_SCOPE, HTTP_AUTH_MODES, TRANSPORTS, labelOf } from './settings.js';
import { commaList, isLoopbackHost, type ConfigProblem } from './values.js';

export type Transport = (typeof TRANSPORTS)[number];
export type HttpAuthMode = (typeof HTTP_AUTH_MODES)[number];

export const MCP_PATH = '/mcp';

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
  /** Deadline of one on-behalf-of exchange; the user's next call starts a fresh one. */
  oboTimeoutMs: number;
  /** Never logged. */
  clientSecret?: string;
  certificatePath?: string;
  /** Client applications (azp/appid, lower case) whose tokens are accepted; absent or empty: any. */
  allowedClients?: readonly string[];
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
  limits: HttpLimits;
  auth: HttpAuthMode;
  /** Set when auth is 'entra' and its settings are complete. */
  entra?: EntraConfig;
}

export interface HttpSettingsInput {
  transport?: string;
  host?: string;
  port: number;
  publicUrl?: string;
  allowedOrigins?: string;
  maxBodyBytes: number;
  shutdownGraceMs: number;
  limits: HttpLimits;
  auth?: string;
  entraAudience?: string;
  entraScope?: string;
  entraIssuer?: string;
  entraJwksUrl?: string;
  /** CLOUDPC_MCP_OBO_TIMEOUT_MS, already checked against its bounds. */
  oboTimeoutMs: number;
  entraAllowedClients?: string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  certificatePath?: string;
  /** Already validated authority override (AZURE_AUTHORITY_HOST), else the cloud's. */
  authorityHost?: string;
  cloud: CloudInfo;
  simulate: boolean;
}

/** The names a loopback-bound server answers to in a browser; a page of its own is served at these origins. */
export const LOOPBACK_HOSTNAMES: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

export function loopbackOrigins(port: number | string): string[] {
  return LOOPBACK_HOSTNAMES.map((name) => `http://${name}:${port}`);
}

const S = {
  transport: labelOf('CLOUDPC_MCP_TRANSPORT'),
  host: labelOf('CLOUDPC_MCP_HOST'),
  publicUrl: labelOf('CLOUDPC_MCP_PUBLIC_URL'),
  origins: labelOf('CLOUDPC_MCP_ALLOWED_ORIGINS'),
  auth: labelOf('CLOUDPC_MCP_HTTP_AUTH'),
  audience: labelOf('CLOUDPC_MCP_ENTRA_AUDIENCE'),
  scope: labelOf('CLOUDPC_MCP_ENTRA_SCOPE'),
  issuer: labelOf('CLOUDPC_MCP_ENTRA_ISSUER'),
  jwks: labelOf('CLOUDPC_MCP_ENTRA_JWKS_URL'),
  clients: labelOf('CLOUDPC_MCP_ENTRA_ALLOWED_CLIENTS'),
};

/** An https URL (or http to loopback); returns it without trailing slash. */
function secureUrl(setting: string, raw: string, problems: ConfigProblem[], example: string): string | undefined {
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

export function parseTransport(raw: string | undefined, problems: ConfigProblem[]): Transport {
  const v = raw?.trim().toLowerCase();
  if (!v) return 'stdio';
  if ((TRANSPORTS as readonly string[]).includes(v)) return v as Transport;
  problems.push({ setting: S.transport, message: `"${raw}" is not one of: ${TRANSPORTS.join(', ')}.` });
  // stdio clients never set a transport: whoever set a wrong one meant remote mode, which refuses to start on
  // a mistake instead of waiting on a stdin nobody writes to.
  return 'http';
}

function parsePublicUrl(raw: string | undefined, problems: ConfigProblem[]): string | undefined {
  if (!raw?.trim()) return undefined;
  const publicUrl = secureUrl(S.publicUrl, raw, problems, 'https://cloudpc-mcp.contoso.com');
  if (publicUrl && new URL(publicUrl).pathname !== '/' && new URL(publicUrl).pathname !== '') {
    problems.push({
      setting: S.publicUrl,
      message: `give only scheme and host (and port), e.g. ${new URL(publicUrl).origin}: the MCP endpoint is always ${MCP_PATH}.`,
    });
    return undefined;
  }
  return publicUrl;
}

function parseOrigins(raw: string | undefined, problems: ConfigProblem[]): string[] {
  const allowedOrigins: string[] = [];
  for (const item of commaList(raw)) {
    let origin: string | undefined;
    try {
      const u = new URL(item);
      if ((u.protocol === 'https:' || u.protocol === 'http:') && u.origin === item.replace(/\/+$/, '')) origin = u.origin;
    } catch {
      origin = undefined;
    }
    if (origin) allowedOrigins.push(origin);
    else
      problems.push({
        setting: S.origins,
        message: `"${item}" is not an origin; give scheme, host and port only, such as https://copilotstudio.contoso.com (no wildcard, no path).`,
      });
  }
  return allowedOrigins;
}

/** Application (client) ids, lower case; each must be a GUID, as azp and appid are. */
function parseAllowedClients(raw: string | undefined, problems: ConfigProblem[]): string[] {
  const items = commaList(raw);
  const bad = items.filter((s) => !GUID_PATTERN.test(s));
  if (bad.length) {
    problems.push({
      setting: S.clients,
      message: `not application (client) ids: ${bad.map((b) => JSON.stringify(b)).join(', ')}; give the GUIDs shown on each client app registration's Overview page, comma-separated.`,
    });
  }
  return [...new Set(items.filter((s) => GUID_PATTERN.test(s)).map((s) => s.toLowerCase()))];
}

function parseAuthMode(raw: string | undefined, problems: ConfigProblem[]): HttpAuthMode {
  const v = raw?.trim().toLowerCase();
  if (!v) return 'none';
  if ((HTTP_AUTH_MODES as readonly string[]).includes(v)) return v as HttpAuthMode;
  problems.push({ setting: S.auth, message: `"${raw}" is not one of: ${HTTP_AUTH_MODES.join(', ')}.` });
  return 'none';
}

export function parseHttpSettings(
  input: HttpSettingsInput,
  problems: ConfigProblem[],
  warnings: string[],
): { transport: Transport; http: HttpConfig } {
  const transport = parseTransport(input.transport, problems);
  const host = parseHost(input.host, problems);
  const loopback = isLoopbackHost(host);
  const { port, maxBodyBytes, shutdownGraceMs, limits } = input;
  const publicUrl = parsePublicUrl(input.publicUrl, problems);
  const allowedOrigins = parseOrigins(input.allowedOrigins, problems);
  const auth = parseAuthMode(input.auth, problems);

  const http: HttpConfig = {
    host,
    port,
    loopback,
    allowedOrigins,
    maxBodyBytes,
    shutdownGraceMs,
    limits,
    auth,
    ...(publicUrl ? { publicUrl } : {}),
  };
  if (transport !== 'http') return { transport, http };

  if (auth === 'none') checkUnauthenticated(host, loopback, problems, warnings);
  if (auth === 'entra') {
    checkEntraMode(loopback, publicUrl, input.simulate, problems);
    const entra = parseEntra(input, problems);
    if (entra) http.entra = entra;
  }
  return { transport, http };
}

function parseHost(raw: string | undefined, problems: ConfigProblem[]): string {
  const host = raw?.trim() || '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host)) {
    problems.push({
      setting: S.host,
      message: `"${raw}" is not an address or host name; use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface, needs authentication).`,
    });
  }
  return host;
}

/** No unauthenticated bind beyond loopback: the server would lend its own Graph credential to anyone who reaches it. */
function checkUnauthenticated(host: string, loopback: boolean, problems: ConfigProblem[], warnings: string[]): void {
  if (!loopback) {
    problems.push({
      setting: S.host,
      message:
        `refusing to listen on ${host} without authentication: anyone who can reach that address could list and retry bulk actions with this server's own Graph credential. ` +
        `Protect it with Entra sign-in (CLOUDPC_MCP_HTTP_AUTH=entra, see docs/remote.md), or listen on 127.0.0.1 for local use.`,
    });
  } else {
    warnings.push(
      `HTTP on ${host} without authentication: any program on this machine can call the tools with the server's own Graph credential. For local development only; use CLOUDPC_MCP_HTTP_AUTH=entra for anything shared.`,
    );
  }
}

function checkEntraMode(loopback: boolean, publicUrl: string | undefined, simulate: boolean, problems: ConfigProblem[]): void {
  if (!loopback && !publicUrl) {
    problems.push({
      setting: S.publicUrl,
      message: `set it to the https URL clients use to reach this server (e.g. https://cloudpc-mcp.contoso.com): it names the protected resource in the sign-in metadata and is the one browser origin allowed.`,
    });
  }
  if (simulate) {
    problems.push({
      setting: labelOf('CLOUDPC_MCP_SIMULATE'),
      message:
        'the simulator answers with its own built-in token, so it cannot act as the signed-in user; use CLOUDPC_MCP_HTTP_AUTH=none on 127.0.0.1 to try the simulator over HTTP.',
    });
  }
}

/** The server's own identity in Entra: tenant, app registration and its credential, each a problem when missing. */
function parseEntraIdentity(input: HttpSettingsInput, problems: ConfigProblem[]) {
  const tenantId = input.tenantId?.trim();
  const clientId = input.clientId?.trim();
  if (!tenantId || !GUID_PATTERN.test(tenantId)) {
    problems.push({
      setting: labelOf('AZURE_TENANT_ID'),
      message: `remote mode needs the Directory (tenant) ID, a GUID from the app registration's Overview page${tenantId ? `, not "${tenantId}"` : ''}: caller tokens are checked against that tenant's issuer.`,
    });
  }
  if (!clientId || !GUID_PATTERN.test(clientId)) {
    problems.push({
      setting: labelOf('AZURE_CLIENT_ID'),
      message: `remote mode needs the Application (client) ID of the server's own app registration (the API callers sign in to; see docs/remote.md)${clientId ? `, not "${clientId}"` : ''}.`,
    });
  }
  const clientSecret = input.clientSecret?.trim() || undefined;
  const certificatePath = input.certificatePath?.trim() || undefined;
  if (!clientSecret && !certificatePath) {
    problems.push({
      setting: 'AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH',
      message:
        "remote mode calls Graph on behalf of each signed-in user, which needs the server app's client secret (AZURE_CLIENT_SECRET) or a PEM certificate with its private key (AZURE_CLIENT_CERTIFICATE_PATH).",
    });
  }
  return { tenantId, clientId, clientSecret, certificatePath };
}

function parseEntra(input: HttpSettingsInput, problems: ConfigProblem[]): EntraConfig | undefined {
  const before = problems.length;
  const { tenantId, clientId, clientSecret, certificatePath } = parseEntraIdentity(input, problems);
  const scope = input.entraScope?.trim() || DEFAULT_ENTRA_SCOPE;
  if (!/^[A-Za-z0-9._-]{1,120}$/.test(scope)) {
    problems.push({
      setting: S.scope,
      message: `"${input.entraScope}" is not a scope name such as ${DEFAULT_ENTRA_SCOPE} (the name under "Expose an API", without the api:// prefix).`,
    });
  }
  const allowedClients = parseAllowedClients(input.entraAllowedClients, problems);
  const authority = (input.authorityHost ?? input.cloud.authorityHost).replace(/\/+$/, '');
  let appIdUri = `api://${clientId ?? ''}`;
  if (input.entraAudience?.trim()) {
    const a = input.entraAudience.trim().replace(/\/+$/, '');
    if (/^(api|https):\/\/\S+$/i.test(a)) appIdUri = a;
    else
      problems.push({
        setting: S.audience,
        message: `"${input.entraAudience}" is not an Application ID URI such as api://<client-id> (shown under "Expose an API").`,
      });
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
    oboTimeoutMs: input.oboTimeoutMs,
    appIdUri,
    audiences: [...new Set([appIdUri, clientId])],
    scope,
    // A configured issuer keeps its exact spelling: Entra's iss claim is compared as a string.
    issuer: input.entraIssuer?.trim() ? input.entraIssuer.trim() : issuer,
    jwksUrl,
    authorityHost: authority,
    disableInstanceDiscovery: !knownAuthority,
    ...(clientSecret ? { clientSecret } : {}),
    ...(certificatePath ? { certificatePath } : {}),
    ...(allowedClients.length ? { allowedClients } : {}),
  };
}
