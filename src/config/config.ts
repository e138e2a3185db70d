// Flags + environment → one validated Config, read through the settings table (src/config/settings.ts). Pure: no I/O,
// so every rule is unit-tested as a table. No zod here on purpose: the command parses its configuration before it
// loads the server (see src/bin.ts).
import { CLOUD_NAMES, CLOUDS, type CloudInfo, type CloudName } from '../graph/clouds.js';
import { LOG_LEVELS, type LogLevel } from '../core/log.js';
import { GUID_PATTERN } from '../core/jsonShapes.js';
import { AUTH_METHODS, type AuthMethod } from './authMethods.js';
import { commandName, parseCommandLine, type Command } from './commandLine.js';
import { proxyProblem } from '../graph/proxy.js';
import { parseHttpSettings, parseTransport, type HttpConfig } from './http.js';
import { readHttpLimits } from './httpLimits.js';
import { readStoreConfig, type StoreConfig } from './store.js';
import { APPROVAL_PAGE_MODES, CONFIRM_POLICIES, SETTINGS, TOKEN_CACHE_SETTINGS, labelOf, type TRANSPORTS } from './settings.js';
import { parseAuthorityHost, parseDestructive, parseGraphUrl, parseVariants, SettingReader, type ConfigProblem } from './values.js';
import type { SimulatorVariant } from '../simulator/variants.js';

export { COMMANDS, commandName, type Command } from './commandLine.js';
export type { ConfigProblem } from './values.js';
export { APPROVAL_PAGE_MODES, CONFIRM_POLICIES } from './settings.js';
export type ConfirmPolicy = (typeof CONFIRM_POLICIES)[number];
export type ApprovalPageMode = (typeof APPROVAL_PAGE_MODES)[number];

export const MODEL_POLICY_WARNING =
  'CLOUDPC_MCP_CONFIRM_POLICY=model lets the AI model approve destructive retries itself (confirm: true): reprovision, restore and other PC-wiping retries may run without any person seeing the plan. Use it only for unattended automation; the default, human, requires a person.';
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
  /** Simulator variants to switch on with simulate (docs/simulator.md). */
  simulateVariants: SimulatorVariant[];
  /** At most this many failed devices get their reason looked up per call. */
  maxReasonLookups: number;
  readOnly: boolean;
  confirmPolicy: ConfirmPolicy;
  /** How long a retry plan stays valid, in milliseconds. */
  planTtlMs: number;
  approvalPage: ApprovalPageMode;
  /** Remote mode: offer the view's app-only approve tool and its secret (CLOUDPC_MCP_REMOTE_APP_APPROVAL). */
  remoteAppApproval: boolean;
  /** How long a retry call waits for approval on the page before answering that approval is pending. */
  approvalWaitMs: number;
  /** Action types (e.g. 'reprovision') whose retry a person approves, plan by plan. */
  destructiveActions: ReadonlySet<string>;
  /** Warnings for stderr and for the first tool result (e.g. a non-Graph host). */
  warnings: string[];
  /** stdio (default) or http: remote mode, see src/transports/http. */
  transport: Transport;
  http: HttpConfig;
  /** Where state shared across requests lives: memory, or Redis shared by every replica (remote mode). */
  store: StoreConfig;
}

export type ConfigResult =
  { ok: true; config: Config; command: Command } | { ok: false; problems: ConfigProblem[]; command: Command; fallback: Config };

type SignIn = Pick<Config, 'auth' | 'tenantId' | 'clientId' | 'authorityHost' | 'accessToken'>;

function readSignIn(r: SettingReader, simulate: boolean): SignIn {
  const { problems } = r;
  const accessToken = r.text('CLOUDPC_MCP_ACCESS_TOKEN')?.trim() || undefined;
  if (accessToken !== undefined && /\s/.test(accessToken)) {
    problems.push({ setting: 'CLOUDPC_MCP_ACCESS_TOKEN', message: 'contains white space; give the bare token, without "Bearer ".' });
  }
  const auth = r.choice<AuthMethod>('CLOUDPC_MCP_AUTH', AUTH_METHODS, 'auto');
  if (auth === 'token' && !accessToken && !simulate) {
    problems.push({
      setting: labelOf('CLOUDPC_MCP_AUTH'),
      message: '"token" needs CLOUDPC_MCP_ACCESS_TOKEN to be set in the server\'s environment.',
    });
  }
  const tenantId = r.text('AZURE_TENANT_ID');
  if (tenantId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/.test(tenantId)) {
    problems.push({
      setting: labelOf('AZURE_TENANT_ID'),
      message: `"${tenantId}" is not a tenant id or domain (e.g. contoso.onmicrosoft.com or a GUID).`,
    });
  }
  const clientId = r.text('AZURE_CLIENT_ID');
  if (clientId !== undefined && !GUID_PATTERN.test(clientId)) {
    problems.push({
      setting: labelOf('AZURE_CLIENT_ID'),
      message: `"${clientId}" is not an application (client) id; it is a GUID shown on the app registration's Overview page.`,
    });
  }
  // Read by the sign-in code itself (src/auth); checked here so a mistake shows at start-up like every other one.
  r.choice('CLOUDPC_MCP_TOKEN_CACHE', TOKEN_CACHE_SETTINGS, 'auto');
  const configDir = r.text('CLOUDPC_MCP_CONFIG_DIR')?.trim();
  if (configDir !== undefined && !/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(configDir)) {
    problems.push({ setting: 'CLOUDPC_MCP_CONFIG_DIR', message: `must be an absolute path; got "${configDir}".` });
  }
  return {
    auth: simulate ? 'token' : auth,
    tenantId,
    clientId,
    authorityHost: parseAuthorityHost(r.text('AZURE_AUTHORITY_HOST'), problems),
    accessToken,
  };
}

function readConfirmPolicy(r: SettingReader, warnings: string[]): ConfirmPolicy {
  // The old name of "model": kept working, since an operator who set it chose to let the model approve.
  const legacy = r.text('CLOUDPC_MCP_CONFIRM_POLICY')?.trim().toLowerCase() === 'confirm-flag';
  const policy = legacy ? 'model' : r.choice<ConfirmPolicy>('CLOUDPC_MCP_CONFIRM_POLICY', CONFIRM_POLICIES, 'human');
  if (legacy)
    warnings.push('CLOUDPC_MCP_CONFIRM_POLICY=confirm-flag is now called model; set model (or remove the setting for human approval).');
  if (policy === 'model') warnings.push(MODEL_POLICY_WARNING);
  return policy;
}

function readGraphRoot(
  r: SettingReader,
  cloud: CloudInfo,
  simulate: boolean,
  warnings: string[],
): Pick<Config, 'graphRoot' | 'graphRootOverridden'> {
  const raw = r.text('CLOUDPC_MCP_GRAPH_URL');
  if (raw === undefined) return { graphRoot: cloud.graphRoot, graphRootOverridden: false };
  if (simulate) warnings.push('--simulate is set, so CLOUDPC_MCP_GRAPH_URL is ignored: calls go to the embedded simulator.');
  const root = parseGraphUrl(raw, r.problems, warnings);
  return root ? { graphRoot: root, graphRootOverridden: true } : { graphRoot: cloud.graphRoot, graphRootOverridden: false };
}

function readHttp(
  r: SettingReader,
  signIn: SignIn,
  cloud: CloudInfo,
  simulate: boolean,
  warnings: string[],
): { transport: Transport; http: HttpConfig } {
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
      oboTimeoutMs: r.int('CLOUDPC_MCP_OBO_TIMEOUT_MS'),
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

/** Settings that were given but have no effect in this mode: said, so nobody relies on them. */
function warnIgnoredSettings(
  r: SettingReader,
  { simulate, signIn, transport, http }: { simulate: boolean; signIn: SignIn; transport: Transport; http: HttpConfig },
  warnings: string[],
): void {
  if (simulate && signIn.accessToken) {
    warnings.push(
      '--simulate is set, so CLOUDPC_MCP_ACCESS_TOKEN is ignored: the embedded simulator needs no token, and this one is sent nowhere.',
    );
  } else if (http.entra && signIn.accessToken) {
    warnings.push(
      'CLOUDPC_MCP_ACCESS_TOKEN is ignored in remote mode with Entra sign-in: Graph is called on behalf of each signed-in user.',
    );
  }

  if (transport !== 'http' && r.text('CLOUDPC_MCP_REDIS_URL') !== undefined) {
    warnings.push(
      'CLOUDPC_MCP_REDIS_URL is for remote mode (--transport http) only: over stdio plans and approvals stay in this process, which is the only one.',
    );
  }
}

/** Redis with Entra sign-in uses the server's own authority, and instance discovery only when that is a Microsoft cloud's. */
function readStore(r: SettingReader, signIn: SignIn, cloud: CloudInfo): StoreConfig {
  return readStoreConfig(
    r,
    signIn.authorityHost ?? cloud.authorityHost,
    !signIn.authorityHost || Object.values(CLOUDS).some((c) => new URL(c.authorityHost).origin === new URL(signIn.authorityHost!).origin),
  );
}

export function loadConfig(argv: readonly string[], env: Record<string, string | undefined>): ConfigResult {
  const line = parseCommandLine(argv, commandName(env));
  const problems: ConfigProblem[] = [...line.problems];
  const warnings: string[] = [];
  const r = new SettingReader(line.values, env, problems);

  const cloud = CLOUDS[r.choice<CloudName>('CLOUDPC_MCP_CLOUD', CLOUD_NAMES, 'global')];
  if (cloud.caveat) warnings.push(cloud.caveat);
  const simulate = r.bool('CLOUDPC_MCP_SIMULATE');
  const readOnly = r.bool('CLOUDPC_MCP_READ_ONLY');
  const graph = readGraphRoot(r, cloud, simulate, warnings);
  // The simulator is never proxied; a real Graph root goes through HTTPS_PROXY as curl would send it.
  const proxy = simulate ? undefined : proxyProblem(graph.graphRoot, env);
  if (proxy) problems.push(proxy);
  const signIn = readSignIn(r, simulate);
  const { transport, http } = readHttp(r, signIn, cloud, simulate, warnings);
  warnIgnoredSettings(r, { simulate, signIn, transport, http }, warnings);
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
    simulateVariants: parseVariants(r.text('CLOUDPC_MCP_SIMULATE_VARIANTS'), simulate, problems),
    maxReasonLookups: r.int('CLOUDPC_MCP_MAX_REASON_LOOKUPS'),
    readOnly,
    confirmPolicy: readConfirmPolicy(r, warnings),
    planTtlMs: r.int('CLOUDPC_MCP_PLAN_TTL_SECONDS') * 1000,
    approvalPage: r.choice<ApprovalPageMode>('CLOUDPC_MCP_APPROVAL_PAGE', APPROVAL_PAGE_MODES, 'browser'),
    remoteAppApproval: r.bool('CLOUDPC_MCP_REMOTE_APP_APPROVAL'),
    approvalWaitMs: r.int('CLOUDPC_MCP_APPROVAL_WAIT_SECONDS') * 1000,
    destructiveActions: parseDestructive(r.text('CLOUDPC_MCP_DESTRUCTIVE_ACTIONS'), problems),
    warnings,
    transport,
    http,
    store: readStore(r, signIn, cloud),
  };
  if (problems.length) return { ok: false, problems, command: line.command, fallback: config };
  return { ok: true, config, command: line.command };
}

/** `--read-only` → CLOUDPC_MCP_READ_ONLY, for every on/off setting that has a flag. */
const ON_OFF_FLAGS = new Map(SETTINGS.filter((s) => s.boolean && s.flag).map((s) => [s.flag!, s.env]));

/**
 * What a stdio server's first answers depend on (serving over stdio, and read-only or not), read without the rest of
 * the configuration, so that a waiting client is answered before loadConfig runs (src/bin.ts). It answers only when
 * the command line holds nothing but on/off flags and the transport and read-only settings are valid; otherwise
 * undefined, and loadConfig decides first. Where it answers it agrees with loadConfig (test/unit/config.test.ts).
 */
export function readStdioServe(argv: readonly string[], env: Record<string, string | undefined>): { readOnly: boolean } | undefined {
  const flags = new Map<string, boolean>();
  for (const word of argv) {
    const setting = ON_OFF_FLAGS.get(word);
    if (!setting) return undefined;
    flags.set(setting, true);
  }
  const problems: ConfigProblem[] = [];
  const r = new SettingReader(flags, env, problems);
  const readOnly = r.bool('CLOUDPC_MCP_READ_ONLY');
  const transport = parseTransport(r.text('CLOUDPC_MCP_TRANSPORT'), problems);
  if (problems.length || transport !== 'stdio') return undefined;
  return { readOnly };
}

/** Exit code for "will not run as configured", distinct from 1 (failed) so a script or supervisor can tell them apart. */
export const EXIT_MISCONFIGURED = 2;

/**
 * The problems and where to fix them, worded for where they are read: an MCP client's tool result (the client owns the
 * server's configuration), or the terminal `command` was run in (its command line and environment).
 */
export function formatProblems(problems: readonly ConfigProblem[], where: 'client' | { terminal: string } = 'client'): string {
  const list = problems.map((p) => `- ${p.setting}: ${p.message}`).join('\n');
  if (where === 'client') {
    return `cloudpc-mcp is misconfigured, so no Graph call was made. Fix these settings in the MCP client's server configuration (env or args) and restart the server:\n${list}`;
  }
  return `${where.terminal} did nothing, because of these mistakes. Fix the command line or the environment variables and run it again:\n${list}`;
}
