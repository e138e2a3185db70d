// Names of what the store keeps, and the secrets it hands out. A sign-in's state starts with a tag of the client's
// address, so the Redis keys of one client's sign-ins share a hash slot and one script can bound them.
import { createHash, randomBytes } from 'node:crypto';

export function secret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A short, stable tag of a client address (not the address itself: the state travels through Entra and the browser). */
export function clientTag(client: string): string {
  return createHash('sha256').update(client).digest('hex').slice(0, 16);
}

export function newSignInState(client: string): string {
  return `${clientTag(client)}.${secret()}`;
}

/** The client tag a state was made with, or undefined for a state this server did not make. */
export function tagOfState(state: string): string | undefined {
  const m = /^([0-9a-f]{16})\.[\w-]{32}$/.exec(state);
  return m?.[1];
}

/** An expired plan is kept this long past its expiry (then forgotten), so a late call hears "expired", not "unknown". */
export const EXPIRED_KEPT_MS = 10 * 60_000;

/**
 * The Redis key names under a prefix. The keys one atomic step (a script, a MULTI) touches carry the same "{hash tag}":
 * a plan and its page token the plan id, one client's sign-ins its client tag; so on a Redis Cluster each step runs in
 * one slot, on one shard. Each key that stands alone (a session, a rate bucket) lives wherever its slot is.
 */
export function redisKeys(prefix: string) {
  return {
    channel: `${prefix}plan-events`,
    plan: (id: string) => `${prefix}plan:{${id}}`,
    pageToken: (id: string) => `${prefix}pagetoken:{${id}}`,
    session: (id: string) => `${prefix}session:${id}`,
    rate: (key: string) => `${prefix}rate:${key}`,
    /** A client's sign-ins (by the tag its states start with): each one's key is `each` + its state. */
    signIns: (tag: string) => ({
      each: `${prefix}signin:{${tag}}:`,
      index: `${prefix}signins:{${tag}}`,
      seq: `${prefix}signins-seq:{${tag}}`,
    }),
  };
}
