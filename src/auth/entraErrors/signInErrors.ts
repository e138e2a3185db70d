// A local sign-in's failure (anything a credential threw) as an AuthError that names the method, says what happened
// and what to do. Entra's AADSTS codes mean what aadsts.ts says; this file says it to the person at the keyboard.
import type { CloudInfo } from '../../graph/clouds.js';
import type { ResolvedAuth } from '../resolveAuth.js';
import type { ProxyEnv } from '../../graph/proxy.js';
import { AADSTS_ERROR_CODE, findAadsts, type AadstsMeaning } from './aadsts.js';
import { CERTIFICATE_FIX, CertificateFileError, certificateFailure } from '../credentials/certificateFile.js';
import { AuthError, isAbortError, type AuthErrorCode } from '../authErrors.js';
import { AUTH_ENV, AUTH_METHOD_INFO, DEFAULT_PUBLIC_CLIENT_ID, type AuthMethod } from '../methods.js';
import { collectText, firstLines, scrub } from './scrub.js';
import { unreachableFailure, unreachableText } from './serverErrors.js';

export interface AuthErrorContext {
  method: Exclude<AuthMethod, 'auto'>;
  cloud: CloudInfo;
  authorityHost: string;
  tenantId?: string;
  clientId?: string;
  scope?: string;
  /** Exact values to scrub from messages (operator token, client secret, …). */
  secrets?: readonly string[];
  /** Where proxy variables are read, to name the proxy in a network failure. Default: none named. */
  env?: ProxyEnv;
  /** The client certificate the credential reads (environment sign-in without a secret). */
  certificatePath?: string;
}

type Mapped = [AuthErrorCode, string, string];

/** Wraps anything a credential threw; AbortErrors and AuthErrors pass through unchanged. */
export function toAuthError(err: unknown, ctx: AuthErrorContext): Error {
  if (err instanceof AuthError || isAbortError(err)) return err as Error;
  const e = err instanceof Error ? err : new Error(String(err));
  const raw = collectText(e);
  // Our own certificate check already says everything; the library's words add to anything else.
  const detail = e instanceof CertificateFileError ? '' : scrub(firstLines(raw), ctx.secrets ?? []);
  const label = AUTH_METHOD_INFO[ctx.method].label;
  const aadsts = findAadsts(raw);
  const [code, what, fix] = mapFailure(e, raw, aadsts?.meaning, ctx);
  const parts = [`${label}: ${what}`, fix, detail ? `Details: ${detail}` : ''].filter(Boolean);
  return new AuthError(code, parts.join(' '), aadsts ? { method: ctx.method, aadsts: aadsts.number } : { method: ctx.method });
}

function mapFailure(e: Error, raw: string, meaning: AadstsMeaning | undefined, ctx: AuthErrorContext): Mapped {
  const certificate = certificateFailure(e, ctx.certificatePath);
  if (certificate) return ['invalid_certificate_file', `${certificate.message}.`, CERTIFICATE_FIX];
  if (meaning) return [AADSTS_ERROR_CODE[meaning], ...explainAadsts(meaning, ctx)];
  const unreachable = unreachableFailure(e, raw);
  if (unreachable) {
    const host = ctx.method === 'managedidentity' ? 'the managed identity endpoint' : ctx.authorityHost;
    return [
      'network',
      unreachableText(host, unreachable, ctx.env ?? {}),
      'If the network is fine, check the cloud (CLOUDPC_MCP_CLOUD) and AZURE_AUTHORITY_HOST.',
    ];
  }
  return mapFlowFailure(raw, ctx) ?? mapMethodFailure(e, raw, ctx);
}

/** What an AADSTS meaning is, and the fix, for a local sign-in. */
function explainAadsts(meaning: AadstsMeaning, ctx: AuthErrorContext): [string, string] {
  const other = `or choose another method with ${AUTH_ENV.method}.`;
  switch (meaning) {
    case 'consent_missing':
      return ['the permission has not been consented in this tenant.', consentFix(ctx)];
    case 'consent_declined':
      return ['consent was declined.', consentFix(ctx)];
    case 'mfa_required':
      return ['multi-factor authentication is required.', reSignInFix(ctx, 'and complete multi-factor authentication')];
    case 'conditional_access':
      return [
        'sign-in was blocked by a Conditional Access policy.',
        ctx.method === 'devicecode'
          ? 'Many organizations block device code flow: use CLOUDPC_MCP_AUTH=browser on a machine with a browser, or ask an administrator (quote the Trace ID below).'
          : `Sign in from a device the policy allows, or ask an administrator which policy applied (quote the Trace ID below), ${other}`,
      ];
    case 'session_expired':
      return ['the sign-in session expired or was revoked.', reSignInFix(ctx, 'again')];
    case 'code_expired':
      return ['the sign-in code expired before it was used.', 'Call the tool again to get a new code.'];
    case 'credential_rejected':
      return [
        'the client secret or certificate was rejected (wrong value, expired, or the secret ID was used instead of its value).',
        'Check AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH for this app.',
      ];
    case 'federation_rejected':
      return [
        'the federated token was rejected (no matching federated identity credential, or the token file is stale).',
        "Check the federated credential's issuer, subject and audience on the app registration, and AZURE_FEDERATED_TOKEN_FILE.",
      ];
    case 'scope_rejected':
      return [
        `the scope ${ctx.scope ?? ''} was rejected.`.replace(' .', '.'),
        `Check the cloud setting: the token must be for Graph in the ${ctx.cloud.label} cloud (${ctx.cloud.scopeHost}).`,
      ];
    default:
      return explainRegistrationAadsts(meaning, ctx);
  }
}

// The app, the tenant or the account is not set up for this sign-in: fixed in configuration or by an administrator.
type RegistrationMeaning = Extract<
  AadstsMeaning,
  'app_not_preauthorized' | 'app_not_found' | 'tenant_not_found' | 'account_not_supported' | 'tenant_unknown' | 'user_not_assigned'
>;

function explainRegistrationAadsts(meaning: RegistrationMeaning, ctx: AuthErrorContext): [string, string] {
  const tenant = displayTenant(ctx.tenantId);
  switch (meaning) {
    case 'app_not_preauthorized':
      return [
        "this tool's Microsoft app is not pre-authorized for the Cloud PC permissions.",
        'Use CLOUDPC_MCP_AUTH=devicecode or browser, which sign in through an app that can request them.',
      ];
    case 'app_not_found':
      return [
        `application ${ctx.clientId ?? '(default)'} was not found in tenant ${tenant}.`,
        `Check the client id and tenant, and that the app is registered in the ${ctx.cloud.label} cloud (registrations do not cross clouds); without a client id setting the default public client ${DEFAULT_PUBLIC_CLIENT_ID} is used.`,
      ];
    case 'tenant_not_found':
      return [`tenant ${tenant} was not found in the ${ctx.cloud.label} cloud.`, 'Check the tenant id and the cloud setting.'];
    case 'account_not_supported':
      return [
        'this account cannot sign in to the tenant (personal Microsoft accounts and accounts of other tenants are not supported).',
        'Sign in with a work or school account of the tenant that owns the Cloud PCs, or set the tenant id.',
      ];
    case 'tenant_unknown':
      return ['the tenant could not be determined from the sign-in.', 'Set the tenant id (a GUID or domain).'];
    case 'user_not_assigned':
      return [
        `your account is not assigned to application ${ctx.clientId ?? ''}.`.replace(' .', '.'),
        'Ask an administrator to assign you to the app or to turn off "Assignment required".',
      ];
  }
}

/** Failures of the sign-in flow itself, the same for every method. */
function mapFlowFailure(raw: string, ctx: AuthErrorContext): Mapped | undefined {
  if (/authorization_declined/.test(raw)) {
    return [
      'sign_in_cancelled',
      'the sign-in was declined on the sign-in page.',
      'Nothing was sent. Call the tool again for a new code if that was not intended.',
    ];
  }
  if (/device_code_expired|expired_token|Device code is expired/i.test(raw)) {
    return ['sign_in_timeout', 'the sign-in code expired before it was used.', 'Call the tool again to get a new code.'];
  }
  if (/openid_config_error|endpoints_resolution_error|Could not (?:retrieve|resolve) endpoints/i.test(raw)) {
    return [
      'tenant_not_found',
      `${ctx.authorityHost} did not return sign-in endpoints for tenant ${displayTenant(ctx.tenantId)}.`,
      `Check the tenant id (AZURE_TENANT_ID), the cloud (CLOUDPC_MCP_CLOUD) and AZURE_AUTHORITY_HOST, or choose another method with ${AUTH_ENV.method}.`,
    ];
  }
  return undefined;
}

// Wordings used by identity and by shells for a missing executable.
const NOT_INSTALLED = /could(?: not|n't) be found|not recognized|command not found|ENOENT/i;

const UNAVAILABLE: Partial<Record<AuthErrorContext['method'], [string, string]>> = {
  environment: [
    'the environment variables for a service principal are incomplete.',
    'Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)',
  ],
  workloadidentity: [
    'workload identity is not configured.',
    'Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE (AKS workload identity does this)',
  ],
  managedidentity: [
    'no managed identity is available on this host.',
    'Managed identity works only on Azure compute with an identity assigned (AZURE_CLIENT_ID selects a user-assigned one)',
  ],
};

/** Failures particular to a method: a developer CLI not installed or not signed in, a credential not configured. */
function mapMethodFailure(e: Error, raw: string, ctx: AuthErrorContext): Mapped {
  const other = `or choose another method with ${AUTH_ENV.method}.`;
  const unavailable = e.name === 'CredentialUnavailableError';
  if (ctx.method === 'azurecli' || ctx.method === 'azd') {
    const cli =
      ctx.method === 'azurecli'
        ? { name: 'Azure CLI', install: 'https://aka.ms/azure-cli', login: azLogin(ctx), signIn: /az login/i, missing: /az:.*not found/i }
        : {
            name: 'Azure Developer CLI',
            install: 'https://aka.ms/azd-install',
            login: azdLogin(ctx),
            signIn: /azd auth login/i,
            missing: undefined,
          };
    if (NOT_INSTALLED.test(raw) || cli.missing?.test(raw)) {
      return ['tool_not_installed', `${cli.name} is not installed.`, `Install it (${cli.install}) and run \`${cli.login}\`, ${other}`];
    }
    if (unavailable && cli.signIn.test(raw)) {
      return ['not_signed_in', `${cli.name} is not signed in.`, `Run \`${cli.login}\` on the machine running the server, ${other}`];
    }
  }
  const known = UNAVAILABLE[ctx.method];
  if (unavailable && known) return ['credential_unavailable', known[0], `${known[1]}, ${other}`];
  if (unavailable) return ['credential_unavailable', 'this sign-in method is not available here.', `Check its prerequisites, ${other}`];
  return ['sign_in_failed', 'sign-in failed.', `Try again, ${other}`];
}

/** What toAuthError needs to know about a resolved sign-in. */
export function errorContextOf(auth: ResolvedAuth): AuthErrorContext {
  const certificatePath = auth.env['AZURE_CLIENT_CERTIFICATE_PATH'];
  return {
    method: auth.method,
    cloud: auth.cloud,
    authorityHost: auth.authorityHost,
    scope: auth.scope,
    secrets: auth.secrets,
    env: auth.env,
    // EnvironmentCredential reads the certificate only when no secret is set.
    ...(auth.method === 'environment' && !auth.env['AZURE_CLIENT_SECRET'] && certificatePath ? { certificatePath } : {}),
    ...(auth.tenantId ? { tenantId: auth.tenantId } : {}),
    ...(auth.clientId ? { clientId: auth.clientId } : {}),
  };
}

// The commands and links that fix a local sign-in, spelled for the method and cloud in use.
export interface FixContext {
  method: Exclude<AuthMethod, 'auto'>;
  cloud: CloudInfo;
  authorityHost: string;
  tenantId?: string;
  clientId?: string;
}

/** Where a Global or Privileged Role Administrator grants the app's permissions for the whole tenant. */
export function adminConsentUrl(authorityHost: string, tenantId: string | undefined, clientId: string | undefined): string {
  // /common/ lets an administrator of any tenant consent when no tenant is configured.
  const tenant = !tenantId || /^(organizations|common)$/i.test(tenantId) ? 'common' : tenantId;
  return `${authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/adminconsent?client_id=${encodeURIComponent(clientId ?? DEFAULT_PUBLIC_CLIENT_ID)}`;
}

export function consentFix(ctx: Pick<FixContext, 'method' | 'authorityHost' | 'tenantId' | 'clientId'>): string {
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

export function reSignInFix(ctx: FixContext, how: string): string {
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

export function azLogin(ctx: Pick<FixContext, 'cloud' | 'tenantId'>): string {
  const cloud = ctx.cloud.name === 'global' ? '' : `az cloud set --name ${AZ_CLOUD[ctx.cloud.name]} && `;
  return `${cloud}az login --tenant ${displayTenant(ctx.tenantId)}`;
}

export function azdLogin(ctx: Pick<FixContext, 'cloud' | 'tenantId'>): string {
  const cloud = ctx.cloud.name === 'global' ? '' : `azd config set cloud.name ${AZ_CLOUD[ctx.cloud.name]} && `;
  return `${cloud}azd auth login --tenant-id ${displayTenant(ctx.tenantId)}`;
}

export function displayTenant(tenantId: string | undefined): string {
  return tenantId && !/^(organizations|common)$/i.test(tenantId) ? tenantId : '<your-tenant-id>';
}
