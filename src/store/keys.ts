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
