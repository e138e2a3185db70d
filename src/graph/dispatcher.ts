// The Graph connection pools. One keep-alive Agent per process (remote mode shares it across callers), created through
// undici's public API only.
import { Agent, type Dispatcher } from 'undici';

/**
 * Idle sockets are dropped well before typical front-door idle limits, so a reused socket is rarely reset under a
 * POST (which would leave the retry in doubt).
 */
export const GRAPH_AGENT_OPTIONS = { keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connect: { timeout: 10_000 } } as const;

/** Connections per origin: one client (stdio) needs few; remote mode serves many callers at once. */
export const GRAPH_CONNECTIONS = { stdio: 16, remote: 64 } as const;

export function createGraphAgent(connections: number): Dispatcher {
  return new Agent({ ...GRAPH_AGENT_OPTIONS, connections });
}
