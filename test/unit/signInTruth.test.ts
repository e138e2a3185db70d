// What the server says about an operator token (CLOUDPC_MCP_ACCESS_TOKEN) and about a failed dry run, as tables:
// auth_status for each kind of token, the refusal of a token for another cloud or resource, the fix for a 401, and
// the heading of a failure by what the call did.
import { describe, expect, it } from 'vitest';
import { audienceRefusal, StaticTokenProvider } from '../../src/auth/credentials/staticToken.js';
import { buildAuthStatus, formatAuthStatus } from '../../src/auth/statusReport.js';
import { describeToken } from '../../src/auth/tokenClaims.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import { CLOUDS } from '../../src/graph/clouds.js';
import { describeGraphError, GraphError, type GraphErrorInit } from '../../src/graph/errors.js';
import { describeError, operationOf } from '../../src/mcp/describeError.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (payload: Record<string, unknown>) =>
  `${b64({ alg: 'RS256' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600, ...payload })}.c2ln`;
const ctx = { readOnly: false, simulated: false };
const status = (token: string, cloud = CLOUDS.global) => buildAuthStatus(new StaticTokenProvider(token, { cloud }), ctx);

describe('auth_status with an operator token', () => {
  it('opaque: "opaque: permissions and expiry unknown", a usable token, retry unknown; never "not signed in"', () => {
    const s = status('opaque-operator-token');
    expect(s).toMatchObject({ method: 'token', signedIn: true, retry: 'unknown' });
    const text = formatAuthStatus(s);
    expect(text).toMatch(/^Operator token \(CLOUDPC_MCP_ACCESS_TOKEN\), opaque: permissions and expiry unknown, global cloud\.\n/);
    expect(text).not.toMatch(/Not signed in|signIn: true/);
  });

  it('expired: not usable, and the fix is a fresh token, never a sign-in', () => {
    const s = status(jwt({ scp: 'CloudPC.ReadWrite.All', exp: 1_000 }));
    expect(s).toMatchObject({
      signedIn: false,
      retry: 'not-allowed',
      retryFix: expect.stringMatching(/^Put a fresh Microsoft Graph token in CLOUDPC_MCP_ACCESS_TOKEN/),
    });
    expect(formatAuthStatus(s)).not.toMatch(/signIn: true/);
  });

  it.each([
    ['usgov token, global server', 'https://graph.microsoft.us', CLOUDS.global, /set CLOUDPC_MCP_CLOUD=usgov/],
    ['global token, usgov server', 'https://graph.microsoft.com/', CLOUDS.usgov, /set CLOUDPC_MCP_CLOUD=global/],
    [
      'a token for Azure Resource Manager',
      'https://management.azure.com',
      CLOUDS.global,
      /not for Microsoft Graph.*az account get-access-token --resource https:\/\/graph\.microsoft\.com/s,
    ],
  ])('%s: refused with the fix; retry never "allowed"', (_, aud, cloud, fix) => {
    const s = status(jwt({ aud, scp: 'CloudPC.ReadWrite.All' }), cloud);
    expect(s).toMatchObject({ signedIn: false, retry: 'not-allowed' });
    expect(`${s.retryReason} ${s.retryFix}`).toMatch(fix);
    expect(formatAuthStatus(s)).not.toContain('Retry: allowed');
  });

  it.each([
    ['the cloud it is configured for', 'https://graph.microsoft.us', CLOUDS.usgov],
    ["Graph's application id", '00000003-0000-0000-c000-000000000000', CLOUDS.usgov],
    ['no audience at all (opaque)', undefined, CLOUDS.global],
  ])('a token for %s is not refused', (_, aud, cloud) => {
    const info = aud === undefined ? describeToken('opaque') : describeToken(jwt({ aud }));
    expect(audienceRefusal(info, cloud)).toBeUndefined();
  });

  it('a refused token is never handed out, and the refusal is logged once at start-up without the token', async () => {
    const lines: string[] = [];
    const token = jwt({ aud: 'https://graph.microsoft.us', scp: 'CloudPC.ReadWrite.All' });
    const p = new StaticTokenProvider(token, { cloud: CLOUDS.global, logger: createLogger('info', (l) => lines.push(l)) });
    expect(p.readyToken()).toBeUndefined();
    await expect(p.getToken()).rejects.toMatchObject({
      code: 'invalid_configuration',
      message: expect.stringMatching(/CLOUDPC_MCP_CLOUD=usgov/),
    });
    expect(lines).toHaveLength(1);
    expect(lines.join()).not.toContain(token);
  });

  it('under --simulate, says that CLOUDPC_MCP_ACCESS_TOKEN is ignored', () => {
    const sim = { description: 'embedded simulator token', delegated: true, getToken: async () => 'x' };
    expect(buildAuthStatus(sim, { readOnly: false, simulated: true, accessTokenIgnored: true }).why).toMatch(
      /CLOUDPC_MCP_ACCESS_TOKEN is set but ignored/,
    );
    expect(buildAuthStatus(sim, { readOnly: false, simulated: true }).why).not.toMatch(/CLOUDPC_MCP_ACCESS_TOKEN/);
  });
});

function graphError(over: Partial<GraphErrorInit>): GraphError {
  return new GraphError({
    kind: 'http',
    message: 'x',
    method: 'GET',
    path: '/deviceManagement/virtualEndpoint/bulkActions/ba-1',
    clientRequestId: 'c',
    attempts: 1,
    ...over,
  });
}

describe('a 401', () => {
  const deps = (tokens: () => unknown) => ({ logger: silentLogger, tokens: tokens as never });

  it('with an operator token: replace the token', () => {
    const t = describeError(
      graphError({ status: 401 }),
      'read',
      deps(() => new StaticTokenProvider('opaque')),
    );
    expect(t).toContain('Graph rejected the operator token (CLOUDPC_MCP_ACCESS_TOKEN)');
    expect(t).toContain('Put a fresh Microsoft Graph token in CLOUDPC_MCP_ACCESS_TOKEN');
    expect(t).not.toMatch(/[Ss]ign in again/);
  });

  it('with any other sign-in: sign in again', () => {
    const t = describeError(
      graphError({ status: 401 }),
      'read',
      deps(() => ({ description: 'x', delegated: true, getToken: async () => 't' })),
    );
    expect(t).toMatch(/Sign in again/);
  });
});

describe('the heading of a failure says what the call did', () => {
  it.each([
    ['read', {}, 'read'],
    ['destructive', { bulkActionId: 'x' }, 'retry'],
    ['destructive', { bulkActionId: 'x', dryRun: false }, 'retry'],
    ['destructive', { bulkActionId: 'x', dryRun: true }, 'dryRun'],
  ] as const)('%s tool with %j → %s', (kind, args, op) => {
    expect(operationOf(kind, args)).toBe(op);
  });

  it.each([
    [{ status: 404 }, /^Dry run of the retry of bulk action ba-1 failed \(HTTP 404\); nothing was retried\.\nNot found/],
    [
      { kind: 'timeout', ambiguous: true, timeoutMs: 1500 },
      /^Dry run of the retry of bulk action ba-1 failed; nothing was retried\.\nDeadline hit/,
    ],
    [
      { status: 500, ambiguous: true },
      /^Dry run of the retry of bulk action ba-1 failed \(HTTP 500\); nothing was retried\.\nGraph had a service error/,
    ],
  ] as const)('a dry run failing with %j is headed as a dry run, and never "may have been accepted"', (over, heading) => {
    const t = describeGraphError(graphError(over), { operation: 'dryRun', what: 'bulk action ba-1' });
    expect(t).toMatch(heading);
    expect(t).not.toMatch(/Retrying|MAY HAVE BEEN ACCEPTED/);
  });
});
