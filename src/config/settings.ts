// Every setting once: flag, environment variable, default and one line of documentation. Parsing (src/config/config.ts),
// `--help` and the configuration table in the docs (checked by test/unit/settingsDoc.test.ts) all come from this table.
import { ACTION_TYPES_DESTRUCTIVE_DEFAULT } from '../core/actionTypes.js';
import { LOG_LEVELS } from '../core/log.js';
import { CLOUD_NAMES } from '../graph/clouds.js';
import { DEFAULT_THROTTLE_POLICY } from '../graph/retryPolicy.js';
import { AUTH_METHODS } from './authMethods.js';

export interface IntRange {
  default: number;
  min: number;
  max: number;
}

export interface Setting {
  /** `--name`; null for settings that live only in the environment (secrets, and what the platform sets). */
  flag: string | null;
  env: string;
  /** The default as people read it. For whole numbers it is `int.default`, written once. */
  def: string;
  doc: string;
  /** A flag that takes no value (`--simulate`); its variable takes true/false. */
  boolean?: true;
  /** A whole number and its bounds; the parser checks them. */
  int?: IntRange;
}

function int(value: number, min: number, max: number): Pick<Setting, 'def' | 'int'> {
  return { def: String(value), int: { default: value, min, max } };
}

/** human: a person approves the exact plan (default); refuse: no destructive retry at all; model: the model may approve with confirm: true. */
export const CONFIRM_POLICIES = ['human', 'refuse', 'model'] as const;
/** browser: serve the approval page and open it; link: serve it, the link goes to the log only; off: no page. */
export const APPROVAL_PAGE_MODES = ['browser', 'link', 'off'] as const;
export const TRANSPORTS = ['stdio', 'http'] as const;
export const HTTP_AUTH_MODES = ['none', 'entra'] as const;
/** password: the URL's password (access key), or none; entra: a Microsoft Entra token of the server's own Azure identity. */
export const REDIS_AUTH_MODES = ['password', 'entra'] as const;
export const DEFAULT_REDIS_KEY_PREFIX = 'cloudpc-mcp:';
export const TOKEN_CACHE_SETTINGS = ['auto', 'keychain', 'unencrypted', 'none'] as const;
export const DEFAULT_PORT = 8080;
export const DEFAULT_ENTRA_SCOPE = 'access_as_user';

export const SETTINGS: readonly Setting[] = [
  { flag: '--cloud', env: 'CLOUDPC_MCP_CLOUD', def: 'global', doc: `National cloud: ${CLOUD_NAMES.join(', ')}.` },
  {
    flag: '--graph-url',
    env: 'CLOUDPC_MCP_GRAPH_URL',
    def: "(the cloud's Graph root)",
    doc: 'Graph root override for proxies and tests; plain http only to loopback; a warning when it is not a Microsoft Graph host.',
  },
  { flag: '--auth', env: 'CLOUDPC_MCP_AUTH', def: 'auto', doc: `Sign-in method: ${AUTH_METHODS.join(', ')}.` },
  { flag: '--tenant-id', env: 'AZURE_TENANT_ID', def: 'organizations', doc: 'Entra tenant (id or domain) to sign in to.' },
  {
    flag: '--client-id',
    env: 'AZURE_CLIENT_ID',
    def: '(Microsoft Graph Command Line Tools)',
    doc: 'App registration (client) id used to sign in.',
  },
  {
    flag: null,
    env: 'AZURE_AUTHORITY_HOST',
    def: "(the cloud's authority)",
    doc: 'Entra authority override (private clouds, proxies, tests).',
  },
  {
    flag: null,
    env: 'CLOUDPC_MCP_ACCESS_TOKEN',
    def: '(unset)',
    doc: 'A Graph access token supplied by the operator; no sign-in at all. Environment only, never a flag.',
  },
  {
    flag: null,
    env: 'CLOUDPC_MCP_TOKEN_CACHE',
    def: 'auto',
    doc: `Where a delegated sign-in is kept between restarts: ${TOKEN_CACHE_SETTINGS.join(', ')} (auto: the OS keychain when its add-on is installed, else a file only your user can read).`,
  },
  {
    flag: null,
    env: 'CLOUDPC_MCP_CONFIG_DIR',
    def: '(the per-user config folder)',
    doc: 'Absolute path of the folder that keeps the saved sign-in, and its token cache file unless the OS keychain keeps the tokens.',
  },
  {
    flag: '--timeout-ms',
    env: 'CLOUDPC_MCP_TIMEOUT_MS',
    ...int(30_000, 100, 600_000),
    doc: 'Deadline for one Graph request attempt, in milliseconds.',
  },
  {
    flag: '--max-throttle-wait-ms',
    env: 'CLOUDPC_MCP_MAX_THROTTLE_WAIT_MS',
    ...int(DEFAULT_THROTTLE_POLICY.maxTotalWaitMs, 0, 3_600_000),
    doc: 'Total time one call may spend waiting out Graph throttling (429/503).',
  },
  {
    flag: '--max-attempts',
    env: 'CLOUDPC_MCP_MAX_ATTEMPTS',
    ...int(DEFAULT_THROTTLE_POLICY.maxAttempts, 1, 10),
    doc: 'Attempts per Graph request when throttled (1 = never retry).',
  },
  {
    flag: '--max-reason-lookups',
    env: 'CLOUDPC_MCP_MAX_REASON_LOOKUPS',
    ...int(100, 0, 10_000),
    doc: 'Failed devices per call whose failure reason is looked up (20 per Graph batch request).',
  },
  {
    flag: '--poll-interval-ms',
    env: 'CLOUDPC_MCP_POLL_INTERVAL_MS',
    ...int(5_000, 100, 60_000),
    doc: 'How often a waiting get_cloudpc_bulk_action re-reads the action.',
  },
  { flag: '--log-level', env: 'CLOUDPC_MCP_LOG_LEVEL', def: 'info', doc: `stderr log level: ${LOG_LEVELS.join(', ')}.` },
  {
    flag: '--simulate',
    env: 'CLOUDPC_MCP_SIMULATE',
    def: 'false',
    boolean: true,
    doc: 'Run against the embedded Graph simulator (no tenant, no sign-in).',
  },
  {
    flag: '--simulate-variants',
    env: 'CLOUDPC_MCP_SIMULATE_VARIANTS',
    def: '(none)',
    doc: 'Comma list of simulator variants to switch on with --simulate (docs/simulator.md).',
  },
  {
    flag: '--read-only',
    env: 'CLOUDPC_MCP_READ_ONLY',
    def: 'false',
    boolean: true,
    doc: 'Do not offer the retry tool; reads need only CloudPC.Read.All.',
  },
  {
    flag: '--confirm-policy',
    env: 'CLOUDPC_MCP_CONFIRM_POLICY',
    def: 'human',
    doc: 'Who approves a destructive retry: human (a person approves the exact plan; see docs/approval.md), refuse (never), or model (confirm: true from the model; warned at start-up).',
  },
  {
    flag: '--plan-ttl-seconds',
    env: 'CLOUDPC_MCP_PLAN_TTL_SECONDS',
    ...int(900, 1, 86_400),
    doc: 'How long a retry plan (from a dry run or a destructive retry) can be approved and executed, in seconds.',
  },
  {
    flag: '--approval-page',
    env: 'CLOUDPC_MCP_APPROVAL_PAGE',
    def: 'browser',
    doc: 'The approval page for clients that cannot ask the user: browser (serve it and open the browser), link (serve it; the link goes to the MCP log and stderr only) or off.',
  },
  {
    flag: '--remote-app-approval',
    env: 'CLOUDPC_MCP_REMOTE_APP_APPROVAL',
    def: 'false',
    boolean: true,
    doc: "HTTP: let the plan view's Approve button decide through the app-only tool (its secret in results' _meta); only for hosts that keep _meta and app-only tools from the model (docs/approval.md). Off: the view opens the approval page.",
  },
  {
    flag: '--approval-wait-seconds',
    env: 'CLOUDPC_MCP_APPROVAL_WAIT_SECONDS',
    ...int(120, 0, 600),
    doc: 'How long a retry call waits for approval on the page (with progress) before answering that approval is pending.',
  },
  {
    flag: '--destructive-actions',
    env: 'CLOUDPC_MCP_DESTRUCTIVE_ACTIONS',
    def: [...ACTION_TYPES_DESTRUCTIVE_DEFAULT].join(','),
    doc: 'Action types whose retry needs confirmation (comma list; "none" for none).',
  },
  {
    flag: '--transport',
    env: 'CLOUDPC_MCP_TRANSPORT',
    def: 'stdio',
    doc: 'stdio (one client that starts the server) or http (remote mode: Streamable HTTP at /mcp).',
  },
  {
    flag: '--host',
    env: 'CLOUDPC_MCP_HOST',
    def: '127.0.0.1',
    doc: 'HTTP: address to listen on; anything but loopback needs CLOUDPC_MCP_HTTP_AUTH=entra.',
  },
  {
    flag: '--port',
    env: 'CLOUDPC_MCP_PORT',
    ...int(DEFAULT_PORT, 0, 65_535),
    doc: 'HTTP: port to listen on (0 picks a free one and logs it).',
  },
  {
    flag: '--public-url',
    env: 'CLOUDPC_MCP_PUBLIC_URL',
    def: '(http://<host>:<port>)',
    doc: 'HTTP: the https URL clients use (behind a proxy or ingress); names the protected resource and is an allowed Origin. Required for entra off loopback.',
  },
  {
    flag: '--allowed-origins',
    env: 'CLOUDPC_MCP_ALLOWED_ORIGINS',
    def: '(none)',
    doc: "HTTP: browser origins allowed besides the server's own (comma list, no wildcard); any other Origin gets 403.",
  },
  {
    flag: '--max-body-bytes',
    env: 'CLOUDPC_MCP_MAX_BODY_BYTES',
    ...int(1_048_576, 1_024, 67_108_864),
    doc: 'HTTP: largest request body accepted; larger ones get 413.',
  },
  {
    flag: '--headers-timeout-ms',
    env: 'CLOUDPC_MCP_HEADERS_TIMEOUT_MS',
    ...int(15_000, 1_000, 600_000),
    doc: 'HTTP: a connection whose request headers have not all arrived this long after it opened (or after the request began) is closed with 408.',
  },
  {
    flag: '--body-timeout-ms',
    env: 'CLOUDPC_MCP_BODY_TIMEOUT_MS',
    ...int(30_000, 1_000, 600_000),
    doc: 'HTTP: a request whose body has not all arrived this long after it began is closed with 408; at least the headers timeout.',
  },
  {
    flag: '--max-connections',
    env: 'CLOUDPC_MCP_MAX_CONNECTIONS',
    ...int(512, 1, 100_000),
    doc: 'HTTP: open connections at most; one more is closed as soon as it opens (add replicas for more).',
  },
  {
    flag: '--rate-limit-per-minute',
    env: 'CLOUDPC_MCP_RATE_LIMIT_PER_MINUTE',
    ...int(60, 0, 100_000),
    doc: 'HTTP: tool calls per minute per caller (tenant + user; one budget without sign-in); more get 429 with Retry-After. 0: no limit.',
  },
  {
    flag: '--rate-limit-burst',
    env: 'CLOUDPC_MCP_RATE_LIMIT_BURST',
    ...int(20, 1, 100_000),
    doc: 'HTTP: tool calls a caller may make in a burst before the per-minute rate applies.',
  },
  {
    flag: '--trusted-proxy-hops',
    env: 'CLOUDPC_MCP_TRUSTED_PROXY_HOPS',
    ...int(0, 0, 10),
    doc: "HTTP: proxies in front of the server whose X-Forwarded-For entries are trusted; the approval page's per-address limits count the address that many hops back. 0: the connection's address.",
  },
  {
    flag: null,
    env: 'CLOUDPC_MCP_REDIS_URL',
    def: '(unset: state in memory)',
    doc: 'HTTP: redis:// or rediss:// URL (with password for access keys) of the Redis that replicas share plans, approvals and rate budgets through: one endpoint, or any node of a Redis Cluster (found on connect; docs/remote.md). Environment only.',
  },
  {
    flag: '--redis-auth',
    env: 'CLOUDPC_MCP_REDIS_AUTH',
    def: 'password',
    doc: `HTTP: how the server signs in to Redis: ${REDIS_AUTH_MODES.join(', ')} (a Microsoft Entra token of the server's own Azure identity, e.g. its managed identity).`,
  },
  {
    flag: '--redis-key-prefix',
    env: 'CLOUDPC_MCP_REDIS_KEY_PREFIX',
    def: DEFAULT_REDIS_KEY_PREFIX,
    doc: 'HTTP: prefix of every Redis key, so one cache can serve several deployments (no open "{" or empty "{}": keys that change together share a hash tag).',
  },
  {
    flag: '--shutdown-grace-ms',
    env: 'CLOUDPC_MCP_SHUTDOWN_GRACE_MS',
    ...int(25_000, 0, 600_000),
    doc: 'HTTP: on SIGTERM, how long calls in flight may run before the process exits.',
  },
  {
    flag: '--http-auth',
    env: 'CLOUDPC_MCP_HTTP_AUTH',
    def: 'none',
    doc: "HTTP: none (loopback only, the server's own credential) or entra (Entra access tokens; Graph called on behalf of each user).",
  },
  {
    flag: '--entra-audience',
    env: 'CLOUDPC_MCP_ENTRA_AUDIENCE',
    def: '(api://<client-id>)',
    doc: "entra: Application ID URI of the server's app registration; tokens for it or for its client id are accepted.",
  },
  {
    flag: '--entra-scope',
    env: 'CLOUDPC_MCP_ENTRA_SCOPE',
    def: DEFAULT_ENTRA_SCOPE,
    doc: 'entra: delegated scope every caller token must carry (403 otherwise).',
  },
  {
    flag: '--entra-issuer',
    env: 'CLOUDPC_MCP_ENTRA_ISSUER',
    def: '(<authority>/<tenant-id>/v2.0)',
    doc: 'entra: expected token issuer (v2 tokens).',
  },
  {
    flag: '--entra-jwks-url',
    env: 'CLOUDPC_MCP_ENTRA_JWKS_URL',
    def: '(<authority>/<tenant-id>/discovery/v2.0/keys)',
    doc: 'entra: where the token signing keys are published.',
  },
  {
    flag: '--obo-timeout-ms',
    env: 'CLOUDPC_MCP_OBO_TIMEOUT_MS',
    ...int(15_000, 1_000, 300_000),
    doc: "entra: deadline of one on-behalf-of token exchange; the user's next call starts a fresh one.",
  },
  {
    flag: '--entra-allowed-clients',
    env: 'CLOUDPC_MCP_ENTRA_ALLOWED_CLIENTS',
    def: '(any client app)',
    doc: 'entra: application (client) ids whose tokens are accepted (azp/appid claim; comma list); a token from another app gets 403.',
  },
  {
    flag: null,
    env: 'AZURE_CLIENT_SECRET',
    def: '(unset)',
    doc: 'Client secret of the app registration (environment sign-in; entra: the on-behalf-of exchange). Environment only.',
  },
  {
    flag: null,
    env: 'AZURE_CLIENT_CERTIFICATE_PATH',
    def: '(unset)',
    doc: 'PEM certificate with private key, instead of a client secret.',
  },
];

const BY_ENV = new Map(SETTINGS.map((s) => [s.env, s]));

export function settingOf(env: string): Setting {
  const s = BY_ENV.get(env);
  if (!s) throw new Error(`no setting ${env} in the settings table`);
  return s;
}

/** How messages name a setting: `CLOUDPC_MCP_CLOUD (--cloud)`. */
export function labelOf(env: string): string {
  const s = settingOf(env);
  return s.flag ? `${s.env} (${s.flag})` : s.env;
}
