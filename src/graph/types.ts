// Contracts shared by the Graph client, the auth layer, the tools and the simulator.

export interface AccessToken {
  token: string;
  /** Epoch milliseconds at which the token stops being valid. */
  expiresOnTimestamp: number;
}

/** Supplies a Graph bearer token; implementations cache and refresh, so a burst of calls costs one token request. */
export interface TokenProvider {
  getToken(signal?: AbortSignal): Promise<string>;
  /**
   * A token that getToken would return at once (fresh, cached), or undefined. With one at hand a request goes out
   * without first yielding to the event loop, ahead of whatever else was queued.
   */
  readyToken?(): string | undefined;
  /** Short description for logs and results, e.g. "Azure CLI (delegated)". Never contains secrets. */
  readonly description: string;
  /** True when tokens act as a signed-in user; false for app-only credentials (which cannot retry). */
  readonly delegated: boolean;
}

export type HttpMethod = 'GET' | 'POST';

export interface ThrottleNotice {
  /** 1-based number of the attempt that was throttled. */
  attempt: number;
  status: number;
  /** How long the client will wait before the next attempt. */
  waitMs: number;
}

export interface GraphRequest {
  method: HttpMethod;
  /**
   * Path below the versioned root, starting with '/', already encoded, e.g.
   * '/deviceManagement/virtualEndpoint/bulkActions/{id}/retry'. Callers build it with `graphPath`.
   */
  path: string;
  /** Query parameters (OData $select, $filter, …); encoded by the client. */
  query?: Record<string, string>;
  /** JSON body; sent with Content-Type: application/json. */
  body?: unknown;
  /** Extra request headers (e.g. Prefer, ConsistencyLevel). Authorization and client-request-id are set by the client. */
  headers?: Record<string, string>;
  /** Aborts the request (and any throttling wait) at once: wired to MCP cancellation. */
  signal?: AbortSignal;
  /** Called before each throttling wait, so the tool can send MCP progress notifications. */
  onThrottle?: (notice: ThrottleNotice) => void;
}

export interface GraphResponse<T = unknown> {
  status: number;
  /** Parsed JSON body, or undefined when the response had none (202, 204). */
  body: T | undefined;
  /** Graph's `request-id` response header. */
  requestId?: string;
  /** The `client-request-id` this client generated and sent. */
  clientRequestId: string;
  /** The response `Date` header as ISO 8601, or the local time the response arrived if absent. */
  date: string;
  /** Number of attempts made (1 when no throttling retry happened). */
  attempts: number;
}

/** A GET by absolute URL, used to follow @odata.nextLink; the client refuses links outside its own Graph root. */
export interface GraphNextLinkRequest {
  url: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onThrottle?: (notice: ThrottleNotice) => void;
}

export const GRAPH_VERSION = 'beta';

/** Builds a path from literal segments and parameters; each parameter is percent-encoded so it can never add a segment or a query. */
export function graphPath(strings: TemplateStringsArray, ...params: string[]): string {
  let out = strings[0] ?? '';
  params.forEach((p, i) => {
    out += encodeURIComponent(p) + (strings[i + 1] ?? '');
  });
  return out;
}
