// What a Graph request is made of: the request target (path and query below the origin) built from a Graph path, or
// taken from an @odata.nextLink, and its headers. Pure: targets refuse anything that could leave the client's versioned
// Graph root, because the bearer token goes wherever the target points; headers keep what the client must control.

// A '.' or '..' segment, also spelled with %2e: the URL parser resolves both, which would climb out of /beta.
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?=\/|$)/i;
const UNSAFE_CHAR = /[?#\\\s\u0000-\u001f\u007f]/;

function unsafePath(path: string): boolean {
  return !path.startsWith('/') || path.startsWith('//') || UNSAFE_CHAR.test(path) || DOT_SEGMENT.test(path);
}

/**
 * The request target (path and query below the origin) of a Graph path, or undefined when the path could resolve
 * outside the versioned root. What unsafePath refuses is everything that lets a URL parser change the origin or
 * climb out of the prefix, so the result needs no second parse (a property test checks this against the URL parser).
 */
export function requestTarget(versionPathPrefix: string, path: unknown, query?: Record<string, string>): string | undefined {
  if (typeof path !== 'string' || unsafePath(path)) return undefined;
  return `${versionPathPrefix}${path.slice(1)}${encodeQuery(query)}`;
}

export function encodeQuery(query: Record<string, string> | undefined): string {
  if (!query) return '';
  // %20 rather than '+' for spaces: OData $filter parsers do not all read '+' as a space.
  const enc = (s: string) => encodeURIComponent(s).replace(/%24/g, '$');
  const parts = Object.entries(query).map(([k, v]) => `${enc(k)}=${enc(v)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export type NextLinkTarget =
  /** target: what goes on the request line; logPath: the path below the versioned root, for logs and errors. */
  | { ok: true; target: string; logPath: string }
  /** shownPath: what the refusal may name (the link's path, never its query or credentials). */
  | { ok: false; shownPath: string };

/** The request target of a nextLink, only when it lies inside `rootOrigin` + `versionPathPrefix` and carries no credentials. */
export function nextLinkTarget(rootOrigin: string, versionPathPrefix: string, url: string): NextLinkTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, shownPath: '(invalid url)' };
  }
  if (parsed.origin !== rootOrigin || !parsed.pathname.startsWith(versionPathPrefix) || parsed.username || parsed.password) {
    return { ok: false, shownPath: parsed.pathname };
  }
  return { ok: true, target: `${parsed.pathname}${parsed.search}`, logPath: parsed.pathname.slice(versionPathPrefix.length - 1) };
}

// Caller headers that would let a tool override what the client itself must control.
const RESERVED_HEADERS = new Set([
  'authorization',
  'client-request-id',
  'return-client-request-id',
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
]);

/** The headers of one attempt: the client's own, plus what the caller may add (Accept included: the report APIs answer JSON served as octet-stream). */
export function requestHeaders(
  own: { userAgent: string; clientRequestId: string; authorization: string; json: boolean },
  extra: Record<string, string> | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': own.userAgent,
    'client-request-id': own.clientRequestId,
    'return-client-request-id': 'true',
    authorization: own.authorization,
  };
  for (const [k, v] of Object.entries(extra ?? {})) {
    const name = k.toLowerCase();
    if (!RESERVED_HEADERS.has(name) && (name === 'accept' || !(name in headers))) headers[name] = v;
  }
  if (own.json) headers['content-type'] = 'application/json';
  return headers;
}
