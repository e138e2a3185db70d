// Flags + environment → one validated Config. Pure: no I/O, so every rule is unit-tested as a table.
// No zod here on purpose: the command parses its configuration before it loads the server (see src/bin.ts).
import { parseArgs } from 'node:util';
import { CLOUD_NAMES, CLOUDS, KNOWN_GRAPH_HOSTS, type CloudInfo, type CloudName } from '../graph/clouds.js';
import { LOG_LEVELS, type LogLevel } from '../core/log.js';
import { AUTH_METHODS, type AuthMethod } from './authMethods.js';
import { ACTION_TYPES_DESTRUCTIVE_DEFAULT } from '../core/actionTypes.js';
import { GUID_PATTERN } from '../core/jsonShapes.js';
import { DEFAULT_ENTRA_SCOPE, DEFAULT_PORT, parseHttpSettings, type HttpConfig, type Transport } from './http.js';
import { unknownVariants, VARIANT_NAMES, type SimulatorVariant } from '../simulator/variants.js';

export const CONFIRM_POLICIES = ['confirm-flag', 'refuse'] as const;
export type ConfirmPolicy = (typeof CONFIRM_POLICIES)[number];

export interface Config {
  cloud: CloudInfo;
  /** Graph root actually called (cloud default, CLOUDPC_MCP_GRAPH_URL, or the simulator's). */
  graphRoot: string;
  graphRootOverridden: boolean;
  auth: AuthMethod;
  tenantId?: string;
  clientId?: string;
  authorityHost?: string;
  /** Operator-supplied Graph token; never logged. */
  accessToken?: string;
  timeoutMs: number;
  maxThrottleWaitMs: number;
  maxAttempts: number;
  /** How often get_cloudpc_bulk_action polls while waiting for a pending action. */
  pollIntervalMs: number;
  logLevel: LogLevel;
  simulate: boolean;
  /** Simulator variants to switch on with simulate (docs/simulator.md). */
  simulateVariants: SimulatorVariant[];
  /** At most this many failed devices get their reason looked up per call. */
  maxReasonLookups: number;
  readOnly: boolean;
  confirmPolicy: ConfirmPolicy;
  /** Action types (e.g. 'reprovision') whose retry needs the user's confirmation. */
  destructiveActions: ReadonlySet<string>;
  /** Warnings for stderr and for the first tool result (e.g. a non-Graph host). */
  warnings: string[];
  /** stdio (default) or http: remote mode, see src/http. */
  transport: Transport;
  http: HttpConfig;
}

export interface ConfigProblem {
  setting: string;
  message: string;
}

export type ConfigResult =
  | { ok: true; config: Config; command: Command }
  | { ok: false; problems: ConfigProblem[]; command: Command; fallback: Config };

/** serve: the MCP server (default). login/logout: terminal sign-in before configuring an assistant. */
export const COMMANDS = ['serve', 'login', 'logout'] as const;
export type Command = (typeof COMMANDS)[number] | 'help' | 'version';

/** Every setting: flag, environment variable, default and a one-line description (the README table mirrors this). */
export const SETTINGS = [
  { flag: '--cloud', env: 'CLOUDPC_MCP_CLOUD', def: 'global', doc: `National cloud: ${CLOUD_NAMES.join(', ')}.` },
  { flag: '--graph-url', env: 'CLOUDPC_MCP_GRAPH_URL', def: '(the cloud\'s Graph root)', doc: 'Graph root override for proxies and tests; plain http only to loopback.' },
  { flag: '--auth', env: 'CLOUDPC_MCP_AUTH', def: 'auto', doc: `Sign-in method: ${AUTH_METHODS.join(', ')}.` },
  { flag: '--tenant-id', env: 'AZURE_TENANT_ID', def: 'organizations', doc: 'Entra tenant (id or domain) to sign in to.' },
  { flag: '--client-id', env: 'AZURE_CLIENT_ID', def: '(Microsoft Graph Command Line Tools)', doc: 'App registration (client) id used to sign in.' },
  { flag: null, env: 'AZURE_AUTHORITY_HOST', def: '(the cloud\'s authority)', doc: 'Entra authority override (private clouds, proxies, tests).' },
  { flag: null, env: 'CLOUDPC_MCP_ACCESS_TOKEN', def: '(unset)', doc: 'A Graph access token supplied by the operator; no sign-in at all. Environment only, never a flag.' },
  { flag: '--timeout-ms', env: 'CLOUDPC_MCP_TIMEOUT_MS', def: '30000', doc: 'Deadline for one Graph request attempt, in milliseconds.' },
  { flag: '--max-throttle-wait-ms', env: 'CLOUDPC_MCP_MAX_THROTTLE_WAIT_MS', def: '60000', doc: 'Total time one call may spend waiting out Graph throttling (429/503).' },
  { flag: '--max-attempts', env: 'CLOUDPC_MCP_MAX_ATTEMPTS', def: '4', doc: 'Attempts per Graph request when throttled (1 = never retry).' },
  { flag: '--poll-interval-ms', env: 'CLOUDPC_MCP_POLL_INTERVAL_MS', def: '5000', doc: 'How often a waiting get_cloudpc_bulk_action re-reads the action.' },
  { flag: '--log-level', env: 'CLOUDPC_MCP_LOG_LEVEL', def: 'info', doc: `stderr log level: ${LOG_LEVELS.join(', ')}.` },
  { flag: '--simulate', env: 'CLOUDPC_MCP_SIMULATE', def: 'false', doc: 'Run against the embedded Graph simulator (no tenant, no sign-in).' },
  { flag: '--simulate-variants', env: 'CLOUDPC_MCP_SIMULATE_VARIANTS', def: '(none)', doc: 'Comma list of simulator variants to switch on with --simulate (docs/simulator.md).' },
  { flag: '--max-reason-lookups', env: 'CLOUDPC_MCP_MAX_REASON_LOOKUPS', def: '100', doc: 'Failed devices per call whose failure reason is looked up (20 per Graph batch request).' },
  { flag: '--read-only', env: 'CLOUDPC_MCP_READ_ONLY', def: 'false', doc: 'Do not offer the retry tool; reads need only CloudPC.Read.All.' },
  { flag: '--confirm-policy', env: 'CLOUDPC_MCP_CONFIRM_POLICY', def: 'confirm-flag', doc: 'When the client cannot ask the user: confirm-flag (the call must carry confirm: true) or refuse.' },
  { flag: '--destructive-actions', env: 'CLOUDPC_MCP_DESTRUCTIVE_ACTIONS', def: [...ACTION_TYPES_DESTRUCTIVE_DEFAULT].join(','), doc: 'Action types whose retry needs confirmation (comma list; "none" for none).' },
  { flag: '--transport', env: 'CLOUDPC_MCP_TRANSPORT', def: 'stdio', doc: 'stdio (one client that starts the server) or http (remote mode: Streamable HTTP at /mcp).' },
  { flag: '--host', env: 'CLOUDPC_MCP_HOST', def: '127.0.0.1', doc: 'HTTP: address to listen on; anything but loopback needs CLOUDPC_MCP_HTTP_AUTH=entra.' },
  { flag: '--port', env: 'CLOUDPC_MCP_PORT', def: String(DEFAULT_PORT), doc: 'HTTP: port to listen on (0 picks a free one and logs it).' },
  { flag: '--public-url', env: 'CLOUDPC_MCP_PUBLIC_URL', def: '(http://<host>:<port>)', doc: 'HTTP: the https URL clients use (behind a proxy or ingress); names the protected resource. Required for entra off loopback.' },
  { flag: '--allowed-origins', env: 'CLOUDPC_MCP_ALLOWED_ORIGINS', def: '(none)', doc: 'HTTP: browser origins allowed besides the server\'s own (comma list); any other Origin gets 403.' },
  { flag: '--max-body-bytes', env: 'CLOUDPC_MCP_MAX_BODY_BYTES', def: '1048576', doc: 'HTTP: largest request body accepted; larger ones get 413.' },
  { flag: '--shutdown-grace-ms', env: 'CLOUDPC_MCP_SHUTDOWN_GRACE_MS', def: '25000', doc: 'HTTP: on SIGTERM, how long calls in flight may run before the process exits.' },
  { flag: '--http-auth', env: 'CLOUDPC_MCP_HTTP_AUTH', def: 'none', doc: 'HTTP: none (loopback only) or entra (Entra access tokens; Graph called on behalf of each user).' },
  { flag: '--entra-audience', env: 'CLOUDPC_MCP_ENTRA_AUDIENCE', def: '(api://<client-id>)', doc: 'entra: Application ID URI of the server\'s app registration; tokens for it or for its client id are accepted.' },
  { flag: '--entra-scope', env: 'CLOUDPC_MCP_ENTRA_SCOPE', def: DEFAULT_ENTRA_SCOPE, doc: 'entra: delegated scope every caller token must carry (403 otherwise).' },
  { flag: '--entra-issuer', env: 'CLOUDPC_MCP_ENTRA_ISSUER', def: '(<authority>/<tenant-id>/v2.0)', doc: 'entra: expected token issuer (v2 tokens).' },
  { flag: '--entra-jwks-url', env: 'CLOUDPC_MCP_ENTRA_JWKS_URL', def: '(<authority>/<tenant-id>/discovery/v2.0/keys)', doc: 'entra: where the token signing keys are published.' },
  { flag: null, env: 'AZURE_CLIENT_SECRET', def: '(unset)', doc: 'Client secret of the app registration (environment sign-in; entra: the on-behalf-of exchange). Environment only.' },
  { flag: null, env: 'AZURE_CLIENT_CERTIFICATE_PATH', def: '(unset)', doc: 'PEM certificate with private key, instead of a client secret.' },
] as const;

const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)$/i;

function parseBool(setting: string, v: string | boolean | undefined, problems: ConfigProblem[]): boolean {
  if (v === undefined || v === false) return false;
  if (v === true) return true;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(s)) return false;
  problems.push({ setting, message: `"${v}" is not a yes/no value; use true or false.` });
  return false;
}

function parseIntSetting(
  setting: string,
  raw: string | undefined,
  def: number,
  min: number,
  max: number,
  problems: ConfigProblem[],
): number {
  if (raw === undefined || raw.trim() === '') return def;
  // Plain checks, no schema library: this module runs on the start-up path before anything heavy is loaded.
  const n = /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    problems.push({ setting, message: `"${raw}" is not a whole number from ${min} to ${max}; default is ${def}.` });
    return def;
  }
  return n;
}

/** Validates a Graph root override; returns the normalised root (no trailing slash) or records a problem. */
export function parseGraphUrl(raw: string, problems: ConfigProblem[], warnings: string[]): string | undefined {
  const setting = 'CLOUDPC_MCP_GRAPH_URL (--graph-url)';
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    problems.push({ setting, message: `"${raw}" is not a URL; give a root such as https://graph.microsoft.com or http://127.0.0.1:8080.` });
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push({ setting, message: `scheme "${url.protocol}" is not allowed; use https (or http to a loopback address).` });
    return undefined;
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOST.test(url.hostname)) {
    problems.push({
      setting,
      message: `plain http is only allowed to loopback (127.0.0.1, ::1, localhost), because the bearer token would travel unencrypted; use https://${url.host}.`,
    });
    return undefined;
  }
  if (url.username || url.password || url.search || url.hash) {
    problems.push({ setting, message: 'give only scheme, host, port and an optional path prefix: no credentials, query or fragment.' });
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/(beta|v1\.0)$/i.test(path)) {
    problems.push({ setting, message: `give the root without the version segment: ${url.origin}${path.replace(/\/(beta|v1\.0)$/i, '')} (the server adds /beta itself).` });
    return undefined;
  }
  if (!KNOWN_GRAPH_HOSTS.has(url.host) && !LOOPBACK_HOST.test(url.hostname)) {
    warnings.push(`The Graph URL ${url.origin} is not a Microsoft Graph host; the access token will be sent there.`);
  }
  return url.origin + path;
}

function parseDestructive(raw: string | undefined, problems: ConfigProblem[]): Set<string> {
  if (raw === undefined) return new Set(ACTION_TYPES_DESTRUCTIVE_DEFAULT.map((s) => s.toLowerCase()));
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 1 && items[0]!.toLowerCase() === 'none') return new Set();
  const bad = items.filter((s) => !/^[a-zA-Z][a-zA-Z0-9]{0,63}$/.test(s));
  if (bad.length) {
    problems.push({
      setting: 'CLOUDPC_MCP_DESTRUCTIVE_ACTIONS (--destructive-actions)',
      message: `not action type names: ${bad.map((b) => JSON.stringify(b)).join(', ')}; use a comma list such as reprovision,restore,resize, or "none".`,
    });
  }
  if (items.length === 0) {
    problems.push({
      setting: 'CLOUDPC_MCP_DESTRUCTIVE_ACTIONS (--destructive-actions)',
      message: 'the list is empty; write "none" to confirm no retry, or leave the setting unset for the default list.',
    });
    return new Set(ACTION_TYPES_DESTRUCTIVE_DEFAULT.map((s) => s.toLowerCase()));
  }
  // Names are compared case-insensitively so "Reprovision" and "reprovision" mean the same.
  return new Set(items.map((s) => s.toLowerCase()));
}

function parseVariants(raw: string | undefined, simulate: boolean, problems: ConfigProblem[]): SimulatorVariant[] {
  if (raw === undefined) return [];
  const setting = 'CLOUDPC_MCP_SIMULATE_VARIANTS (--simulate-variants)';
  const names = raw.split(',').map((v) => v.trim()).filter(Boolean);
  const bad = unknownVariants(names);
  if (bad.length) problems.push({ setting, message: `not simulator variants: ${bad.map((b) => JSON.stringify(b)).join(', ')}; known: ${VARIANT_NAMES.join(', ')}.` });
  else if (!simulate && names.length) problems.push({ setting, message: 'variants apply to the embedded simulator only; add --simulate (CLOUDPC_MCP_SIMULATE=true) or remove this setting.' });
  return [...new Set(names)].filter((n): n is SimulatorVariant => !bad.includes(n));
}

function pickEnum<T extends string>(
  setting: string,
  raw: string | undefined,
  allowed: readonly T[],
  def: T,
  problems: ConfigProblem[],
): T {
  if (raw === undefined || raw.trim() === '') return def;
  const v = raw.trim().toLowerCase() as T;
  if (allowed.includes(v)) return v;
  problems.push({ setting, message: `"${raw}" is not one of: ${allowed.join(', ')}.` });
  return def;
}

export function loadConfig(argv: readonly string[], env: Record<string, string | undefined>): ConfigResult {
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  let values: Record<string, string | boolean | undefined> = {};
  let command: Command = 'serve';
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        cloud: { type: 'string' },
        'graph-url': { type: 'string' },
        auth: { type: 'string' },
        'tenant-id': { type: 'string' },
        'client-id': { type: 'string' },
        'timeout-ms': { type: 'string' },
        'max-throttle-wait-ms': { type: 'string' },
        'max-attempts': { type: 'string' },
        'poll-interval-ms': { type: 'string' },
        'log-level': { type: 'string' },
        simulate: { type: 'boolean' },
        'simulate-variants': { type: 'string' },
        'max-reason-lookups': { type: 'string' },
        'read-only': { type: 'boolean' },
        'confirm-policy': { type: 'string' },
        'destructive-actions': { type: 'string' },
        transport: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'public-url': { type: 'string' },
        'allowed-origins': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'shutdown-grace-ms': { type: 'string' },
        'http-auth': { type: 'string' },
        'entra-audience': { type: 'string' },
        'entra-scope': { type: 'string' },
        'entra-issuer': { type: 'string' },
        'entra-jwks-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
    values = parsed.values as typeof values;
    if (values.help) command = 'help';
    else if (values.version) command = 'version';
    const [first, ...rest] = parsed.positionals;
    if (first !== undefined) {
      if ((COMMANDS as readonly string[]).includes(first)) {
        if (command === 'serve') command = first as Command;
      } else {
        problems.push({ setting: 'command line', message: `unexpected argument "${first}"; commands are ${COMMANDS.join(', ')}; run cloudpc-mcp --help for the options.` });
      }
    }
    for (const p of rest) {
      problems.push({ setting: 'command line', message: `unexpected argument "${p}"; run cloudpc-mcp --help for the options.` });
    }
  } catch (err) {
    problems.push({ setting: 'command line', message: `${(err as Error).message}; run cloudpc-mcp --help for the options.` });
  }

  const str = (flag: string, envName: string): string | undefined => {
    const f = values[flag];
    if (typeof f === 'string') return f;
    const e = env[envName];
    return e === undefined || e.trim() === '' ? undefined : e;
  };

  const cloudName = pickEnum<CloudName>('CLOUDPC_MCP_CLOUD (--cloud)', str('cloud', 'CLOUDPC_MCP_CLOUD'), CLOUD_NAMES, 'global', problems);
  const cloud = CLOUDS[cloudName];
  if (cloud.caveat) warnings.push(cloud.caveat);

  const simulate = values.simulate === true || parseBool('CLOUDPC_MCP_SIMULATE', env.CLOUDPC_MCP_SIMULATE, problems);
  const readOnly = values['read-only'] === true || parseBool('CLOUDPC_MCP_READ_ONLY', env.CLOUDPC_MCP_READ_ONLY, problems);

  let graphRoot = cloud.graphRoot;
  let graphRootOverridden = false;
  const graphUrlRaw = str('graph-url', 'CLOUDPC_MCP_GRAPH_URL');
  if (graphUrlRaw !== undefined) {
    const root = parseGraphUrl(graphUrlRaw, problems, warnings);
    if (root) {
      graphRoot = root;
      graphRootOverridden = true;
    }
    if (simulate) warnings.push('--simulate is set, so CLOUDPC_MCP_GRAPH_URL is ignored: calls go to the embedded simulator.');
  }

  const accessToken = env.CLOUDPC_MCP_ACCESS_TOKEN?.trim() || undefined;
  if (accessToken !== undefined && /\s/.test(accessToken)) {
    problems.push({ setting: 'CLOUDPC_MCP_ACCESS_TOKEN', message: 'contains white space; give the bare token, without "Bearer ".' });
  }
  const auth = pickEnum<AuthMethod>('CLOUDPC_MCP_AUTH (--auth)', str('auth', 'CLOUDPC_MCP_AUTH'), AUTH_METHODS, 'auto', problems);
  if (auth === 'token' && !accessToken && !simulate) {
    problems.push({ setting: 'CLOUDPC_MCP_AUTH (--auth)', message: '"token" needs CLOUDPC_MCP_ACCESS_TOKEN to be set in the server\'s environment.' });
  }

  const tenantId = str('tenant-id', 'AZURE_TENANT_ID');
  if (tenantId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/.test(tenantId)) {
    problems.push({ setting: 'AZURE_TENANT_ID (--tenant-id)', message: `"${tenantId}" is not a tenant id or domain (e.g. contoso.onmicrosoft.com or a GUID).` });
  }
  const clientId = str('client-id', 'AZURE_CLIENT_ID');
  if (clientId !== undefined && !GUID_PATTERN.test(clientId)) {
    problems.push({ setting: 'AZURE_CLIENT_ID (--client-id)', message: `"${clientId}" is not an application (client) id; it is a GUID shown on the app registration's Overview page.` });
  }
  let authorityHost: string | undefined;
  const authorityRaw = env.AZURE_AUTHORITY_HOST?.trim();
  if (authorityRaw) {
    try {
      const u = new URL(authorityRaw);
      if (u.protocol !== 'https:') throw new Error('https');
      authorityHost = u.origin;
    } catch {
      problems.push({ setting: 'AZURE_AUTHORITY_HOST', message: `"${authorityRaw}" is not an https URL such as https://login.microsoftonline.us.` });
    }
  }

  const timeoutMs = parseIntSetting('CLOUDPC_MCP_TIMEOUT_MS (--timeout-ms)', str('timeout-ms', 'CLOUDPC_MCP_TIMEOUT_MS'), 30_000, 100, 600_000, problems);
  const maxThrottleWaitMs = parseIntSetting(
    'CLOUDPC_MCP_MAX_THROTTLE_WAIT_MS (--max-throttle-wait-ms)',
    str('max-throttle-wait-ms', 'CLOUDPC_MCP_MAX_THROTTLE_WAIT_MS'),
    60_000,
    0,
    3_600_000,
    problems,
  );
  const maxAttempts = parseIntSetting('CLOUDPC_MCP_MAX_ATTEMPTS (--max-attempts)', str('max-attempts', 'CLOUDPC_MCP_MAX_ATTEMPTS'), 4, 1, 10, problems);
  const pollIntervalMs = parseIntSetting(
    'CLOUDPC_MCP_POLL_INTERVAL_MS (--poll-interval-ms)',
    str('poll-interval-ms', 'CLOUDPC_MCP_POLL_INTERVAL_MS'),
    5_000,
    100,
    60_000,
    problems,
  );
  const simulateVariants = parseVariants(str('simulate-variants', 'CLOUDPC_MCP_SIMULATE_VARIANTS'), simulate, problems);
  const maxReasonLookups = parseIntSetting(
    'CLOUDPC_MCP_MAX_REASON_LOOKUPS (--max-reason-lookups)',
    str('max-reason-lookups', 'CLOUDPC_MCP_MAX_REASON_LOOKUPS'),
    100,
    0,
    10_000,
    problems,
  );
  const logLevel = pickEnum<LogLevel>('CLOUDPC_MCP_LOG_LEVEL (--log-level)', str('log-level', 'CLOUDPC_MCP_LOG_LEVEL'), LOG_LEVELS, 'info', problems);
  const confirmPolicy = pickEnum<ConfirmPolicy>(
    'CLOUDPC_MCP_CONFIRM_POLICY (--confirm-policy)',
    str('confirm-policy', 'CLOUDPC_MCP_CONFIRM_POLICY'),
    CONFIRM_POLICIES,
    'confirm-flag',
    problems,
  );
  const destructiveActions = parseDestructive(str('destructive-actions', 'CLOUDPC_MCP_DESTRUCTIVE_ACTIONS'), problems);
  const { transport, http } = parseHttpSettings(
    {
      transport: str('transport', 'CLOUDPC_MCP_TRANSPORT'),
      host: str('host', 'CLOUDPC_MCP_HOST'),
      port: str('port', 'CLOUDPC_MCP_PORT'),
      publicUrl: str('public-url', 'CLOUDPC_MCP_PUBLIC_URL'),
      allowedOrigins: str('allowed-origins', 'CLOUDPC_MCP_ALLOWED_ORIGINS'),
      maxBodyBytes: str('max-body-bytes', 'CLOUDPC_MCP_MAX_BODY_BYTES'),
      shutdownGraceMs: str('shutdown-grace-ms', 'CLOUDPC_MCP_SHUTDOWN_GRACE_MS'),
      auth: str('http-auth', 'CLOUDPC_MCP_HTTP_AUTH'),
      entraAudience: str('entra-audience', 'CLOUDPC_MCP_ENTRA_AUDIENCE'),
      entraScope: str('entra-scope', 'CLOUDPC_MCP_ENTRA_SCOPE'),
      entraIssuer: str('entra-issuer', 'CLOUDPC_MCP_ENTRA_ISSUER'),
      entraJwksUrl: str('entra-jwks-url', 'CLOUDPC_MCP_ENTRA_JWKS_URL'),
      tenantId,
      clientId,
      clientSecret: env.AZURE_CLIENT_SECRET,
      certificatePath: env.AZURE_CLIENT_CERTIFICATE_PATH,
      authorityHost,
      cloud,
      simulate,
    },
    problems,
    warnings,
  );
  if (http.entra && accessToken) {
    warnings.push('CLOUDPC_MCP_ACCESS_TOKEN is ignored in remote mode with Entra sign-in: Graph is called on behalf of each signed-in user.');
  }

  const config: Config = {
    cloud,
    graphRoot,
    graphRootOverridden,
    auth: simulate ? 'token' : auth,
    tenantId,
    clientId,
    authorityHost,
    accessToken,
    timeoutMs,
    maxThrottleWaitMs,
    maxAttempts,
    pollIntervalMs,
    logLevel,
    simulate,
    simulateVariants,
    maxReasonLookups,
    readOnly,
    confirmPolicy,
    destructiveActions,
    warnings,
    transport,
    http,
  };
  if (problems.length) return { ok: false, problems, command, fallback: config };
  return { ok: true, config, command };
}


export function formatProblems(problems: readonly ConfigProblem[]): string {
  return (
    'cloudpc-mcp is misconfigured, so no Graph call was made. Fix these settings in the MCP client\'s server configuration (env or args) and restart the server:\n' +
    problems.map((p) => `- ${p.setting}: ${p.message}`).join('\n')
  );
}

export function helpText(): string {
  const rows = SETTINGS.map((s) => `  ${(s.flag ?? '').padEnd(24)} ${s.env.padEnd(34)} ${s.doc} Default: ${s.def}.`);
  return [
    'cloudpc-mcp: an MCP server (stdio, or Streamable HTTP with --transport http) that retries Windows 365 Cloud PC bulk actions through Microsoft Graph.',
    '',
    'Usage: cloudpc-mcp [serve|login|logout] [options]',
    '',
    '  flag                     environment variable               meaning',
    ...rows,
    '  -h, --help               show this help',
    '  -v, --version            print the version',
  ].join('\n');
}
