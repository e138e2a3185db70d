// Flags + environment → one validated Config, read through the settings table (src/config/settings.ts). Pure: no I/O,
// so every rule is unit-tested as a table. No zod here on purpose: the command parses its configuration before it
// loads the server (see src/bin.ts).
import { CLOUD_NAMES, CLOUDS, type CloudInfo, type CloudName } from '../graph/clouds.js';
import { LOG_LEVELS, type LogLevel } from '../core/log.js';
import { GUID_PATTERN } from '../core/jsonShapes.js';
import { AUTH_METHODS, type AuthMethod } from './authMethods.js';
import { parseCommandLine, type Command } from './commandLine.js';
import { parseHttpSettings, type HttpConfig } from './http.js';
import { readHttpLimits } from './httpLimits.js';
import { CONFIRM_POLICIES, TOKEN_CACHE_SETTINGS, labelOf, type TRANSPORTS } from './settings.js';
import { parseAuthorityHost, parseDestructive, parseGraphUrl, SettingReader, type ConfigProblem } from './values.js';

export { COMMANDS, type Command } from './commandLine.js';
export type { ConfigProblem } from './values.js';
export { CONFIRM_POLICIES } from './settings.js';
export type ConfirmPolicy = (typeof CONFIRM_POLICIES)[number];
export type Transport = (typeof TRANSPORTS)[number];

export interface Config {
  cloud: CloudInfo;
  /** The configured Graph root (cloud default or CLOUDPC_MCP_GRAPH_URL); the simulator's address is GraphTarget's. */
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
  readOnly: boolean;
  confirmPolicy: ConfirmPolicy;
  /** Action types (e.g. 'reprovision') whose retry needs the user's confirmation. */
  destructiveActions: ReadonlySet<string>;
  /** Warnings for stderr and for the first tool result (e.g. a non-Graph host). */
  warnings: string[];
  /** stdio (default) or http: remote mode, see src/transports/http. */
  transport: Transport;
  http: HttpConfig;
}

export type ConfigResult =
  | { ok: true; config: Config; command: Command }
  | { ok: false; problems: ConfigProblem[]; command: Command; fallback: Config };

type SignIn = Pick<Config, 'auth' | 'tenantId' | 'clientId' | 'authorityHost' | 'accessToken'>;

function readSignIn(r: SettingReader, simulate: boolean): SignIn {
  const { problems } = r;
  const accessToken = r.text('CLOUDPC_MCP_ACCESS_TOKEN')?.trim() || undefined;
  if (accessToken !== undefined && /\s/.test(accessToken)) {
    problems.push({ setting: 'CLOUDPC_MCP_ACCESS_TOKEN', message: 'contains white space; give the bare token, without "Bearer ".' });
  }
  const auth = r.choice<AuthMethod>('CLOUDPC_MCP_AUTH', AUTH_METHODS, 'auto');
  if (auth === 'token' && !accessToken && !simulate) {
    problems.push({ setting: labelOf('CLOUDPC_MCP_AUTH'), message: '"token" needs CLOUDPC_MCP_ACCESS_TOKEN to be set in the server\'s environment.' });
  }
  const tenantId = r.text('AZURE_TENANT_ID');
  if (tenantId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/.test(tenantId)) {
    problems.push({ setting: labelOf('AZURE_TENANT_ID'), message: `"${tenantId}" is not a tenant id or domain (e.g. contoso.onmicrosoft.com or a GUID).` });
  }
  const clientId = r.text('AZURE_CLIENT_ID');
  if (clientId !== undefined && !GUID_PATTERN.test(clientId)) {
    problems.push({ setting: labelOf('AZURE_CLIENT_ID'), message: `"${clientId}" is not an application (client) id; it is a GUID shown on the app registration's Overview page.` });
  }
  // Read by the sign-in code itself (src/auth); checked here so a mistake shows at start-up like every other one.
  r.choice('CLOUDPC_MCP_TOKEN_CACHE', TOKEN_CACHE_SETTINGS, 'auto');
  const configDir = r.text('CLOUDPC_MCP_CONFIG_DIR')?.trim();
  if (configDir !== undefined && !/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(configDir)) {
    problems.push({ setting: 'CLOUDPC_MCP_CONFIG_DIR', message: `must be an absolute path; got "${configDir}".` });
  }
  return { auth: simulate ? 'token' : auth, tenantId, clientId, authorityHost: parseAuthorityHost(r.text('AZURE_AUTHORITY_HOST'), problems), accessToken };
}

function readGraphRoot(r: SettingReader, cloud: CloudInfo, simulate: boolean, warnings: string[]): Pick<Config, 'graphRoot' | 'graphRootOverridden'> {
  const raw = r.text('CLOUDPC_MCP_GRAPH_URL');
  if (raw === undefined) return { graphRoot: cloud.graphRoot, graphRootOverridden: false };
  if (simulate) warnings.push('--simulate is set, so CLOUDPC_MCP_GRAPH_URL is ignored: calls go to the embedded simulator.');
  const root = parseGraphUrl(raw, r.problems, warnings);
  return root ? { graphRoot: root, graphRootOverridden: true } : { graphRoot: cloud.graphRoot, graphRootOverridden: false };
}

function readHttp(r: SettingReader, signIn: SignIn, cloud: CloudInfo, simulate: boolean, warnings: string[]): { transport: Transport; http: HttpConfig } {
  return parseHttpSettings(
    {
      transport: r.text('CLOUDPC_MCP_TRANSPORT'),
      host: r.text('CLOUDPC_MCP_HOST'),
      port: r.int('CLOUDPC_MCP_PORT'),
      publicUrl: r.text('CLOUDPC_MCP_PUBLIC_URL'),
      allowedOrigins: r.text('CLOUDPC_MCP_ALLOWED_ORIGINS'),
      maxBodyBytes: r.int('CLOUDPC_MCP_MAX_BODY_BYTES'),
      shutdownGraceMs: r.int('CLOUDPC_MCP_SHUTDOWN_GRACE_MS'),
      limits: readHttpLimits(r),
      auth: r.text('CLOUDPC_MCP_HTTP_AUTH'),
      entraAudience: r.text('CLOUDPC_MCP_ENTRA_AUDIENCE'),
      entraScope: r.text('CLOUDPC_MCP_ENTRA_SCOPE'),
      entraIssuer: r.text('CLOUDPC_MCP_ENTRA_ISSUER'),
      entraJwksUrl: r.text('CLOUDPC_MCP_ENTRA_JWKS_URL'),
      entraAllowedClients: r.text('CLOUDPC_MCP_ENTRA_ALLOWED_CLIENTS'),
      tenantId: signIn.tenantId,
      clientId: signIn.clientId,
      clientSecret: r.text('AZURE_CLIENT_SECRET'),
      certificatePath: r.text('AZURE_CLIENT_CERTIFICATE_PATH'),
      authorityHost: signIn.authorityHost,
      cloud,
      simulate,
    },
    r.problems,
    warnings,
  );
}

export function loadConfig(argv: readonly string[], env: Record<string, string | undefined>): ConfigResult {
  const line = parseCommandLine(argv);
  const problems: ConfigProblem[] = [...line.problems];
  const warnings: string[] = [];
  const r = new SettingReader(line.values, env, problems);

  const cloud = CLOUDS[r.choice<CloudName>('CLOUDPC_MCP_CLOUD', CLOUD_NAMES, 'global')];
  if (cloud.caveat) warnings.push(cloud.caveat);
  const simulate = r.bool('CLOUDPC_MCP_SIMULATE');
  const readOnly = r.bool('CLOUDPC_MCP_READ_ONLY');
  const graph = readGraphRoot(r, cloud, simulate, warnings);
  const signIn = readSignIn(r, simulate);
  const { transport, http } = readHttp(r, signIn, cloud, simulate, warnings);
  if (http.entra && signIn.accessToken) {
    warnings.push('CLOUDPC_MCP_ACCESS_TOKEN is ignored in remote mode with Entra sign-in: Graph is called on behalf of each signed-in user.');
  }

  const config: Config = {
    cloud,
    ...graph,
    ...signIn,
    timeoutMs: r.int('CLOUDPC_MCP_TIMEOUT_MS'),
    maxThrottleWaitMs: r.int('CLOUDPC_MCP_MAX_THROTTLE_WAIT_MS'),
    maxAttempts: r.int('CLOUDPC_MCP_MAX_ATTEMPTS'),
    pollIntervalMs: r.int('CLOUDPC_MCP_POLL_INTERVAL_MS'),
    logLevel: r.choice<LogLevel>('CLOUDPC_MCP_LOG_LEVEL', LOG_LEVELS, 'info'),
    simulate,
    readOnly,
    confirmPolicy: r.choice<ConfirmPolicy>('CLOUDPC_MCP_CONFIRM_POLICY', CONFIRM_POLICIES, 'confirm-flag'),
    destructiveActions: parseDestructive(r.text('CLOUDPC_MCP_DESTRUCTIVE_ACTIONS'), problems),
    warnings,
    transport,
    http,
  };
  if (problems.length) return { ok: false, problems, command: line.command, fallback: config };
  return { ok: true, config, command: line.command };
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
  return (
    'cloudpc-mcp is misconfigured, so no Graph call was made. Fix these settings in the MCP client\'s server configuration (env or args) and restart the server:\n' +
    problems.map((p) => `- ${p.setting}: ${p.message}`).join('\n')
  );
}

export { helpText } from './help.js';
