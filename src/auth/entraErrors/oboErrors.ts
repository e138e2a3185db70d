// A failed on-behalf-of exchange, said for the person who can fix it: the signed-in caller (sign in again) or the
// operator of the server (consent, credentials, certificate, network). AADSTS codes mean what aadsts.ts says, the same
// as for local sign-in. Never carries the assertion or the secret.
import type { EntraConfig } from '../../config/http.js';
import { findAadsts, AADSTS_ERROR_CODE, type AadstsMeaning } from './aadsts.js';
import { CERTIFICATE_FIX, CertificateFileError, certificateFailure } from '../credentials/certificateFile.js';
import { AuthError, type AuthErrorCode } from '../authErrors.js';
import { scrub } from './scrub.js';
import { unreachableFailure, unreachableText } from './serverErrors.js';

const PREFIX = 'On-behalf-of sign-in to Microsoft Graph failed:';

export function oboError(err: unknown, entra: EntraConfig, graphScope: string, secrets: readonly string[]): AuthError {
  const raw = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const aadsts = findAadsts(raw);
  const [code, text] = explain(err, raw, aadsts?.meaning, entra, graphScope.split('/').pop() ?? graphScope);
  // Our own certificate check already says everything; the library's words add to anything else.
  const detail = err instanceof CertificateFileError ? '' : ` Details: ${scrub(raw.split('\n')[0] ?? '', secrets)}`;
  return new AuthError(code, `${PREFIX} ${text}${detail}`, aadsts ? { aadsts: aadsts.number } : {});
}

/** The exchange got no answer within its deadline; the next call of that user starts a fresh one. */
export function oboDeadlineError(timeoutMs: number, entra: Pick<EntraConfig, 'authorityHost'>): AuthError {
  return new AuthError(
    'network',
    `${PREFIX} ${entra.authorityHost} did not answer within ${Math.round(timeoutMs / 1000)} s (CLOUDPC_MCP_OBO_TIMEOUT_MS). Nothing was sent to Graph. Try again; if it persists, the operator checks the network, HTTPS_PROXY and AZURE_AUTHORITY_HOST.`,
  );
}

function explain(
  err: unknown,
  raw: string,
  meaning: AadstsMeaning | undefined,
  entra: EntraConfig,
  permission: string,
): [AuthErrorCode, string] {
  const certificate = certificateFailure(err, entra.clientSecret ? undefined : entra.certificatePath);
  if (certificate) return ['invalid_certificate_file', `${certificate.message}. The operator fixes it: ${CERTIFICATE_FIX}`];
  if (meaning) return [AADSTS_ERROR_CODE[meaning], explainAadsts(meaning, entra, permission)];
  const unreachable = unreachableFailure(err, raw);
  if (unreachable)
    return ['network', `${unreachableText(entra.authorityHost, unreachable, process.env)} The operator also checks AZURE_AUTHORITY_HOST.`];
  return ['sign_in_failed', 'Entra refused the exchange. Try again; if it persists, the operator checks the server log.'];
}

const SIGN_IN_AGAIN = 'Sign out of the connection in the client and sign in again.';

/** What an AADSTS meaning is, and who fixes it how, for the on-behalf-of exchange. */
function explainAadsts(meaning: AadstsMeaning, entra: EntraConfig, permission: string): string {
  switch (meaning) {
    case 'consent_missing':
    case 'consent_declined':
    case 'app_not_preauthorized':
      return `the server's app registration (${entra.clientId}) has no consent for the delegated Microsoft Graph permission ${permission}. An administrator grants it once: Entra admin center → App registrations → the server app → API permissions → Grant admin consent.`;
    case 'mfa_required':
      return `Microsoft Graph requires multi-factor authentication, which the client's sign-in did not include. ${SIGN_IN_AGAIN}`;
    case 'conditional_access':
      return `a Conditional Access policy blocks this sign-in for Microsoft Graph. ${SIGN_IN_AGAIN} If it persists, an administrator checks which policy applied (quote the Trace ID).`;
    case 'session_expired':
    case 'code_expired':
      return `the sign-in has expired or was revoked. ${SIGN_IN_AGAIN}`;
    case 'credential_rejected':
      return "the server's client secret or certificate was rejected (wrong, expired, or the secret's ID given instead of its value). The operator fixes AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH.";
    case 'app_not_found':
      return `application ${entra.clientId} was not found in tenant ${entra.tenantId}. The operator checks AZURE_CLIENT_ID and AZURE_TENANT_ID.`;
    case 'tenant_not_found':
    case 'tenant_unknown':
      return `tenant ${entra.tenantId} was not found at ${entra.authorityHost}. The operator checks AZURE_TENANT_ID and the cloud.`;
    case 'account_not_supported':
    case 'user_not_assigned':
      return `this account may not use the server's app registration (${entra.clientId}) in tenant ${entra.tenantId}. An administrator assigns the user to the app, or the user signs in with an account of that tenant.`;
    case 'federation_rejected':
    case 'scope_rejected':
      return `Entra refused the exchange for Microsoft Graph (${permission}). The operator checks the app registration and the cloud setting.`;
  }
}
