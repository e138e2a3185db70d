// What the user is told about the server's sign-in when it is an operator token (CLOUDPC_MCP_ACCESS_TOKEN), through the
// built server over stdio against the simulator: an opaque token is called opaque, never "not signed in"; a rejected one
// is to be replaced, not signed in again; one for another cloud is never sent. Also: a failed dry run is headed as one.
import { describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { baseEnv, connect, textOf, type Connected } from './harness.js';

const sim = useSimulator({}, { resetEach: true });

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (payload: Record<string, unknown>) =>
  `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600, ...payload })}.c2ln`;
const NO_SUCH_ACTION = '0badc0de-0000-4000-8000-000000000000';

async function withServer<T>(env: Record<string, string>, args: string[], body: (c: Connected) => Promise<T>): Promise<T> {
  const c = await connect({ env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, ...env }), args });
  try {
    return await body(c);
  } finally {
    await c.close();
  }
}
const call = async (c: Connected, name: string, args: Record<string, unknown> = {}) =>
  (await c.client.callTool({ name, arguments: args })) as CallToolResult;

describe('an opaque operator token', () => {
  it('auth_status says "opaque: permissions and expiry unknown", never "not signed in … signIn: true"', async () => {
    await withServer({ CLOUDPC_MCP_ACCESS_TOKEN: sim.token }, [], async (c) => {
      const r = await call(c, 'auth_status');
      expect(r.isError).toBeFalsy();
      expect(textOf(r)).toMatch(/^Operator token \(CLOUDPC_MCP_ACCESS_TOKEN\), opaque: permissions and expiry unknown, global cloud\./);
      expect(textOf(r)).not.toMatch(/Not signed in|signIn: true/);
      expect(r.structuredContent).toMatchObject({ method: 'token', signedIn: true, retry: 'unknown' });
      expect((r.structuredContent as { retryReason: string }).retryReason).toMatch(/opaque.*Graph decides on the first call/);
      expect((await call(c, 'list_cloudpc_bulk_actions', { limit: 1 })).isError).toBeFalsy();
    });
  });

  it('rejected by Graph (401): the fix is to replace the token, not to sign in again', async () => {
    await withServer({ CLOUDPC_MCP_ACCESS_TOKEN: 'revoked-operator-token' }, [], async (c) => {
      const r = await call(c, 'list_cloudpc_bulk_actions', { limit: 1 });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain('(HTTP 401)');
      expect(textOf(r)).toContain('Graph rejected the operator token (CLOUDPC_MCP_ACCESS_TOKEN)');
      expect(textOf(r)).toContain('Put a fresh Microsoft Graph token in CLOUDPC_MCP_ACCESS_TOKEN and restart the server');
      expect(textOf(r)).not.toMatch(/[Ss]ign in again|az login/);
      expect(textOf(r)).not.toContain('revoked-operator-token');
    });
  });
});

describe('an operator token for another cloud', () => {
  const usgovToken = jwt({ aud: 'https://graph.microsoft.us', scp: 'CloudPC.ReadWrite.All', upn: 'megan@contoso.us' });

  it('is refused before anything is sent, with the fix; auth_status never says "Retry: allowed"', async () => {
    await withServer({ CLOUDPC_MCP_ACCESS_TOKEN: usgovToken }, [], async (c) => {
      const list = await call(c, 'list_cloudpc_bulk_actions', { limit: 1 });
      const retry = await call(c, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, confirm: true });
      for (const r of [list, retry]) {
        expect(r.isError).toBe(true);
        expect(textOf(r)).toContain(
          'holds a token for Microsoft Graph in the US Government L4 (GCC High) cloud (https://graph.microsoft.us)',
        );
        expect(textOf(r)).toContain('set CLOUDPC_MCP_CLOUD=usgov');
      }
      expect(sim.requests).toHaveLength(0);

      const status = await call(c, 'auth_status');
      expect(status.structuredContent).toMatchObject({
        signedIn: false,
        retry: 'not-allowed',
        retryFix: expect.stringContaining('CLOUDPC_MCP_CLOUD=usgov'),
      });
      expect(textOf(status)).toMatch(/^Operator token \(CLOUDPC_MCP_ACCESS_TOKEN\) not usable, global cloud\./);
      expect(textOf(status)).not.toContain('Retry: allowed');
      expect(textOf(status) + c.stderr()).not.toContain(usgovToken);
      expect(c.stderr()).toMatch(/error: CLOUDPC_MCP_ACCESS_TOKEN holds a token for Microsoft Graph in the US Government L4/);
    });
  });

  it('is accepted once the configured cloud matches it (the same token, CLOUDPC_MCP_CLOUD=usgov)', async () => {
    await withServer({ CLOUDPC_MCP_ACCESS_TOKEN: usgovToken, CLOUDPC_MCP_CLOUD: 'usgov' }, [], async (c) => {
      const status = await call(c, 'auth_status');
      expect(status.structuredContent).toMatchObject({ signedIn: true, user: 'megan@contoso.us', retry: 'allowed' });
    });
  });
});

describe('--simulate with CLOUDPC_MCP_ACCESS_TOKEN set', () => {
  it('says the token is ignored, in the log at start-up and in auth_status', async () => {
    await withServer({ CLOUDPC_MCP_ACCESS_TOKEN: 'an-operator-token' }, ['--simulate'], async (c) => {
      const r = await call(c, 'auth_status');
      expect(r.structuredContent).toMatchObject({ method: 'simulator', simulated: true });
      expect(textOf(r)).toContain('CLOUDPC_MCP_ACCESS_TOKEN is set but ignored, the simulator needs no token');
      expect(c.stderr()).toContain('--simulate is set, so CLOUDPC_MCP_ACCESS_TOKEN is ignored');
      expect(textOf(r) + c.stderr()).not.toContain('an-operator-token');
    });
  });
});

describe('a dry run that fails', () => {
  it('is headed as a failed dry run, not as a failed retry; a real retry of the same id is headed as a retry', async () => {
    await withServer({ CLOUDPC_MCP_ACCESS_TOKEN: sim.token }, [], async (c) => {
      const dry = await call(c, 'retry_cloudpc_bulk_action', { bulkActionId: NO_SUCH_ACTION, dryRun: true });
      expect(dry.isError).toBe(true);
      expect(textOf(dry)).toMatch(/^Dry run of the retry failed \(HTTP 404\); nothing was retried\./);
      expect(textOf(dry)).not.toContain('Retrying');
      const real = await call(c, 'retry_cloudpc_bulk_action', { bulkActionId: NO_SUCH_ACTION });
      expect(textOf(real)).toMatch(/^Retrying the bulk action failed \(HTTP 404\)\./);
      // The report is read with a POST too (alongside the action); no retry was sent.
      expect(sim.requests.filter((q) => q.method === 'POST' && q.path.endsWith('/retry'))).toHaveLength(0);
    });
  });
});
