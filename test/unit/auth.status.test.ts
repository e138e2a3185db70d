// What auth_status says about retry for each situation, and the exact fix when retry will not work.
import { describe, expect, it } from 'vitest';
import { buildAuthStatus, formatAuthStatus } from '../../src/auth/statusReport.js';
import { StaticTokenProvider } from '../../src/auth/credentials/staticToken.js';
import { createTokenProvider } from '../../src/auth/tokenProvider.js';
import { CLOUDS } from '../../src/graph/clouds.js';
import { silentLogger } from '../../src/core/log.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (payload: Record<string, unknown>) =>
  `${b64({ alg: 'RS256' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600, ...payload })}.c2ln`;
const ctx = { readOnly: false, simulated: false };

describe('auth_status retry verdicts', () => {
  it('delegated with CloudPC.ReadWrite.All: allowed, and the role Graph still checks is named', () => {
    const s = buildAuthStatus(new StaticTokenProvider(jwt({ scp: 'CloudPC.ReadWrite.All', upn: 'megan@contoso.com', tid: 't1' })), ctx);
    expect(s).toMatchObject({ signedIn: true, kind: 'delegated', user: 'megan@contoso.com', tenantId: 't1', retry: 'allowed' });
    expect(s.retryReason).toMatch(/BulkActions\/Write/);
    expect(formatAuthStatus(s)).toMatch(/^Signed in as megan@contoso\.com \(tenant t1\) with Operator-supplied access token \(delegated\)/);
  });

  it('delegated with read only: not allowed; the fix for an operator token is a better token', () => {
    const s = buildAuthStatus(new StaticTokenProvider(jwt({ scp: 'CloudPC.Read.All User.Read' })), ctx);
    expect(s).toMatchObject({ retry: 'not-allowed', scopes: ['CloudPC.Read.All', 'User.Read'] });
    expect(s.retryFix).toMatch(/CLOUDPC_MCP_ACCESS_TOKEN/);
  });

  it('app-only: not allowed, whatever its roles; the fix is a delegated method', () => {
    const s = buildAuthStatus(new StaticTokenProvider(jwt({ roles: ['CloudPC.ReadWrite.All'], idtyp: 'app' })), ctx);
    expect(s).toMatchObject({ kind: 'app-only', retry: 'not-allowed' });
    expect(s.retryFix).toMatch(/CLOUDPC_MCP_AUTH=devicecode or browser/);
  });

  it('read-only server: not allowed, whatever the token', () => {
    const s = buildAuthStatus(new StaticTokenProvider(jwt({ scp: 'CloudPC.ReadWrite.All' })), { ...ctx, readOnly: true });
    expect(s).toMatchObject({ retry: 'not-allowed', retryFix: expect.stringMatching(/CLOUDPC_MCP_READ_ONLY/) });
  });

  it('an opaque token: unknown, Graph decides', () => {
    expect(buildAuthStatus(new StaticTokenProvider('opaque-token-value'), ctx)).toMatchObject({ retry: 'unknown' });
  });

  it('not signed in yet with device code: unknown, with the scope it will ask for and the consent link for the tenant and app', () => {
    const p = createTokenProvider({ method: 'devicecode', cloud: CLOUDS.usgov, tenantId: 'contoso.us', env: {} }, silentLogger);
    const s = buildAuthStatus(p, ctx);
    expect(s).toMatchObject({ signedIn: false, kind: 'delegated', cloud: 'usgov', retry: 'unknown' });
    expect(s.retryReason).toContain('https://graph.microsoft.us/CloudPC.ReadWrite.All');
    expect(s.retryReason).toContain(
      'https://login.microsoftonline.us/contoso.us/adminconsent?client_id=14d82eec-204b-4c2f-b7e8-296a70dab67e',
    );
    expect(formatAuthStatus(s)).toMatch(/^Not signed in \(Device code sign-in, usgov cloud\)\. Call auth_status with signIn: true/);
  });

  it('a delegated sign-in without the permission: the admin consent link for that tenant and app, then sign in again', async () => {
    const token = jwt({ scp: 'CloudPC.Read.All', upn: 'megan@contoso.com' });
    const p = createTokenProvider(
      { method: 'devicecode', cloud: CLOUDS.global, tenantId: 'contoso.com', clientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', env: {} },
      silentLogger,
      undefined,
      { credentialFactory: () => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) }) },
    );
    await p.getToken();
    const s = buildAuthStatus(p, ctx);
    expect(s.retry).toBe('not-allowed');
    expect(s.retryFix).toContain(
      'https://login.microsoftonline.com/contoso.com/adminconsent?client_id=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    );
    expect(s.retryFix).toContain('cloudpc-mcp logout');
    expect(JSON.stringify(s)).not.toContain(token);
  });
});
