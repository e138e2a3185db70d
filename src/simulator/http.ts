// Response values and Graph-shaped errors. Handlers build a SimResponse instead of writing to the socket,
// so the fault layer can still decide to delay, truncate or drop it after the request was applied.

export interface RequestContext {
  requestId: string;
  clientRequestId?: string;
  /** Simulator clock at the moment the request arrived. */
  now: number;
  /** Simulator root, e.g. http://127.0.0.1:1234 (no trailing slash). */
  baseUrl: string;
  /** Set for POST /$batch: each part is recorded here as it is answered. */
  parts?: { id: string; method: string; path: string; status: number }[];
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class BadRequest extends GraphError {
  constructor(message: string) {
    super(400, 'BadRequest', message);
  }
}

/** Graph's innerError date has no fraction and no zone designator. */
export function graphDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export function errorBody(ctx: RequestContext, code: string, message: string): unknown {
  const innerError: Record<string, string> = { date: graphDate(ctx.now), 'request-id': ctx.requestId };
  if (ctx.clientRequestId !== undefined) innerError['client-request-id'] = ctx.clientRequestId;
  return { error: { code, message, innerError } };
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    headers: { 'content-type': JSON_CONTENT_TYPE, ...headers },
    body: Buffer.from(JSON.stringify(value), 'utf8'),
  };
}

export function empty(status: number, headers: Record<string, string> = {}): SimResponse {
  return { status, headers };
}

export function errorResponse(ctx: RequestContext, err: GraphError): SimResponse {
  return json(err.status, errorBody(ctx, err.code, err.message), err.headers);
}

const DEFAULT_CODES: Record<number, [string, string]> = {
  400: ['BadRequest', 'The request is malformed or incorrect.'],
  401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
  403: ['Forbidden', 'Access is denied to the requested resource. The user might not have enough permission.'],
  404: ['ResourceNotFound', 'The requested resource does not exist.'],
  405: ['MethodNotAllowed', 'The HTTP method is not allowed on the requested resource.'],
  409: ['Conflict', 'The current state conflicts with what the request expects.'],
  429: ['TooManyRequests', 'Too many requests. Retry after the interval given in the Retry-After header.'],
  500: ['InternalServerError', 'An internal server error occurred.'],
  502: ['BadGateway', 'The gateway received an invalid response.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Retry later.'],
  504: ['GatewayTimeout', 'The gateway did not receive a response in time.'],
};

/** A plausible Graph error for a status a fault asked for without giving a body. */
export function defaultErrorFor(status: number): [string, string] {
  return (
    DEFAULT_CODES[status] ??
    (status >= 500 ? ['InternalServerError', 'An internal server error occurred.'] : ['BadRequest', 'The request failed.'])
  );
}
