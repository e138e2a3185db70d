// Which proxy, if any, carries requests to a given URL: HTTPS_PROXY / HTTP_PROXY and NO_PROXY, read the way curl reads
// them, so an admin's proxy settings mean here what they mean to every other tool on the machine. Pure: the
// environment comes in as a parameter, and nothing here opens a connection.
//
// Why not undici's EnvHttpProxyAgent: its NO_PROXY differs from curl's where it matters on real networks. It never
// matches CIDR ranges ("10.0.0.0/8"), keeps the brackets of an IPv6 host so "::1" never matches it, and reads
// "host:port" entries that curl treats as plain names. The choice is made here instead, and the pool in dispatcher.ts
// is undici's public Agent or ProxyAgent.
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export type ProxyEnv = Readonly<Record<string, string | undefined>>;

export interface ProxyChoice {
  kind: 'proxy';
  /** The proxy as configured, credentials included: for the connection only, never for text. */
  url: URL;
  /** scheme://host:port, never credentials: what messages and logs may show. */
  shown: string;
  /** The environment variable it came from, e.g. HTTPS_PROXY or https_proxy. */
  variable: string;
}

export type ProxyRoute =
  | ProxyChoice
  /** why: said in debug logs, e.g. 'no proxy is set' or 'NO_PROXY lists .corp.example'. */
  | { kind: 'direct'; why: string }
  /** The variable that would apply holds something that is not a usable proxy URL. */
  | { kind: 'invalid'; variable: string; problem: string };

// Lower case first, as curl and undici read them. An https URL falls back to HTTP_PROXY, as sign-in (@azure/identity)
// and undici do, so a machine with only HTTP_PROXY set still reaches Graph through it.
const VARIABLES: Readonly<Record<string, readonly string[]>> = {
  'https:': ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'],
  'http:': ['http_proxy', 'HTTP_PROXY'],
};

const DEFAULT_PORT: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/** The proxy variable that applies to a URL with this scheme, if any is set (an empty value counts as unset). */
export function proxyVariable(protocol: string, env: ProxyEnv): { variable: string; value: string } | undefined {
  for (const variable of VARIABLES[protocol] ?? []) {
    const value = env[variable]?.trim();
    if (value) return { variable, value };
  }
  return undefined;
}

/** NO_PROXY as curl reads it: the lower-case variable wins, even when empty. */
export function noProxyValue(env: ProxyEnv): string {
  return env['no_proxy'] ?? env['NO_PROXY'] ?? '';
}

/** A proxy URL from a variable's value, or what is wrong with it. A value without a scheme means http://, as in curl. */
export function parseProxyUrl(value: string): URL | string {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL; give the proxy as http://host:port (or http://user:password@host:port)';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `uses ${url.protocol.replace(/:$/, '')}://, which Graph requests cannot use; give an http:// or https:// proxy`;
  }
  if (!url.hostname) return 'names no host; give the proxy as http://host:port';
  return url;
}

/** scheme://host:port of a proxy URL: the only part of it any message or log shows. */
export function shownProxy(url: URL): string {
  return `${url.protocol}//${url.hostname}:${url.port || DEFAULT_PORT[url.protocol] || ''}`;
}

/** A proxy variable's value as it may be shown: scheme://host:port, or a note that it is not a URL. */
export function shownProxyValue(value: string): string {
  const parsed = parseProxyUrl(value.trim());
  return typeof parsed === 'string' ? '(not a proxy URL)' : shownProxy(parsed);
}

/**
 * The NO_PROXY entry that exempts this URL's host, or undefined. As curl: "*" alone exempts everything; a name matches
 * itself and every name below it ("corp.example" and ".corp.example" both match "graph.corp.example", not
 * "notcorp.example"); an IP address matches an equal address or a CIDR range ("10.0.0.0/8", "fd00::/8"). Nothing is
 * exempt by being loopback: 127.0.0.1 and localhost go through the proxy unless listed.
 */
export function noProxyMatch(target: URL, noProxy: string): string | undefined {
  if (noProxy.trim() === '*') return '*';
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIPv4(host) ? 'ipv4' : isIPv6(host) ? 'ipv6' : undefined;
  for (const entry of noProxy.split(/[\s,]+/)) {
    if (!entry) continue;
    const hit = family ? addressMatches(host, family, entry) : nameMatches(host, entry);
    if (hit) return entry;
  }
  return undefined;
}

function nameMatches(host: string, entry: string): boolean {
  const name = host.replace(/\.$/, '').toLowerCase();
  const pattern = entry.replace(/\.$/, '').replace(/^\./, '').toLowerCase();
  return pattern !== '' && (name === pattern || name.endsWith(`.${pattern}`));
}

function addressMatches(host: string, family: 'ipv4' | 'ipv6', entry: string): boolean {
  // curl writes IPv6 entries bare ("::1"); a bracketed one is read the same.
  const [address = '', bits] = entry.replace(/^\[([^\]]*)\](?=\/|$)/, '$1').split('/');
  if (family === 'ipv4' ? !isIPv4(address) : !isIPv6(address)) return false;
  const list = new BlockList();
  const prefix = bits === undefined ? 0 : Number(bits);
  try {
    // As in curl, "/0" (or no prefix) means this one address.
    if (prefix > 0) list.addSubnet(address, prefix, family);
    else list.addAddress(address, family);
  } catch {
    return false;
  }
  return list.check(host, family);
}

/** How requests to `target` travel, given the environment. */
export function proxyRoute(target: string | URL, env: ProxyEnv): ProxyRoute {
  const url = typeof target === 'string' ? new URL(target) : target;
  const chosen = proxyVariable(url.protocol, env);
  if (!chosen) return { kind: 'direct', why: 'no proxy is set' };
  const exempt = noProxyMatch(url, noProxyValue(env));
  if (exempt !== undefined) return { kind: 'direct', why: `NO_PROXY lists ${exempt}` };
  const parsed = parseProxyUrl(chosen.value);
  if (typeof parsed === 'string') return { kind: 'invalid', variable: chosen.variable, problem: parsed };
  return { kind: 'proxy', url: parsed, shown: shownProxy(parsed), variable: chosen.variable };
}

/** The proxy variable that applies to `graphRoot`, when its value is unusable, as a configuration problem. */
export function proxyProblem(graphRoot: string, env: ProxyEnv): { setting: string; message: string } | undefined {
  const route = proxyRoute(graphRoot, env);
  // The value itself is not repeated: it may hold the proxy's password.
  return route.kind === 'invalid'
    ? { setting: route.variable, message: `${route.problem} (it applies to ${new URL(graphRoot).host}).` }
    : undefined;
}
