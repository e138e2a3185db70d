// Turns AuthSettings into everything a credential needs: method, authority, tenant, client and the one scope.
// Defaults differ by method, and this is the only place that knows them.

import { CLOUDS, SCOPE_RETRY, appOnlyScope, delegatedScope, type CloudInfo } from '../graph/clouds.js';
import { chooseAuthMethod } from './chooseMethod.js';
import { AuthError } from './authErrors.js';
import { AUTH_ENV, DEFAULT_DELEGATED_TENANT, DEFAULT_PUBLIC_CLIENT_ID, isAppOnlyMethod, type AuthMethod } from './methods.js';
import type { SignInStoreSettings } from './persistence/signInStore.js';
import { parseTokenCacheSetting } from './persistence/tokenCachePlan.js';
import type { AuthSettings, AuthTarget } from './authTypes.js';

export interface ResolvedAuth {
  method: Exclude<AuthMethod, 'auto'>;
  reason: string;
  cloud: CloudInfo;
  /** https://host without trailing slash. */
  authorityHost: string;
  /** True when the authority is not a known Entra host: instance discovery would ask a public host about it. */
  disableInstanceDiscovery: boolean;
  tenantId?: string;
  clientId?: string;
  /** The single scope requested. */
  scope: string;
  /** What the method's tokens are expected to be, before a token says otherwise. */
  delegated: boolean;
  env: NodeJS.ProcessEnv;
  /** Values that must never appear in messages. */
  secrets: string[];
  /** Browser and device code: where the sign-in is kept between restarts. */
  signInStore?: SignInStoreSettings;
}

const KNOWN_AUTHORITY_HOSTS: ReadonlySet<string> = new Set(Object.values(CLOUDS).map((c) => new URL(c.authorityHost).host));

export function resolveAuth(settings: AuthSettings): ResolvedAuth {
  const env = settings.env ?? process.env;
  const accessToken = settings.accessToken ?? env[AUTH_ENV.accessToken];
  const choice = chooseAuthMethod({ method: settings.method, ...(accessToken ? { accessToken } : {}) }, env);
  const method = choice.method;
  const { host: authorityHost, known } = parseAuthority(settings.authorityHost ?? settings.cloud.authorityHost);
  const appOnly = isAppOnlyMethod(method);
  const cli = method === 'azurecli' || method === 'azd';
  const explicitTenant = clean(settings.tenantId);
  // 'organizations'/'common' only mean something to an interactive sign-in; the CLIs and app-only credentials
  // need a real tenant or none, so the delegated default must not leak into them.
  const specificTenant = explicitTenant && !/^(organizations|common|consumers)$/i.test(explicitTenant) ? explicitTenant : undefined;
  const explicitClient = clean(settings.clientId);

  let tenantId: string | undefined;
  let clientId: string | undefined;
  if (method === 'browser' || method === 'devicecode') {
    tenantId = explicitTenant ?? DEFAULT_DELEGATED_TENANT;
    clientId = explicitClient ?? DEFAULT_PUBLIC_CLIENT_ID;
  } else if (cli) {
    // The CLIs sign in with their own app and default to the signed-in tenant; pass only what was asked for.
    tenantId = specificTenant;
  } else if (appOnly) {
    tenantId = specificTenant ?? clean(env['AZURE_TENANT_ID']);
    clientId = explicitClient ?? clean(env['AZURE_CLIENT_ID']);
  }

  let signInStore: SignInStoreSettings | undefined;
  if (method === 'browser' || method === 'devicecode') {
    // A wrong setting is refused here, with the fix; a missing home directory only means nothing can be kept.
    signInStore = {
      setting: parseTokenCacheSetting(env),
      env,
      key: { cloud: settings.cloud.name, authorityHost, tenantId: tenantId!, clientId: clientId! },
    };
  }

  const secrets = [accessToken, env['AZURE_CLIENT_SECRET'], env['AZURE_CLIENT_CERTIFICATE_PASSWORD'], env['AZURE_PASSWORD']]
    .map(clean)
    .filter((s): s is string => s !== undefined);

  return {
    method,
    reason: choice.reason,
    cloud: settings.cloud,
    authorityHost,
    disableInstanceDiscovery: !known,
    ...(tenantId ? { tenantId } : {}),
    ...(clientId ? { clientId } : {}),
    // App-only needs /.default; the CLIs take exactly one scope and turn "/.default" into their --resource,
    // so a permission-named scope would become an invalid resource. Their token is still delegated.
    scope: appOnly || cli ? appOnlyScope(settings.cloud) : delegatedScope(settings.cloud, settings.permission ?? SCOPE_RETRY),
    delegated: !appOnly,
    env,
    secrets,
    ...(signInStore ? { signInStore } : {}),
  };
}

function parseAuthority(value: string): { host: string; known: boolean } {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new AuthError('invalid_configuration', `The authority host "${value}" is not a URL; use e.g. https://login.microsoftonline.us.`);
  }
  if (url.protocol !== 'https:') {
    throw new AuthError('invalid_configuration', `The authority host must use https: got "${url.origin}".`);
  }
  return {
    host: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
    known: KNOWN_AUTHORITY_HOSTS.has(url.host) && url.pathname.replace(/\/+$/, '') === '',
  };
}

function clean(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** Where the provider signs in, as auth_status reports it. */
export function targetOf(r: ResolvedAuth): AuthTarget {
  return {
    cloud: r.cloud,
    authorityHost: r.authorityHost,
    scope: r.scope,
    ...(r.tenantId ? { tenantId: r.tenantId } : {}),
    ...(r.clientId ? { clientId: r.clientId } : {}),
  };
}
