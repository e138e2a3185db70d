// MSAL reports some Entra errors by their short code only: a device code that Entra refuses with
// "AADSTS65001: … not consented" reaches us as "post_request_failed: invalid_grant", and @azure/identity replaces
// the reason a silent refresh failed with "Automatic authentication has been disabled". The AADSTS number is what
// tells the user the fix, so a pipeline policy on the credential's HTTP client keeps the last error Entra sent.
// Only `error`, the error codes and the description are kept: Entra error bodies carry no tokens.

/** The shape of an @azure/core-rest-pipeline policy, without depending on that package's types directly. */
export interface ResponsePolicy {
  name: string;
  sendRequest<Req, Res extends { status: number; bodyAsText?: string | null }>(request: Req, next: (request: Req) => Promise<Res>): Promise<Res>;
}

export interface EntraError {
  status: number;
  /** OAuth error, e.g. invalid_grant, authorization_declined. */
  error: string;
  /** First line of error_description, e.g. "AADSTS65001: The user or administrator has not consented …". */
  description: string;
}

export interface EntraErrorCapture {
  /** Add to the credential's options: `additionalPolicies: [capture.policy]`. */
  readonly policy: { policy: ResponsePolicy; position: 'perCall' };
  /** A position to ask `since` about later. */
  mark(): number;
  /** The last error Entra sent after `mark`, if any. */
  since(mark: number): EntraError | undefined;
}

// The device code flow polls with these until the user acts; they are not failures.
const NOT_FAILURES = new Set(['authorization_pending', 'slow_down']);

export function createEntraErrorCapture(): EntraErrorCapture {
  let seq = 0;
  let last: { seq: number; error: EntraError } | undefined;
  const policy: ResponsePolicy = {
    name: 'cloudpc-mcp-entra-errors',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status >= 400 && response.bodyAsText) {
        const error = parseEntraError(response.status, response.bodyAsText);
        if (error && !NOT_FAILURES.has(error.error)) last = { seq: ++seq, error };
      }
      return response;
    },
  };
  return {
    policy: { policy, position: 'perCall' },
    mark: () => seq,
    since: (mark) => (last && last.seq > mark ? last.error : undefined),
  };
}

export function parseEntraError(status: number, body: string): EntraError | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r['error'] !== 'string') return undefined;
  const description = typeof r['error_description'] === 'string' ? (r['error_description'].split(/\r?\n/)[0] ?? '').trim() : '';
  return { status, error: r['error'], description };
}

/** "invalid_grant: AADSTS65001: …", for appending to an error message. */
export function formatEntraError(e: EntraError): string {
  return e.description ? `${e.error}: ${e.description}` : e.error;
}

/** The same error with what Entra said appended, so toAuthError can find the AADSTS code. Keeps the error's name. */
export function withEntraDetail(err: unknown, e: EntraError | undefined): unknown {
  if (!e || !(err instanceof Error)) return err;
  const text = formatEntraError(e);
  if (err.message.includes(text)) return err;
  const out = new Error(`${err.message} (${text})`, { cause: err });
  out.name = err.name;
  return out;
}
