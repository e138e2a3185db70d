// The sign-in methods in one table, so the README, start-up logs and error messages describe them the same way.

import { AUTH_METHODS, type AuthMethod } from '../config/authMethods.js';

export { AUTH_METHODS, type AuthMethod };

/** Methods that end in an @azure/identity credential ('auto' resolves to a method; 'token' needs no library). */
export type CredentialMethod = Exclude<AuthMethod, 'auto' | 'token'>;

/** Environment variables the auth layer names in its messages. */
export const AUTH_ENV = {
  method: 'CLOUDPC_MCP_AUTH',
  accessToken: 'CLOUDPC_MCP_ACCESS_TOKEN',
  /** auto | keychain | unencrypted | none: where a delegated sign-in is kept between restarts (src/auth/persistence/tokenCachePlan.ts). */
  tokenCache: 'CLOUDPC_MCP_TOKEN_CACHE',
  /** Per-user directory for the saved sign-in (src/auth/persistence/privateFiles.ts). */
  configDir: 'CLOUDPC_MCP_CONFIG_DIR',
} as const;

/**
 * Public client used for delegated sign-in when none is configured: Microsoft Graph Command Line Tools
 * (the app behind Connect-MgGraph). It is a multi-tenant public client that can request any Graph delegated
 * permission and allows device code and http://localhost redirects, so no app registration is needed;
 * an administrator consents to CloudPC.ReadWrite.All once (the same consent Connect-MgGraph uses).
 */
export const DEFAULT_PUBLIC_CLIENT_ID = '14d82eec-204b-4c2f-b7e8-296a70dab67e';

/** Delegated tenant default: any work or school tenant. Retry does not support personal accounts. */
export const DEFAULT_DELEGATED_TENANT = 'organizations';

export type AuthKind = 'delegated' | 'app-only';

export interface AuthMethodInfo {
  label: string;
  /** What tokens normally act as; 'auto' has none of its own. */
  kind: AuthKind | 'chosen';
  /** Can the token retry a bulk action? (Graph supports retry for delegated tokens only.) */
  canRetry: boolean;
  needs: string;
  whenToUse: string;
}

export const AUTH_METHOD_INFO: Readonly<Record<AuthMethod, AuthMethodInfo>> = {
  auto: {
    label: 'Automatic',
    kind: 'chosen',
    canRetry: true,
    needs: 'Nothing: picks the first method whose prerequisites are present (see chooseAuthMethod).',
    whenToUse: 'Default. Set CLOUDPC_MCP_AUTH to pin a method.',
  },
  token: {
    label: 'Operator-supplied access token',
    kind: 'delegated',
    canRetry: true,
    needs:
      'CLOUDPC_MCP_ACCESS_TOKEN: a Microsoft Graph access token for the selected cloud with CloudPC.ReadWrite.All in its scp claim. It is never refreshed.',
    whenToUse: 'Automation and tests where another tool already acquires tokens.',
  },
  browser: {
    label: 'Interactive browser sign-in',
    kind: 'delegated',
    canRetry: true,
    needs:
      'A desktop session with a default browser on the machine running the server; a work or school account with a Windows 365 / Intune role that allows bulk actions.',
    whenToUse: 'MCP clients on a local Windows or macOS desktop (chosen by auto there).',
  },
  devicecode: {
    label: 'Device code sign-in',
    kind: 'delegated',
    canRetry: true,
    needs:
      'Any browser on any device to enter the code shown in chat; the tenant must allow device code flow (Conditional Access can block it).',
    whenToUse: 'Headless, remote, SSH or container hosts (chosen by auto there).',
  },
  azurecli: {
    label: 'Azure CLI',
    kind: 'delegated',
    canRetry: true,
    needs:
      'Azure CLI installed and signed in (`az login`, with `az cloud set` for national clouds). The Azure CLI app may not be pre-authorized for CloudPC permissions, in which case Graph answers 403.',
    whenToUse: 'Developer machines where `az login` is already done and its Graph token carries CloudPC permissions.',
  },
  azd: {
    label: 'Azure Developer CLI',
    kind: 'delegated',
    canRetry: true,
    needs: 'Azure Developer CLI installed and signed in (`azd auth login`); same pre-authorization caveat as Azure CLI.',
    whenToUse: 'Developer machines that use azd rather than az.',
  },
  environment: {
    label: 'Environment credential (service principal)',
    kind: 'app-only',
    canRetry: false,
    needs:
      'AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH; the app granted the CloudPC.Read.All application permission.',
    whenToUse: 'Unattended read-only reporting. Graph does not support retry with application permissions.',
  },
  managedidentity: {
    label: 'Managed identity',
    kind: 'app-only',
    canRetry: false,
    needs: 'An Azure host with a managed identity granted CloudPC.Read.All (AZURE_CLIENT_ID selects a user-assigned identity).',
    whenToUse: 'Read-only reporting from Azure compute. Auto only detects App Service/Functions/Arc; on VMs set it explicitly.',
  },
  workloadidentity: {
    label: 'Workload identity',
    kind: 'app-only',
    canRetry: false,
    needs: 'AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE (AKS workload identity); CloudPC.Read.All.',
    whenToUse: 'Read-only reporting from Kubernetes with federated credentials.',
  },
};

export function isAuthMethod(value: unknown): value is AuthMethod {
  return typeof value === 'string' && (AUTH_METHODS as readonly string[]).includes(value);
}

/** Lenient parse for configuration values ("DeviceCode", " azurecli "); undefined when unknown. */
export function parseAuthMethod(value: string | undefined): AuthMethod | undefined {
  const v = value
    ?.trim()
    .toLowerCase()
    .replace(/[-_\s]/g, '');
  return isAuthMethod(v) ? v : undefined;
}

export function isAppOnlyMethod(method: AuthMethod): boolean {
  return AUTH_METHOD_INFO[method].kind === 'app-only';
}

export function isInteractiveMethod(method: AuthMethod): method is 'browser' | 'devicecode' {
  return method === 'browser' || method === 'devicecode';
}
