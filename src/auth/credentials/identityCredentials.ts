// The seam between the token cache and @azure/identity. The library is imported on the first token request
// only: it is large (MSAL, the core pipeline) and a static-token or read-only start-up must not pay for it.

import type { AccessToken } from '../../graph/types.js';
import type { Logger } from '../../core/log.js';
import { InteractionRequiredError } from '../authErrors.js';
import type { CredentialMethod } from '../methods.js';
import { checkCertificateFile } from './certificateFile.js';
import { createEntraErrorCapture, formatEntraError, type EntraError, type EntraErrorCapture } from '../entraErrors/serverErrors.js';
import { routeIdentityCache } from '../persistence/identityPlugin.js';
import { openSignInStore, type SignInStore, type SignInStoreSettings } from '../persistence/signInStore.js';
import { CACHE_NAME } from '../persistence/tokenCachePlan.js';

export interface CredentialSpec {
  method: CredentialMethod;
  authorityHost: string;
  disableInstanceDiscovery: boolean;
  tenantId?: string;
  clientId?: string;
  env: NodeJS.ProcessEnv;
  /** Delegated sign-in (browser, device code): where the sign-in is kept between restarts. */
  signInStore?: SignInStoreSettings;
  /** The credential needs the user: a device code to show, or a browser window it is opening. */
  onPrompt(prompt: CredentialPrompt): void;
  /** Told once, when an interactive credential has opened its sign-in store. */
  onStore?(store: SignInStore): void;
  logger?: Logger;
}

export type CredentialPrompt =
  | { kind: 'deviceCode'; verificationUri: string; userCode: string; message: string; reason?: string }
  | { kind: 'browser'; reason?: string };

export interface CredentialTokenOptions {
  abortSignal?: AbortSignal;
  /** false: throw InteractionRequiredError where the user would have to act, instead of asking them. */
  interactive?: boolean;
}

/** The part of @azure/identity's TokenCredential the provider uses; tests pass fakes. */
export interface CredentialLike {
  getToken(scopes: string | string[], options?: CredentialTokenOptions): Promise<AccessToken | null>;
}

export type CredentialFactory = (spec: CredentialSpec) => CredentialLike | Promise<CredentialLike>;

type Identity = typeof import('@azure/identity');

export const identityCredentialFactory: CredentialFactory = async (spec) => {
  const id = await import('@azure/identity');
  const capture = createEntraErrorCapture();
  const common = {
    authorityHost: spec.authorityHost,
    disableInstanceDiscovery: spec.disableInstanceDiscovery,
    additionalPolicies: [capture.policy],
  };
  const ids = { ...(spec.tenantId ? { tenantId: spec.tenantId } : {}), ...(spec.clientId ? { clientId: spec.clientId } : {}) };
  switch (spec.method) {
    case 'devicecode':
    case 'browser':
      return interactiveCredential(id, spec, capture, { ...common, ...ids });
    case 'azurecli':
      return new id.AzureCliCredential(spec.tenantId ? { tenantId: spec.tenantId } : {});
    case 'azd':
      return new id.AzureDeveloperCliCredential(spec.tenantId ? { tenantId: spec.tenantId } : {});
    case 'environment': {
      // EnvironmentCredential prefers a secret; without one it reads the certificate, which is checked first so a
      // bad file is reported as that. It reads AZURE_* from process.env itself; tenant and client come from there.
      const certificatePath = spec.env['AZURE_CLIENT_CERTIFICATE_PATH'];
      if (!spec.env['AZURE_CLIENT_SECRET'] && certificatePath) await checkCertificateFile(certificatePath);
      return explained(new id.EnvironmentCredential(common), capture);
    }
    case 'managedidentity':
      return explained(
        new id.ManagedIdentityCredential({
          authorityHost: spec.authorityHost,
          additionalPolicies: [capture.policy],
          ...(spec.clientId ? { clientId: spec.clientId } : {}),
        }),
        capture,
      );
    case 'workloadidentity': {
      const tokenFilePath = spec.env['AZURE_FEDERATED_TOKEN_FILE'];
      return explained(new id.WorkloadIdentityCredential({ ...common, ...ids, ...(tokenFilePath ? { tokenFilePath } : {}) }), capture);
    }
  }
};

/** Failures carry what Entra said (the AADSTS code), which identity does not always keep. */
function explained(cred: CredentialLike, capture: EntraErrorCapture): CredentialLike {
  return {
    async getToken(scopes, options) {
      const mark = capture.mark();
      try {
        return await cred.getToken(scopes, options?.abortSignal ? { abortSignal: options.abortSignal } : {});
      } catch (err) {
        throw capture.explain(err, mark);
      }
    },
  };
}

/**
 * Browser and device code sign-in. Automatic authentication is off, so getToken only ever answers from the cache
 * (memory, or the persistent cache found through the saved AuthenticationRecord); when that fails the wrapper knows
 * the user is needed, says why, and calls authenticate(), whose record is saved for the next start.
 */
async function interactiveCredential(
  id: Identity,
  spec: CredentialSpec,
  capture: EntraErrorCapture,
  base: Record<string, unknown>,
): Promise<CredentialLike> {
  const store = spec.signInStore ? await openSignInStore(spec.signInStore) : undefined;
  if (store) spec.onStore?.(store);
  if (store?.plan.factory) routeIdentityCache(id, store.plan.factory);
  const ask: PendingPrompt = {};
  const cred = interactiveIdentity(id, spec, store, base, ask);

  return {
    async getToken(scopes, opts = {}) {
      const call = opts.abortSignal ? { abortSignal: opts.abortSignal } : {};
      const mark = capture.mark();
      try {
        return await cred.getToken(scopes, call);
      } catch (err) {
        if ((err as Error | undefined)?.name !== 'AuthenticationRequiredError') throw capture.explain(err, mark);
        ask.reason = whySignInAgain(capture.since(mark), store);
        if (opts.interactive === false) {
          throw new InteractionRequiredError(ask.reason ?? 'Not signed in yet.', spec.method);
        }
      }
      if (spec.method === 'browser') spec.onPrompt({ kind: 'browser', ...(ask.reason ? { reason: ask.reason } : {}) });
      const signInMark = capture.mark();
      let signedIn: Awaited<ReturnType<typeof cred.authenticate>>;
      try {
        signedIn = await cred.authenticate(scopes, call);
      } catch (err) {
        throw capture.explain(err, signInMark);
      } finally {
        ask.reason = undefined;
      }
      if (signedIn && store) await saveRecord(id, store, spec, signedIn);
      return cred.getToken(scopes, call);
    },
  };
}

// The device code callback runs inside authenticate(), after getToken has decided why the user is being asked.
interface PendingPrompt {
  reason?: string;
}

/** The @azure/identity credential for the method, resuming the saved account from the persistent cache if there is one. */
function interactiveIdentity(
  id: Identity,
  spec: CredentialSpec,
  store: SignInStore | undefined,
  base: Record<string, unknown>,
  ask: PendingPrompt,
) {
  const record = savedRecord(id, store, spec);
  const options = {
    ...base,
    ...(store?.plan.factory ? { tokenCachePersistenceOptions: { enabled: true, name: CACHE_NAME } } : {}),
    ...(record ? { authenticationRecord: record } : {}),
    disableAutomaticAuthentication: true,
  };
  return spec.method === 'devicecode'
    ? new id.DeviceCodeCredential({
        ...options,
        // Without a callback identity prints the code with console.log, onto the MCP protocol stream. The
        // device_code itself (the secret half) is never passed on.
        userPromptCallback: (info) =>
          spec.onPrompt({
            kind: 'deviceCode',
            verificationUri: info.verificationUri,
            userCode: info.userCode,
            message: info.message,
            ...(ask.reason ? { reason: ask.reason } : {}),
          }),
      })
    : new id.InteractiveBrowserCredential({ ...options, ...(store?.saved ? { loginHint: store.saved.username } : {}) });
}

type AuthRecord = ReturnType<Identity['deserializeAuthenticationRecord']>;

/** The account signed in before the restart, if the store kept it and it still reads. */
function savedRecord(id: Identity, store: SignInStore | undefined, spec: CredentialSpec): AuthRecord | undefined {
  if (!store?.saved) return undefined;
  try {
    return id.deserializeAuthenticationRecord(store.saved.text);
  } catch (err) {
    spec.logger?.warn('auth: ignoring an unreadable saved sign-in', { file: store.recordFile, error: (err as Error).message });
    return undefined;
  }
}

/** Keeps which account signed in (no secrets), so the next start finds its tokens without asking. */
async function saveRecord(id: Identity, store: SignInStore, spec: CredentialSpec, signedIn: AuthRecord): Promise<void> {
  try {
    if (await store.save(id.serializeAuthenticationRecord(signedIn)))
      spec.logger?.info('auth: sign-in saved', { file: store.recordFile, user: signedIn.username });
  } catch (err) {
    spec.logger?.warn('auth: could not save the sign-in; the next start will ask again', {
      file: store.recordFile,
      error: (err as Error).message,
    });
  }
}

/** The first sentence of a sign-in prompt, when this is not the first sign-in. */
function whySignInAgain(entra: EntraError | undefined, store: SignInStore | undefined): string | undefined {
  const who = store?.saved ? ` for ${store.saved.username}` : '';
  if (entra) return `The saved sign-in${who} could not be renewed (${formatEntraError(entra)}).`;
  if (!store?.saved) return undefined;
  return store.plan.kind === 'memory'
    ? `The sign-in${who} from before the restart was not kept, because tokens are kept in memory only.`
    : `No usable tokens were found for the saved sign-in${who}.`;
}
