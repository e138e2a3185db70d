// MSAL reports some Entra errors by their short code only: a device code that Entra refuses with
// "AADSTS65001: … not consented" reaches us as "post_request_failed: invalid_grant", and @azure/identity replaces
// the reason a silent refresh failed with "Automatic authentication has been disabled". The AADSTS number is what
// tells the user the fix, so a pipeline policy on the credential's HTTP client keeps the last error Entra sent.
// Only `error`, the error codes and the description are kept: Entra error bodies carry no tokens. The same policy notes a
// request that got no answer from Entra at all (refused, DNS, TLS, a proxy asking for credentials), which MSAL reports
// only as "endpoints_resolution_error" or "network_error", so the user hears "could not reach" instead of a guess.

import { shownProxyValue, type ProxyEnv } from '../../graph/proxy.js';

/** The shape of an @azure/core-rest-pipeline policy, without depending on that package's types directly. */
export interface ResponsePolicy {
  name: string;
  sendRequest<Req, Res extends { status: number; bodyAsText?: string | null }>(
    request: Req,
    next: (request: Req) => Promise<Res>,
  ): Promise<Res>;
}

export interface EntraError {
  status: number;
  /** OAuth error, e.g. invalid_grant, authorization_declined. */
  error: string;
  /** First line of error_description, e.g. "AADSTS65001: The user or administrator has not consented …". */
  description: string;
}

/** A sign-in request that got no answer from Entra. */
export interface TransportFailure {
  /** Node or undici error code, e.g. ECONNREFUSED, ENOTFOUND, SELF_SIGNED_CERT_IN_CHAIN. */
  code?: string;
  /** A proxy answered in Entra's place with this status (407: it wants credentials). */
  proxyStatus?: number;
}

/** The credential's error, kept as the cause, for a sign-in that never reached Entra. */
export class SignInUnreachableError extends Error {
  override readonly name = 'SignInUnreachableError';

  constructor(
    cause: unknown,
    readonly failure: TransportFailure,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

export interface EntraErrorCapture {
  /** Add to the credential's options: `additionalPolicies: [capture.policy]`. */
  readonly policy: { policy: ResponsePolicy; position: 'perCall' };
  /** A position to ask `since` about later. */
  mark(): number;
  /** The last error Entra sent after `mark`, if any. */
  since(mark: number): EntraError | undefined;
  /**
   * The credential's error with what the wire said since `mark`: Entra's error appended (withEntraDetail), or, when
   * Entra never answered, a SignInUnreachableError.
   */
  explain(err: unknown, mark: number): unknown;
}

// The device code flow polls with these until the user acts; they are not failures.
const NOT_FAILURES = new Set(['authorization_pending', 'slow_down']);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown })?.code ?? (err as { cause?: { code?: unknown } })?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

export function createEntraErrorCapture(): EntraErrorCapture {
  let seq = 0;
  let last: { seq: number; error: EntraError } | undefined;
  let lost: { seq: number; failure: TransportFailure } | undefined;
  const policy: ResponsePolicy = {
    name: 'cloudpc-mcp-entra-errors',
    async sendRequest(request, next) {
      let response;
      try {
        response = await next(request);
      } catch (err) {
        // A cancelled request is the caller's doing, not the network's.
        if ((err as Error)?.name !== 'AbortError') {
          const code = codeOf(err);
          lost = { seq: ++seq, failure: code ? { code } : {} };
        }
        throw err;
      }
      // The proxy's own answer to the tunnel request, passed on as if it came from Entra (https-proxy-agent does so).
      if (response.status === 407) lost = { seq: ++seq, failure: { proxyStatus: 407 } };
      else if (response.status >= 400 && response.bodyAsText) {
        const error = parseEntraError(response.status, response.bodyAsText);
        if (error && !NOT_FAILURES.has(error.error)) last = { seq: ++seq, error };
      }
      return response;
    },
  };
  const since = (mark: number) => (last && last.seq > mark ? last.error : undefined);
  return {
    policy: { policy, position: 'perCall' },
    mark: () => seq,
    since,
    explain(err, mark) {
      const entra = since(mark);
      if (entra) return withEntraDetail(err, entra);
      if ((err as Error)?.name === 'AbortError') return err;
      return lost && lost.seq > mark ? new SignInUnreachableError(err, lost.failure) : err;
    },
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

// A sign-in that never got an answer from Entra: what that looks like in an identity library's error, and how it is
// said. The same words for local sign-in and the on-behalf-of exchange: "could not reach <authority>: check the network
// and HTTPS_PROXY", with the reason when it is known, and never "choose another method" (another method would meet the
// same network).
const NETWORK_CODES =
  /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|REQUEST_SEND_ERROR|UND_ERR_CONNECT_TIMEOUT|UND_ERR_SOCKET)$/;
const TLS_CODES =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID)$/;
// Codes and wordings seen in messages when the code itself was lost on the way (MSAL's network_error included).
const NETWORK_TEXT = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|network_error|getaddrinfo)\b/;
const TLS_TEXT =
  /\b(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED)\b|self[- ]signed certificate/;

/** The transport failure behind an identity error, or undefined when Entra (or nothing network-shaped) is to blame. */
export function unreachableFailure(err: unknown, text: string): TransportFailure | undefined {
  if (err instanceof SignInUnreachableError) return err.failure;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && (NETWORK_CODES.test(code) || TLS_CODES.test(code))) return { code };
  const named = NETWORK_TEXT.exec(text)?.[1] ?? TLS_TEXT.exec(text)?.[1];
  if (named) return { code: named };
  return TLS_TEXT.test(text) ? { code: 'SELF_SIGNED_CERT_IN_CHAIN' } : undefined;
}

function reasonFor(failure: TransportFailure): string | undefined {
  if (failure.proxyStatus === 407) return 'the proxy asks for credentials (HTTP 407)';
  const code = failure.code ?? '';
  if (TLS_CODES.test(code)) return `its TLS certificate is not trusted (${code})`;
  if (/^(ENOTFOUND|EAI_AGAIN)$/.test(code)) return `its name does not resolve (${code})`;
  if (code === 'ECONNREFUSED') return 'the connection was refused';
  if (/TIMEOUT|ETIMEDOUT/.test(code)) return `the connection timed out (${code})`;
  return code ? code : undefined;
}

function extraFix(failure: TransportFailure): string {
  if (failure.proxyStatus === 407)
    return ' Give the proxy credentials in the proxy URL: HTTPS_PROXY=http://user:password@host:port (percent-encode special characters).';
  if (TLS_CODES.test(failure.code ?? ''))
    return ' A proxy that inspects TLS needs its root certificate in NODE_EXTRA_CA_CERTS (a PEM file; read at start).';
  return '';
}

// The order @azure/identity's HTTP pipeline reads them in for sign-in requests.
const SIGN_IN_PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'HTTP_PROXY', 'http_proxy'] as const;

function proxyNote(env: ProxyEnv): string {
  for (const variable of SIGN_IN_PROXY_VARIABLES) {
    const value = env[variable]?.trim();
    if (value) return `${variable} is ${shownProxyValue(value)}`;
  }
  return 'no proxy is set';
}

/** "could not reach <host>: check the network and HTTPS_PROXY (…)." with the reason and the fix a known reason calls for. */
export function unreachableText(host: string, failure: TransportFailure, env: ProxyEnv): string {
  const reason = reasonFor(failure);
  return `could not reach ${host}: check the network and HTTPS_PROXY (${proxyNote(env)}).${reason ? ` The connection failed: ${reason}.` : ''}${extraFix(failure)}`;
}
