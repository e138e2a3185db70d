import { describe, expect, it } from 'vitest';
import { AuthError, SignInRequiredError } from '../../src/auth/authErrors.js';
import { scrub } from '../../src/auth/entraErrors/scrub.js';
import { toAuthError } from '../../src/auth/entraErrors/signInErrors.js';
import { DEFAULT_PUBLIC_CLIENT_ID } from '../../src/auth/methods.js';
import { CLOUDS } from '../../src/graph/clouds.js';
import { signInContext } from '../support/signInContext.js';

const ctx = signInContext;
const named = (name: string, message: string) => Object.assign(new Error(message), { name });
const wrap = (err: unknown, c = ctx()) => toAuthError(err, c) as AuthError;

describe('toAuthError: AADSTS codes', () => {
  it('65001 with the default client: admin consent URL and Connect-MgGraph', () => {
    const e = wrap(
      named(
        'AuthenticationError',
        'invalid_grant: AADSTS65001: The user or administrator has not consented to use the application. Trace ID: abc',
      ),
    );
    expect(e).toBeInstanceOf(AuthError);
    expect(e.code).toBe('consent_required');
    expect(e.aadsts).toBe('65001');
    expect(e.method).toBe('devicecode');
    expect(e.message).toContain(`https://login.microsoftonline.com/common/adminconsent?client_id=${DEFAULT_PUBLIC_CLIENT_ID}`);
    expect(e.message).toContain('Connect-MgGraph -Scopes CloudPC.ReadWrite.All');
    expect(e.message).toMatch(/^Device code sign-in: /);
    expect(e.message).toContain('Trace ID: abc');
  });

  it('65001 with a tenant and a custom app in another cloud', () => {
    const e = wrap(
      new Error('AADSTS65001: consent'),
      ctx({
        cloud: CLOUDS.usgov,
        authorityHost: 'https://login.microsoftonline.us',
        tenantId: 'contoso.onmicrosoft.us',
        clientId: '11111111-2222-3333-4444-555555555555',
      }),
    );
    expect(e.message).toContain(
      'https://login.microsoftonline.us/contoso.onmicrosoft.us/adminconsent?client_id=11111111-2222-3333-4444-555555555555',
    );
    expect(e.message).not.toContain('Connect-MgGraph');
  });

  it('reads the code from AuthenticationError.errorResponse when the message lacks it', () => {
    const err = Object.assign(named('AuthenticationError', 'Authentication failed'), {
      errorResponse: { error: 'invalid_client', errorDescription: 'AADSTS700016: Application with identifier x was not found' },
    });
    const e = wrap(err, ctx({ clientId: 'abc', tenantId: 'contoso.com' }));
    expect(e.code).toBe('app_not_found');
    expect(e.message).toContain('application abc was not found in tenant contoso.com');
  });

  it.each([
    ['50076', 'mfa_required', /multi-factor/],
    ['50079', 'mfa_required', /multi-factor/],
    ['53003', 'conditional_access', /CLOUDPC_MCP_AUTH=browser/],
    ['90002', 'tenant_not_found', /cloud setting/],
    ['500200', 'account_not_supported', /work or school account/],
    ['70043', 'reauthentication_required', /Call the tool again/],
    ['7000215', 'invalid_client_credential', /AZURE_CLIENT_SECRET/],
    ['70021', 'federation_failed', /federated/],
    ['500011', 'invalid_configuration', /cloud setting/],
  ])('AADSTS%s → %s', (n, code, text) => {
    const e = wrap(new Error(`AADSTS${n}: something happened.`));
    expect(e.code).toBe(code);
    expect(e.aadsts).toBe(n);
    expect(e.message).toMatch(text);
  });

  it('MFA through Azure CLI names the az login command, with the cloud for national clouds', () => {
    const e = wrap(
      named(
        'CredentialUnavailableError',
        "ERROR: AADSTS50076: Due to a configuration change ... you must use multi-factor authentication. Run 'az login'",
      ),
      ctx({ method: 'azurecli', cloud: CLOUDS.usgov, tenantId: 'contoso.com', clientId: undefined }),
    );
    expect(e.code).toBe('mfa_required');
    expect(e.message).toContain('`az cloud set --name AzureUSGovernment && az login --tenant contoso.com`');
  });

  it('65002 from a developer CLI points to devicecode/browser', () => {
    const e = wrap(
      new Error('AADSTS65002: Consent between first party application and first party resource must be configured via preauthorization'),
      ctx({ method: 'azurecli' }),
    );
    expect(e.code).toBe('consent_required');
    expect(e.message).toMatch(/devicecode or browser/);
  });
});

describe('toAuthError: unavailable credentials and other failures', () => {
  it('Azure CLI not installed', () => {
    const e = wrap(
      named('CredentialUnavailableError', 'Azure CLI could not be found. Please visit https://aka.ms/azure-cli'),
      ctx({ method: 'azurecli', tenantId: undefined }),
    );
    expect(e.code).toBe('tool_not_installed');
    expect(e.message).toContain('az login --tenant <your-tenant-id>');
    expect(e.message).toContain('CLOUDPC_MCP_AUTH');
  });

  it('Azure CLI not signed in', () => {
    const e = wrap(
      named('CredentialUnavailableError', "Please run 'az login' from a command prompt to authenticate before using this credential."),
      ctx({ method: 'azurecli', tenantId: 'tid' }),
    );
    expect(e.code).toBe('not_signed_in');
    expect(e.message).toMatch(/^Azure CLI: Azure CLI is not signed in\. Run `az login --tenant tid`/);
  });

  it('azd not installed', () => {
    const e = wrap(
      named('CredentialUnavailableError', "Azure Developer CLI couldn't be found. To mitigate this issue, see https://aka.ms/x"),
      ctx({ method: 'azd' }),
    );
    expect(e.code).toBe('tool_not_installed');
    expect(e.message).toContain('https://aka.ms/azd-install');
  });

  it('azd not signed in', () => {
    const e = wrap(
      named('CredentialUnavailableError', "Please run 'azd auth login' from a command prompt"),
      ctx({ method: 'azd', cloud: CLOUDS.china }),
    );
    expect(e.code).toBe('not_signed_in');
    expect(e.message).toContain('azd config set cloud.name AzureChinaCloud && azd auth login');
  });

  it.each([
    ['environment', /AZURE_CLIENT_SECRET/],
    ['workloadidentity', /AZURE_FEDERATED_TOKEN_FILE/],
    ['managedidentity', /Azure compute/],
  ] as const)('%s unavailable', (method, text) => {
    const e = wrap(named('CredentialUnavailableError', 'not configured'), ctx({ method }));
    expect(e.code).toBe('credential_unavailable');
    expect(e.message).toMatch(text);
  });

  it.each([
    [
      'a declined device code',
      'post_request_failed: authorization_declined (authorization_declined: AADSTS70000: The user declined.)',
      'sign_in_cancelled',
      /declined on the sign-in page/,
    ],
    [
      'a device code MSAL saw expire',
      'device_code_expired: Device code is expired.',
      'sign_in_timeout',
      /code expired before it was used\. Call the tool again/,
    ],
    ['an expired code at Entra', 'post_request_failed: expired_token', 'sign_in_timeout', /code expired/],
    [
      'no sign-in endpoints for the tenant',
      'endpoints_resolution_error: Could not resolve endpoints.',
      'tenant_not_found',
      /did not return sign-in endpoints for tenant <your-tenant-id>.*AZURE_TENANT_ID/,
    ],
  ] as const)('%s', (_what, message, code, text) => {
    const e = wrap(named('AuthenticationRequiredError', message));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(text);
  });

  it('network failures name the authority host', () => {
    const e = wrap(
      Object.assign(new Error('getaddrinfo ENOTFOUND login.example'), { code: 'ENOTFOUND' }),
      ctx({ authorityHost: 'https://login.example' }),
    );
    expect(e.code).toBe('network');
    expect(e.message).toContain('https://login.example');
  });

  it('unknown errors still name the method and a way out', () => {
    const e = wrap('boom');
    expect(e.code).toBe('sign_in_failed');
    expect(e.message).toMatch(/^Device code sign-in: sign-in failed\..*CLOUDPC_MCP_AUTH.*Details: boom/);
  });

  it('passes AbortErrors and AuthErrors through unchanged', () => {
    const abort = new DOMException('aborted', 'AbortError');
    expect(toAuthError(abort, ctx())).toBe(abort);
    const auth = new AuthError('unknown', 'x');
    expect(toAuthError(auth, ctx())).toBe(auth);
  });
});

describe('secrets never reach messages', () => {
  const token = 'eyJ0eXAiOiJKV1QifQ.eyJzY3AiOiJ4In0.c2lnbmF0dXJlLXZhbHVl';
  it('scrubs JWTs, secret parameters and known secret values', () => {
    const msg = `AADSTS7000215: Invalid client secret provided. client_secret=abc123secret assertion: ${token} value MySecretValue-9 here`;
    const e = wrap(new Error(msg), ctx({ method: 'environment', secrets: ['MySecretValue-9'] }));
    expect(e.message).not.toContain(token);
    expect(e.message).not.toContain('abc123secret');
    expect(e.message).not.toContain('MySecretValue-9');
    expect(e.message).toContain('[redacted');
  });

  it('caps long details', () => {
    expect(scrub('x'.repeat(5000)).length).toBeLessThan(700);
  });
});

describe('SignInRequiredError', () => {
  it('is an AuthError carrying the prompt', () => {
    const prompt = {
      kind: 'deviceCode' as const,
      verificationUri: 'https://microsoft.com/devicelogin',
      userCode: 'ABCD1234',
      message: 'Open it and enter ABCD1234.',
    };
    const e = new SignInRequiredError(prompt, false, 'devicecode');
    expect(e).toBeInstanceOf(AuthError);
    expect(e.name).toBe('SignInRequiredError');
    expect(e.code).toBe('sign_in_required');
    expect(e.prompt).toBe(prompt);
    expect(e.message).toBe(prompt.message);
    expect(new SignInRequiredError(prompt, true).message).toMatch(/^Still waiting for sign-in\. /);
  });
});
