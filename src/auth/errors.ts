// Errors the auth layer throws. Messages are shown to the user as tool results, so each one names the method,
// says what happened and what to do, and never carries a token, secret or assertion.

import type { CloudInfo } from '../graph/clouds.js';
import { AUTH_ENV, AUTH_METHOD_INFO, DEFAULT_PUBLIC_CLIENT_ID, type AuthMethod } from './methods.js';
import type { SignInPrompt } from './types.js';

export type AuthErrorCode =
  | 'invalid_configuration'
  | 'sign_in_required'
  | 'sign_in_timeout'
  | 'sign_in_cancelled'
  | 'sign_in_failed'
  | 'interaction_required'
  | 'consent_required'
  | 'app_not_found'
  | 'tenant_not_found'
  | 'account_not_supported'
  | 'mfa_required'
  | 'conditional_access'
  | 'reauthentication_required'
  | 'invalid_client_credential'
  | 'federation_failed'
  | 'tool_not_installed'
  | 'not_signed_in'
  | 'credential_unavailable'
  | 'token_expired'
  | 'network'
  | 'unknown';

export class AuthError extends Error {
  override readonly name: string = 'AuthError';
  readonly code: AuthErrorCode;
  readonly method: Exclude<AuthMethod, 'auto'> | undefined;
  /** The AADSTS number found in the identity error, e.g. '65001'. */
  readonly aadsts: string | undefined;

  constructor(code: AuthErrorCode, message: string, opts: { method?: Exclude<AuthMethod, 'auto'>; aadsts?: string } = {}) {
    super(message);
    this.code = code;
    this.method = opts.method;
    this.aadsts = opts.aadsts;
  }
}

/**
 * Thrown by getToken when the user has to act (enter a device code, finish a browser sign-in). The sign-in keeps
 * running in the background: the tool should return `prompt.message` as its result, and the next call succeeds
 * once the user has completed it.
 */
export class SignInRequiredError extends AuthError {
  override readonly name = 'SignInRequiredError';
  readonly prompt: SignInPrompt;
  /** True when this prompt was already given out before and the user has not completed it yet. */
  readonly stillWaiting: boolean;

  constructor(prompt: SignInPrompt, stillWaiting: boolean, method?: Exclude<AuthMethod, 'auto'>) {
    super('sign_in_required', (stillWaiting ? 'Still waiting for sign-in. ' : '') + prompt.message, method ? { method } : {});
    this.prompt = prompt;
    this.stillWaiting = stillWaiting;
  }
}

/** Only the user can get a token now (first sign-in, or the saved one expired); thrown when asked not to prompt. */
export class InteractionRequiredError extends AuthError {
  override readonly name = 'InteractionRequiredError';

  constructor(message: string, method?: Exclude<AuthMethod, 'auto'>) {
    super('interaction_required', message, method ? { method } : {});
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

export interface AuthErrorContext {
  method: Exclude<AuthMethod, 'auto'>;
  cloud: CloudInfo;
  authorityHost: string;
  tenantId?: string;
  clientId?: string;
  scope?: string;
  /** Exact values to scrub from messages (operator token, client secret, …). */
  secrets?: readonly string[];
}

/** Wraps anything a credential threw; AbortErrors and AuthErrors pass through unchanged. */
export function toAuthError(err: unknown, ctx: AuthErrorContext): Error {
  if (err instanceof AuthError || isAbortError(err)) return err as Error;
  const e = err instanceof Error ? err : new Error(String(err));
  const raw = collectText(e);
  const detail = scrub(firstLines(raw), ctx.secrets ?? []);
  const label = AUTH_METHOD_INFO[ctx.method].label;
  const aadsts = /AADSTS(\d{5,7})/.exec(raw)?.[1];
  const mapped = aadsts ? mapAadsts(aadsts, ctx) : undefined;
  const [code, what, fix] = mapped ?? mapOther(e, raw, ctx);
  const parts = [`${label}: ${what}`, fix, detail ? `Details: ${detail}` : ''].filter(Boolean);
  return new AuthError(code, parts.join(' '), aadsts ? { method: ctx.method, aadsts } : { method: ctx.method });
}

type Mapped = [AuthErrorCode, string, string];

// Wordings used by identity and by shells for a missing executable.
const NOT_INSTALLED = /could(?: not|n't) be found|not recognized|command not found|ENOENT/i;

function mapAadsts(n: string, ctx: AuthErrorContext): Mapped | undefined {
  const tenant = displayTenant(ctx.tenantId);
  const other = `or choose another method with ${AUTH_ENV.method}.`;
  switch (n) {
    case '65001':
    case '65004':
      return ['consent_required', n === '65004' ? 'consent was declined.' : 'the permission has not been consented in this tenant.', consentFix(ctx)];
    case '65002':
      return [
        'consent_required',
        "this tool's Microsoft app is not pre-authorized for the Cloud PC permissions.",
        `Use CLOUDPC_MCP_AUTH=devicecode or browser, which sign in through an app that can request them.`,
      ];
    case '700016':
      return [
        'app_not_found',
        `application ${ctx.clientId ?? '(default)'} was not found in tenant ${tenant}.`,
        `Check the client id and tenant, and that the app is registered in the ${ctx.cloud.label} cloud (registrations do not cross clouds); without a client id setting the default public client ${DEFAULT_PUBLIC_CLIENT_ID} is used.`,
      ];
    case '90002':
      return ['tenant_not_found', `tenant ${tenant} was not found in the ${ctx.cloud.label} cloud.`, 'Check the tenant id and the cloud setting.'];
    case '50020':
    case '90072':
    case '500200':
      return [
        'account_not_supported',
        'this account cannot sign in to the tenant (personal Microsoft accounts and accounts of other tenants are not supported).',
        'Sign in with a work or school account of the tenant that owns the Cloud PCs, or set the tenant id.',
      ];
    case '50059':
      return ['invalid_configuration', 'the tenant could not be determined from the sign-in.', 'Set the tenant id (a GUID or domain).'];
    case '50105':
      return [
        'account_not_supported',
        `your account is not assigned to application ${ctx.clientId ?? ''}.`.replace(' .', '.'),
        'Ask an administrator to assign you to the app or to turn off "Assignment required".',
      ];
    case '50076':
    case '50079':
    case '50158':
      return ['mfa_required', 'multi-factor authentication is required.', reSignInFix(ctx, 'and complete multi-factor authentication')];
    case '53000':
    case '53001':
    case '53003':
      return [
        'conditional_access',
        'sign-in was blocked by a Conditional Access policy.',
        ctx.method === 'devicecode'
          ? 'Many organizations block device code flow: use CLOUDPC_MCP_AUTH=browser on a machine with a browser, or ask an administrator (quote the Trace ID below).'
          : `Sign in from a device the policy allows, or ask an administrator which policy applied (quote the Trace ID below), ${other}`,
      ];
    case '50173':
    case '50133':
    case '70043':
    case '700082':
    case '700084':
      return ['reauthentication_required', 'the sign-in session expired or was revoked.', reSignInFix(ctx, 'again')];
    case '70020':
    case '70019':
      return ['sign_in_timeout', 'the sign-in code expired before it was used.', 'Call the tool again to get a new code.'];
    case '7000215':
    case '7000222':
    case '700027':
    case '50012':
      return [
        'invalid_client_credential',
        'the client secret or certificate was rejected (wrong value, expired, or the secret ID was used instead of its value).',
        'Check AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH for this app.',
      ];
    case '70021':
    case '700211':
    case '700213':
    case '700024':
      return [
        'federation_failed',
        'the federated token was rejected (no matching federated identity credential, or the token file is stale).',
        "Check the federated credential's issuer, subject and audience on the app registration, and AZURE_FEDERATED_TOKEN_FILE.",
      ];
    case '70011':
    case '500011':
      return [
        'invalid_configuration',
        `the scope ${ctx.scope ?? ''} was rejected.`.replace(' .', '.'),
        `Check the cloud setting: the token must be for Graph in the ${ctx.cloud.label} cloud (${ctx.cloud.scopeHost}).`,
      ];
    default:
      return undefined;
  }
}

function mapOther(e: Error, raw: string, ctx: AuthErrorContext): Mapped {
  const other = `or choose another method with ${AUTH_ENV.method}.`;
  const code = (e as { code?: unknown }).code;
  if (
    (typeof code === 'string' && /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|REQUEST_SEND_ERROR|UND_ERR_CONNECT_TIMEOUT)$/.test(code)) ||
    /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo/.test(raw)
  ) {
    return [
      'network',
      `could not reach ${ctx.method === 'managedidentity' ? 'the managed identity endpoint' : ctx.authorityHost}.`,
      'Check the network, proxy settings (HTTPS_PROXY) and the cloud/authority settings.',
    ];
  }
  if (/authorization_declined/.test(raw)) {
    return ['sign_in_cancelled', 'the sign-in was declined on the sign-in page.', 'Nothing was sent. Call the tool again for a new code if that was not intended.'];
  }
  if (/device_code_expired|expired_token|Device code is expired/i.test(raw)) {
    return ['sign_in_timeout', 'the sign-in code expired before it was used.', 'Call the tool again to get a new code.'];
  }
  if (/openid_config_error|endpoints_resolution_error|Could not (?:retrieve|resolve) endpoints/i.test(raw)) {
    return [
      'tenant_not_found',
      `${ctx.authorityHost} did not return sign-in endpoints for tenant ${displayTenant(ctx.tenantId)}.`,
      `Check the tenant id (AZURE_TENANT_ID), the cloud (CLOUDPC_MCP_CLOUD) and AZURE_AUTHORITY_HOST, ${other}`,
    ];
  }
  const unavailable = e.name === 'CredentialUnavailableError';
  switch (ctx.method) {
    case 'azurecli':
      if (NOT_INSTALLED.test(raw) || /az:.*not found/i.test(raw)) {
        return ['tool_not_installed', 'Azure CLI is not installed.', `Install it (https://aka.ms/azure-cli) and run \`${azLogin(ctx)}\`, ${other}`];
      }
      if (unavailable && /az login/i.test(raw)) {
        return ['not_signed_in', 'Azure CLI is not signed in.', `Run \`${azLogin(ctx)}\` on the machine running the server, ${other}`];
      }
      break;
    case 'azd':
      if (NOT_INSTALLED.test(raw)) {
        return ['tool_not_installed', 'Azure Developer CLI is not installed.', `Install it (https://aka.ms/azd-install) and run \`${azdLogin(ctx)}\`, ${other}`];
      }
      if (unavailable && /azd auth login/i.test(raw)) {
        return ['not_signed_in', 'Azure Developer CLI is not signed in.', `Run \`${azdLogin(ctx)}\` on the machine running the server, ${other}`];
      }
      break;
    case 'environment':
      if (unavailable) {
        return [
          'credential_unavailable',
          'the environment variables for a service principal are incomplete.',
          `Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH), ${other}`,
        ];
      }
      break;
    case 'workloadidentity':
      if (unavailable) {
        return [
          'credential_unavailable',
          'workload identity is not configured.',
          `Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE (AKS workload identity does this), ${other}`,
        ];
      }
      break;
    case 'managedidentity':
      if (unavailable) {
        return [
          'credential_unavailable',
          'no managed identity is available on this host.',
          `Managed identity works only on Azure compute with an identity assigned (AZURE_CLIENT_ID selects a user-assigned one), ${other}`,
        ];
      }
      break;
    default:
      break;
  }
  if (unavailable) return ['credential_unavailable', 'this sign-in method is not available here.', `Check its prerequisites, ${other}`];
  return ['sign_in_failed', 'sign-in failed.', `Try again, ${other}`];
}

/** Where a Global or Privileged Role Administrator grants the app's permissions for the whole tenant. */
export function adminConsentUrl(authorityHost: string, tenantId: string | undefined, clientId: string | undefined): string {
  // /common/ lets an administrator of any tenant consent when no tenant is configured.
  const tenant = !tenantId || /^(organizations|common)$/i.test(tenantId) ? 'common' : tenantId;
  return `${authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/adminconsent?client_id=${encodeURIComponent(clientId ?? DEFAULT_PUBLIC_CLIENT_ID)}`;
}

export function consentFix(ctx: Pick<AuthErrorContext, 'method' | 'authorityHost' | 'tenantId' | 'clientId'>): string {
  if (ctx.method === 'azurecli' || ctx.method === 'azd') {
    return "The developer CLI's Microsoft app cannot be given Cloud PC permissions: use CLOUDPC_MCP_AUTH=devicecode or browser.";
  }
  const clientId = ctx.clientId ?? DEFAULT_PUBLIC_CLIENT_ID;
  const url = adminConsentUrl(ctx.authorityHost, ctx.tenantId, clientId);
  const perm = 'CloudPC.ReadWrite.All (delegated)';
  if (clientId === DEFAULT_PUBLIC_CLIENT_ID) {
    return `An administrator must grant ${perm} to Microsoft Graph Command Line Tools once: run \`Connect-MgGraph -Scopes CloudPC.ReadWrite.All\` and tick "Consent on behalf of your organization", or open ${url}.`;
  }
  return `An administrator must grant ${perm} to app ${clientId}: list it under the app registration's API permissions and open ${url}.`;
}

function reSignInFix(ctx: AuthErrorContext, how: string): string {
  switch (ctx.method) {
    case 'azurecli':
      return `Run \`${azLogin(ctx)}\` ${how}.`;
    case 'azd':
      return `Run \`${azdLogin(ctx)}\` ${how}.`;
    case 'devicecode':
    case 'browser':
      return `Call the tool again to sign in ${how}.`;
    case 'token':
      return `Supply a fresh token in ${AUTH_ENV.accessToken}.`;
    default:
      return `Sign in ${how}, or choose another method with ${AUTH_ENV.method}.`;
  }
}

const AZ_CLOUD: Record<CloudInfo['name'], string> = {
  global: 'AzureCloud',
  usgov: 'AzureUSGovernment',
  usgovdod: 'AzureUSGovernment',
  china: 'AzureChinaCloud',
};

function azLogin(ctx: AuthErrorContext): string {
  const cloud = ctx.cloud.name === 'global' ? '' : `az cloud set --name ${AZ_CLOUD[ctx.cloud.name]} && `;
  return `${cloud}az login --tenant ${displayTenant(ctx.tenantId)}`;
}

function azdLogin(ctx: AuthErrorContext): string {
  const cloud = ctx.cloud.name === 'global' ? '' : `azd config set cloud.name ${AZ_CLOUD[ctx.cloud.name]} && `;
  return `${cloud}azd auth login --tenant-id ${displayTenant(ctx.tenantId)}`;
}

function displayTenant(tenantId: string | undefined): string {
  return tenantId && !/^(organizations|common)$/i.test(tenantId) ? tenantId : '<your-tenant-id>';
}

/** Message plus the error_description identity keeps on AuthenticationError, where AADSTS codes live. */
function collectText(e: Error): string {
  const resp = (e as { errorResponse?: { error?: unknown; errorDescription?: unknown } }).errorResponse;
  const extra = resp && typeof resp.errorDescription === 'string' && !e.message.includes(resp.errorDescription) ? ` ${resp.errorDescription}` : '';
  return `${e.message}${extra}`;
}

function firstLines(text: string): string {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).slice(0, 4).join(' ');
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const SECRET_PARAM = /\b(client_secret|client_assertion|assertion|access_token|refresh_token|id_token|password)(["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi;
const MAX_DETAIL = 600;

/** Removes tokens, assertions and known secret values from text that will be shown or logged. */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 6) out = out.split(s).join('[redacted]');
  }
  out = out.replace(JWT_LIKE, '[redacted-token]').replace(SECRET_PARAM, '$1$2[redacted]');
  return out.length > MAX_DETAIL ? `${out.slice(0, MAX_DETAIL)}…` : out;
}
