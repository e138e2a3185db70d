// The commands and links that fix a local sign-in, spelled for the method and cloud in use.
import type { CloudInfo } from '../graph/clouds.js';
import { AUTH_ENV, DEFAULT_PUBLIC_CLIENT_ID, type AuthMethod } from './methods.js';

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
