// Shapes shared by the auth layer and its callers (configuration, tools, status output).

import type { CloudInfo } from '../graph/clouds.js';
import type { TokenProvider } from '../graph/types.js';
import type { AuthMethod } from './methods.js';
import type { TokenCacheKind, TokenCacheSetting } from './persistence/tokenCachePlan.js';
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
  /** Why the last attempt to get a token failed, until one succeeds. */
  readonly lastError: string | undefined;
  /** When the token in hand stops being valid (epoch ms); undefined before the first token. */
  readonly expiresOnTimestamp: number | undefined;
  /** What this provider signs in to: for status output. */
  readonly target: AuthTarget;
  /** Browser and device code, once the credential is built: where the sign-in is kept between restarts. */
  readonly signInState: SignInState | undefined;
  /**
   * A token only when no person is needed (cached, refreshed, or from the saved sign-in); undefined when only the
   * user can help, or a sign-in is already waiting for them. Never prompts. Failures are AuthErrors.
   */
  getTokenSilently(signal?: AbortSignal): Promise<string | undefined>;
}

export interface AuthTarget {
  cloud: CloudInfo;
  authorityHost: string;
  tenantId?: string;
  clientId?: string;
  /** The one scope requested. */
  scope: string;
}

export interface SignInState {
  setting: TokenCacheSetting;
  tokenCache: TokenCacheKind;
  /** Where tokens are kept, or that they are not. */
  summary: string;
  /** When a sign-in will not survive a restart: why, and the user's choices. */
  advice?: string;
  /** The account of the saved sign-in, if one was saved. */
  savedUser?: string;
  /** Where the sign-in record is (or would be) saved; undefined with CLOUDPC_MCP_TOKEN_CACHE=none. */
  recordFile?: string;
}
