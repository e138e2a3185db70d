// Device code sign-in in the chat, against the Entra stand-in with the real @azure/identity and MSAL:
// the code comes back as the tool result, the user approves it, the next call works. Failures (declined, expired,
// no consent, wrong tenant) are clear tool errors and the server keeps serving. Nothing goes to a public host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { TENANT_DOMAIN, TENANT_ID, USER } from '../support/entra/tenant.js';
import { expectNoSecrets, startWorld, userCodeIn, type World } from '../support/entra/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

describe('device code sign-in in the chat', () => {
  it('the code is the tool result; after approval the next call succeeds; auth_status tells the truth throughout', async () => {
    const server = await world.start({ CLOUDPC_MCP_TOKEN_CACHE: 'none' });
    const before = await server.call('auth_status');
    expect(before.isError).toBeFalsy();
    expect(before.structuredContent).toMatchObject({ method: 'devicecode', signedIn: false, retry: 'unknown' });
    expect(world.entra.deviceCodes()).toHaveLength(0); // reporting never starts a sign-in

    const first = await server.call('list_cloudpc_bulk_actions', { limit: 2 });
    expect(first.isError).toBe(true);
    expect(first.text).toContain(`open ${world.entra.url}/devicelogin and enter the code`);
    const code = userCodeIn(first.text);
    expect(world.entra.deviceCodes().map((c) => c.userCode)).toEqual([code]);

    const pending = await server.call('auth_status');
    expect(pending.structuredContent).toMatchObject({ signedIn: false, pendingSignIn: { kind: 'deviceCode', userCode: code } });

    world.entra.approve(code);
    const second = await server.call('list_cloudpc_bulk_actions', { limit: 2 });
    expect(second.isError).toBeFalsy();
    expect(second.text).toMatch(/bulk action/i);

    const after = await server.call('auth_status');
    expect(after.structuredContent).toMatchObject({
      method: 'devicecode',
      kind: 'delegated',
      signedIn: true,
      user: USER.upn,
      tenantId: TENANT_ID,
      retry: 'allowed',
      scopes: expect.arrayContaining(['CloudPC.ReadWrite.All']),
    });
    expect(after.text).toContain(`Signed in as ${USER.upn}`);

    // The retry itself goes through with the token the user signed in for.
    const retry = await server.call('retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(retry.isError).toBeFalsy();
    expect(world.entra.deviceCodes()).toHaveLength(1);

    // Only the stand-in was asked, and never for instance discovery: a custom authority skips it.
    expect(world.trap.attempts).toEqual([]);
    expect(world.entra.requests.every((r) => !r.path.includes('discovery/instance'))).toBe(true);
    expect(new Set(world.entra.requests.map((r) => r.path.split('/').slice(2).join('/')))).toEqual(
      new Set(['v2.0/.well-known/openid-configuration', 'oauth2/v2.0/devicecode', 'oauth2/v2.0/token']),
    );
    expectNoSecrets(world, first.text, second.text, after.text, JSON.stringify(after.structuredContent), server.stderr());
    // The prompt travelled as MCP messages only: nothing else appeared on stdout.
    expect(server.protocolErrors).toEqual([]);
    expect(server.stderr()).toContain(`"userCode":"${code}"`);
    await server.close();
  });

  it('a declined sign-in is a clear tool error, the server keeps running, and the next call offers a new code', async () => {
    const server = await world.start({ CLOUDPC_MCP_TOKEN_CACHE: 'none' });
    const first = await server.call('list_cloud_pcs');
    const code = userCodeIn(first.text);
    world.entra.decline(code);
    const second = await server.call('list_cloud_pcs');
    expect(second.isError).toBe(true);
    expect(second.text).toMatch(/declined/);
    expect(second.text).not.toContain(code);
    const third = await server.call('list_cloud_pcs');
    expect(third.isError).toBe(true);
    expect(userCodeIn(third.text)).not.toBe(code);
    await server.close();
  });

  it('a code that expires unused is a clear tool error naming what to do', async () => {
    world.entra.lifetimes.deviceCodeSec = 2;
    try {
      const server = await world.start({ CLOUDPC_MCP_TOKEN_CACHE: 'none' });
      userCodeIn((await server.call('list_cloud_pcs')).text);
      const second = await server.call('list_cloud_pcs');
      expect(second.isError).toBe(true);
      expect(second.text).toMatch(/code expired before it was used\. Call the tool again/);
      await server.close();
    } finally {
      world.entra.lifetimes.deviceCodeSec = 900;
    }
  });

  it('AADSTS65001 after the user signs in becomes the admin consent link for this tenant and app', async () => {
    const undo = world.entra.script({ flow: 'device_code', aadsts: 65001 });
    try {
      const server = await world.start({ CLOUDPC_MCP_TOKEN_CACHE: 'none', AZURE_TENANT_ID: TENANT_DOMAIN });
      const code = userCodeIn((await server.call('list_cloud_pcs')).text);
      world.entra.approve(code);
      const second = await server.call('list_cloud_pcs');
      expect(second.isError).toBe(true);
      expect(second.text).toContain('has not been consented');
      expect(second.text).toContain(`${world.entra.url}/${TENANT_DOMAIN}/adminconsent?client_id=14d82eec-204b-4c2f-b7e8-296a70dab67e`);
      expect(second.text).toContain('AADSTS65001');
      await server.close();
    } finally {
      undo();
    }
  });

  it('a tenant the authority does not know: a clear error before any prompt', async () => {
    const server = await world.start({ CLOUDPC_MCP_TOKEN_CACHE: 'none', AZURE_TENANT_ID: 'fabrikam.example' });
    const codes = world.entra.deviceCodes().length;
    const r = await server.call('list_cloud_pcs');
    expect(r.isError).toBe(true);
    expect(r.text).toMatch(/tenant fabrikam\.example was not found/);
    expect(r.text).toContain('AADSTS90002');
    expect(world.entra.deviceCodes()).toHaveLength(codes);
    const status = await server.call('auth_status');
    expect(status.structuredContent).toMatchObject({ signedIn: false, problem: expect.stringMatching(/fabrikam\.example/) });
    await server.close();
  });
});
