// Plays the person's browser on the approval page over real HTTP (node:http, so a test can also forge Host and Origin
// the way a hostile page or a DNS-rebinding attack would): follow the one-time link, read the page, post a decision.
import { raw, type RawResponse } from './http-server.js';

export type HttpAnswer = RawResponse;

/** A GET unless told otherwise: what a browser sends when it follows a link. */
export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpAnswer> {
  return raw(url, { method: 'GET', ...opts });
}

export interface OpenPage {
  url: string;
  origin: string;
  cookie: string;
  csrf: string;
  html: string;
}

/** Opens the one-time link as a browser would: the token is traded for a cookie, then the page loads. */
export async function openLink(link: string): Promise<OpenPage> {
  const first = await request(link);
  if (first.status !== 303) throw new Error(`the link answered ${first.status}: ${first.body.slice(0, 300)}`);
  const cookie = String(first.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
  const url = new URL(first.headers.location!, link).toString();
  const page = await request(url, { headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return { url, origin: new URL(link).origin, cookie, csrf, html: page.body };
}

export function decide(
  page: OpenPage,
  decision: 'approve' | 'decline',
  forge: { origin?: string | null; csrf?: string | null; host?: string } = {},
): Promise<HttpAnswer> {
  const form = new URLSearchParams({ decision });
  const csrf = forge.csrf === undefined ? page.csrf : forge.csrf;
  if (csrf !== null) form.set('csrf', csrf);
  const origin = forge.origin === undefined ? page.origin : forge.origin;
  return request(page.url, {
    method: 'POST',
    headers: {
      cookie: page.cookie,
      'content-type': 'application/x-www-form-urlencoded',
      ...(origin !== null ? { origin } : {}),
      ...(forge.host ? { host: forge.host } : {}),
    },
    body: form.toString(),
  });
}

/** The first approval link in a stream of log messages. */
export function linkIn(logs: readonly string[]): string | undefined {
  for (const l of logs) {
    const m = /(https?:\/\/[^\s]+\/approve\/plan-[0-9a-f]{32}(?:\?token=[\w%-]+)?)/.exec(l);
    if (m) return m[1];
  }
  return undefined;
}

export async function waitFor<T>(get: () => T | undefined, what: string, ms = 20_000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    const v = get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
