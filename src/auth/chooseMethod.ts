// Resolves CLOUDPC_MCP_AUTH=auto to one method. Pure: everything it looks at is passed in, so it is table-tested.
//
// Order, first match wins:
//   1. operator token      CLOUDPC_MCP_ACCESS_TOKEN is set: the operator chose this token explicitly.
//   2. environment         AZURE_TENANT_ID + AZURE_CLIENT_ID + (AZURE_CLIENT_SECRET | AZURE_CLIENT_CERTIFICATE_PATH),
//                          the variables EnvironmentCredential reads (first in DefaultAzureCredential too). App-only.
//   3. workload identity   AZURE_FEDERATED_TOKEN_FILE is set (AKS injects it). App-only.
//   4. managed identity    IDENTITY_ENDPOINT or MSI_ENDPOINT is set (App Service, Functions, Arc). App-only.
//                          IMDS on VMs cannot be detected without a network probe, so VMs must set it explicitly.
//   5. browser             a local desktop: Windows or macOS, or Linux with DISPLAY/WAYLAND_DISPLAY, and no sign of
//                          an SSH session, Codespace or dev container. Microsoft recommends blocking device code flow
//                          wherever possible (Conditional Access "Authentication flows"), so many tenants refuse it;
//                          a browser sign-in on the user's own machine passes those policies.
//   6. device code         everything else: the code is shown in chat and can be entered on any device.
// The developer CLIs (azurecli, azd) are never picked automatically: their first-party app is usually not
// pre-authorized for CloudPC permissions, so a token would be issued and Graph would still answer 403.

import { AUTH_ENV, AUTH_METHOD_INFO, type AuthMethod } from './methods.js';

export interface ChooseSettings {
  method?: AuthMethod;
  /** The operator token, when configuration already read it. */
  accessToken?: string;
}

export interface AuthChoice {
  method: Exclude<AuthMethod, 'auto'>;
  /** One line for the start-up log and the status tool. */
  reason: string;
}

const has = (env: NodeJS.ProcessEnv, name: string): boolean => (env[name] ?? '').trim() !== '';

export function chooseAuthMethod(
  settings: ChooseSettings,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): AuthChoice {
  if (settings.method && settings.method !== 'auto') {
    return { method: settings.method, reason: `${AUTH_ENV.method}=${settings.method}` };
  }
  if ((settings.accessToken ?? '').trim() !== '' || has(env, AUTH_ENV.accessToken)) {
    return { method: 'token', reason: `${AUTH_ENV.accessToken} is set` };
  }
  const spIds = has(env, 'AZURE_TENANT_ID') && has(env, 'AZURE_CLIENT_ID');
  if (spIds && (has(env, 'AZURE_CLIENT_SECRET') || has(env, 'AZURE_CLIENT_CERTIFICATE_PATH'))) {
    const what = has(env, 'AZURE_CLIENT_SECRET') ? 'AZURE_CLIENT_SECRET' : 'AZURE_CLIENT_CERTIFICATE_PATH';
    return { method: 'environment', reason: `AZURE_TENANT_ID, AZURE_CLIENT_ID and ${what} are set${appOnlyNote('environment')}` };
  }
  if (has(env, 'AZURE_FEDERATED_TOKEN_FILE')) {
    return { method: 'workloadidentity', reason: `AZURE_FEDERATED_TOKEN_FILE is set${appOnlyNote('workloadidentity')}` };
  }
  const miVar = ['IDENTITY_ENDPOINT', 'MSI_ENDPOINT'].find((n) => has(env, n));
  if (miVar) {
    return { method: 'managedidentity', reason: `${miVar} is set${appOnlyNote('managedidentity')}` };
  }
  const remote = ['SSH_CONNECTION', 'SSH_CLIENT', 'SSH_TTY', 'CODESPACES', 'REMOTE_CONTAINERS'].find((n) => has(env, n));
  if (remote) {
    return { method: 'devicecode', reason: `${remote} is set, so a browser here would not reach you: device code sign-in` };
  }
  if (platform === 'win32' || platform === 'darwin') {
    return { method: 'browser', reason: `local ${platform === 'win32' ? 'Windows' : 'macOS'} desktop: browser sign-in` };
  }
  const display = ['WAYLAND_DISPLAY', 'DISPLAY'].find((n) => has(env, n));
  if (display) {
    return { method: 'browser', reason: `${display} is set: browser sign-in` };
  }
  return { method: 'devicecode', reason: 'no desktop session detected: device code sign-in' };
}

function appOnlyNote(method: AuthMethod): string {
  return ` (${AUTH_METHOD_INFO[method].label}: app-only, can read but cannot retry)`;
}
