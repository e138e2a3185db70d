// Remote mode's limits on what one connection or one caller may hold or spend: deadlines for a request to arrive, a
// cap on open connections, and each caller's budget of tool calls. Read here, from the settings table, so the HTTP
// settings parser (http.ts) stays about where and how the server listens.
import { labelOf } from './settings.js';
import type { ConfigProblem, SettingReader } from './values.js';

export interface HttpLimits {
  /** From a connection's opening (or a request's first byte) until all its headers have arrived. */
  headersTimeoutMs: number;
  /** From a request's first byte until all its body has arrived; never below headersTimeoutMs. */
  bodyTimeoutMs: number;
  maxConnections: number;
  /** Tool calls per minute per caller; 0: no limit. */
  rateLimitPerMinute: number;
  /** Tool calls a caller may make at once before the per-minute rate applies. */
  rateLimitBurst: number;
  /** Proxies in front whose X-Forwarded-For entries are trusted, to find a client's address. */
  trustedProxyHops: number;
}

export function readHttpLimits(r: SettingReader): HttpLimits {
  const limits: HttpLimits = {
    headersTimeoutMs: r.int('CLOUDPC_MCP_HEADERS_TIMEOUT_MS'),
    bodyTimeoutMs: r.int('CLOUDPC_MCP_BODY_TIMEOUT_MS'),
    maxConnections: r.int('CLOUDPC_MCP_MAX_CONNECTIONS'),
    rateLimitPerMinute: r.int('CLOUDPC_MCP_RATE_LIMIT_PER_MINUTE'),
    rateLimitBurst: r.int('CLOUDPC_MCP_RATE_LIMIT_BURST'),
    trustedProxyHops: r.int('CLOUDPC_MCP_TRUSTED_PROXY_HOPS'),
  };
  const problem = timeoutProblem(limits);
  if (problem) r.problems.push(problem);
  return limits;
}

/** The body deadline counts from the same moment as the headers deadline, so it cannot be the shorter one. */
function timeoutProblem({ headersTimeoutMs, bodyTimeoutMs }: HttpLimits): ConfigProblem | undefined {
  if (bodyTimeoutMs >= headersTimeoutMs) return undefined;
  return {
    setting: labelOf('CLOUDPC_MCP_BODY_TIMEOUT_MS'),
    message: `${bodyTimeoutMs} ms is shorter than the headers timeout of ${headersTimeoutMs} ms (CLOUDPC_MCP_HEADERS_TIMEOUT_MS); both count from the request's first byte, so give the body at least as long.`,
  };
}
