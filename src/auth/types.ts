// Shapes shared by the auth layer and its callers (configuration, tools, status output).

import type { CloudInfo } from '../graph/clouds.js';
import type { TokenProvider } from '../graph/types.js';
import type { AuthMethod } from './methods.js';
import type { TokenInfo } from './tokenClaims.js';

export interface AuthSettings {
  method: AuthMethod;
  cloud: CloudInfo;
  /** Defaults to cloud.authorityHost. Configuration applies AZURE_AUTHORITY_HOST before this point. */
  authorityHost?: string;
  /** Delegated default: 'organizations'. App-only methods fall back to AZURE_TENANT_ID. */
  tenantId?: string;
  /** Delegated default: DEFAULT_PUBLIC_CLIENT_ID. Managed/workload identity fall back to AZURE_CLIENT_ID. */
  clientId?: string;
  /** Operator token for method 'token' (falls back to CLOUDPC_MCP_ACCESS_TOKEN in env). */
  accessToken?: string;
  /** Delegated permission to ask for: CloudPC.ReadWrite.All (default, retry) or CloudPC.Read.All (read-only servers, least privilege). */
  permission?: string;
  /** Defaults to process.env. EnvironmentCredential itself always reads process.env. */
  env?: NodeJS.ProcessEnv;
}

export type SignInPrompt =
  | {
      kind: 'deviceCode';
      verificationUri: string;
      userCode: string;
      /** Ready to show the user, ends with what to do next. */
      message: string;
      /** When the server stops waiting for this sign-in. */
      expiresOn?: Date;
    }
  | {
      kind: 'browser';
      message: string;
      expiresOn?: Date;
    };

export interface SignInHooks {
  /** Called once per sign-in prompt, e.g. to send an MCP logging notification. Must not throw. */
  onPrompt?(prompt: SignInPrompt): void;
}

/** The TokenProvider contract plus what the status tool and the tools' error handling need. */
export interface AuthTokenProvider extends TokenProvider {
  /** The method in use ('auto' already resolved). */
  readonly method: Exclude<AuthMethod, 'auto'>;
  /** Why this method is in use, one line. */
  readonly reason: string;
  /** Claims of the last token obtained (never the token itself); undefined before the first token. */
  readonly tokenInfo: TokenInfo | undefined;
  /** A sign-in the user has been asked to complete and has not yet, so a status tool can repeat it. */
  readonly pendingSignIn: SignInPrompt | undefined;
}
