// The seam between the token cache and @azure/identity. The library is imported on the first token request
// only: it is large (MSAL, the core pipeline) and a static-token or read-only start-up must not pay for it.

import type { AccessToken } from '../graph/types.js';
import type { CredentialMethod } from './methods.js';

export interface CredentialSpec {
  method: CredentialMethod;
  authorityHost: string;
  disableInstanceDiscovery: boolean;
  tenantId?: string;
  clientId?: string;
  env: NodeJS.ProcessEnv;
  /** The credential needs the user: a device code to show, or a browser window it is opening. */
  onPrompt(prompt: CredentialPrompt): void;
}

export type CredentialPrompt =
  | { kind: 'deviceCode'; verificationUri: string; userCode: string; message: string }
  | { kind: 'browser' };

/** The part of @azure/identity's TokenCredential the provider uses; tests pass fakes. */
export interface CredentialLike {
  getToken(scopes: string | string[], options?: { abortSignal?: AbortSignal }): Promise<AccessToken | null>;
}

export type CredentialFactory = (spec: CredentialSpec) => CredentialLike | Promise<CredentialLike>;

export const identityCredentialFactory: CredentialFactory = async (spec) => {
  const id = await import('@azure/identity');
  const authority = { authorityHost: spec.authorityHost, disableInstanceDiscovery: spec.disableInstanceDiscovery };
  const ids = { ...(spec.tenantId ? { tenantId: spec.tenantId } : {}), ...(spec.clientId ? { clientId: spec.clientId } : {}) };
  switch (spec.method) {
    case 'devicecode':
      return new id.DeviceCodeCredential({
        ...authority,
        ...ids,
        // Without a callback identity prints the code with console.log, onto the MCP protocol stream.
        userPromptCallback: (info) =>
          spec.onPrompt({ kind: 'deviceCode', verificationUri: info.verificationUri, userCode: info.userCode, message: info.message }),
      });
    case 'browser': {
      // With automatic authentication off, getToken fails instead of opening a browser, so the provider learns
      // exactly when a window opens (authenticate) and can tell the user; silent refreshes stay silent.
      const cred = new id.InteractiveBrowserCredential({ ...authority, ...ids, disableAutomaticAuthentication: true });
      return {
        async getToken(scopes, options) {
          try {
            return await cred.getToken(scopes, options);
          } catch (err) {
            if ((err as Error | undefined)?.name !== 'AuthenticationRequiredError') throw err;
            spec.onPrompt({ kind: 'browser' });
            await cred.authenticate(scopes, options);
            return cred.getToken(scopes, options);
          }
        },
      };
    }
    case 'azurecli':
      return new id.AzureCliCredential(spec.tenantId ? { tenantId: spec.tenantId } : {});
    case 'azd':
      return new id.AzureDeveloperCliCredential(spec.tenantId ? { tenantId: spec.tenantId } : {});
    case 'environment':
      // Reads AZURE_* from process.env itself; tenant and client come from there.
      return new id.EnvironmentCredential(authority);
    case 'managedidentity':
      return new id.ManagedIdentityCredential({
        authorityHost: spec.authorityHost,
        ...(spec.clientId ? { clientId: spec.clientId } : {}),
      });
    case 'workloadidentity': {
      const tokenFilePath = spec.env['AZURE_FEDERATED_TOKEN_FILE'];
      return new id.WorkloadIdentityCredential({ ...authority, ...ids, ...(tokenFilePath ? { tokenFilePath } : {}) });
    }
  }
};
