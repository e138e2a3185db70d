// A sign-in that never got an answer from Entra: what that looks like in an identity library's error, and how it is
// said. The same words for local sign-in and the on-behalf-of exchange: "could not reach <authority>: check the network
// and HTTPS_PROXY", with the reason when it is known, and never "choose another method" (another method would meet the
// same network).
import { shownProxyValue, type ProxyEnv } from '../graph/proxy.js';
import { SignInUnreachableError, type TransportFailure } from './serverErrors.js';

const NETWORK_CODES = /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|REQUEST_SEND_ERROR|UND_ERR_CONNECT_TIMEOUT|UND_ERR_SOCKET)$/;
const TLS_CODES = /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID)$/;
// Codes and wordings seen in messages when the code itself was lost on the way (MSAL's network_error included).
const NETWORK_TEXT = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|network_error|getaddrinfo)\b/;
const TLS_TEXT = /\b(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED)\b|self[- ]signed certificate/;

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
  if (failure.proxyStatus === 407) return ' Give the proxy credentials in the proxy URL: HTTPS_PROXY=http://user:password@host:port (percent-encode special characters).';
  if (TLS_CODES.test(failure.code ?? '')) return ' A proxy that inspects TLS needs its root certificate in NODE_EXTRA_CA_CERTS (a PEM file; read at start).';
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
