// Which address a request comes from, for per-address limits: the connection's, or, behind proxies the operator
// trusts (CLOUDPC_MCP_TRUSTED_PROXY_HOPS), the X-Forwarded-For entry that many hops back. Entries further left are
// written by the client itself and prove nothing, so they are never used.
import type { IncomingMessage } from 'node:http';

/** Pure: the client address from the connection's address, the X-Forwarded-For header(s) and the trusted hop count. */
export function clientAddressOf(remote: string | undefined, forwardedFor: string | string[] | undefined, trustedHops: number): string {
  const own = remote ?? 'unknown';
  if (trustedHops <= 0 || forwardedFor === undefined) return own;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // The last proxy appended the address it saw; trustedHops proxies mean the trustedHops-th entry from the right.
  return hops[hops.length - trustedHops] ?? hops[0] ?? own;
}

export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  return clientAddressOf(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedHops);
}
