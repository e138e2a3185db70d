// DNS-rebinding defence. A web page can make a browser send requests to 127.0.0.1 under the page's own host name;
// such a request carries that foreign name in Host and the page's Origin. The MCP specification requires Origin to
// be validated (403 when present and not allowed); on loopback binds the Host name is checked too, since that is
// where an unauthenticated server is reachable by such a page. A refusal echoes the header bounded and redacted.
import { LOOPBACK_HOSTNAMES, loopbackOrigins } from '../../config/http.js';
import { headerForLog } from '../../core/log.js';

export interface OriginPolicy {
  /** Checks Host as well: set for loopback binds. */
  loopback: boolean;
  /** Exact origins allowed, e.g. the public URL's origin and http://127.0.0.1:<port>. */
  origins: ReadonlySet<string>;
  /** Host header values (host[:port], lower case) allowed besides loopback names. */
  hosts: ReadonlySet<string>;
}

export function buildOriginPolicy(opts: {
  loopback: boolean;
  port: number;
  publicUrl: string;
  allowedOrigins: readonly string[];
}): OriginPolicy {
  const origins = new Set<string>([new URL(opts.publicUrl).origin, ...opts.allowedOrigins]);
  if (opts.loopback) {
    // The server's own loopback origins: a page the server itself could serve, and what local tools send.
    for (const origin of loopbackOrigins(opts.port)) origins.add(origin);
  }
  return { loopback: opts.loopback, origins, hosts: new Set([new URL(opts.publicUrl).host.toLowerCase()]) };
}

export type OriginVerdict = { ok: true } | { ok: false; message: string };

export function checkOrigin(
  headers: { host?: string | undefined; origin?: string | string[] | undefined },
  policy: OriginPolicy,
): OriginVerdict {
  const origin = headers.origin;
  if (origin !== undefined) {
    const value = Array.isArray(origin) ? origin.join(',') : origin;
    if (!policy.origins.has(value)) {
      return {
        ok: false,
        message: `Origin ${JSON.stringify(headerForLog(value))} is not allowed. Browser clients must be served from an allowed origin (CLOUDPC_MCP_ALLOWED_ORIGINS).`,
      };
    }
  }
  if (policy.loopback) {
    const host = (headers.host ?? '').toLowerCase();
    let hostname: string | undefined;
    try {
      hostname = host ? new URL(`http://${host}`).hostname : undefined;
    } catch {
      hostname = undefined;
    }
    if (!hostname || !(LOOPBACK_HOSTNAMES.includes(hostname) || policy.hosts.has(host))) {
      return {
        ok: false,
        message: `Host ${JSON.stringify(headerForLog(headers.host ?? ''))} is not this server: it listens on loopback and answers only to localhost, 127.0.0.1 or [::1].`,
      };
    }
  }
  return { ok: true };
}
