// Browser sign-in with the real InteractiveBrowserCredential: the chat is told a window was opened, the "browser"
// (a stand-in honouring BROWSER, as xdg-open does) signs in at the Entra stand-in with PKCE, and the sign-in
// is kept like a device code one.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER } from '../support/entra/tenant.js';
import { fakeBrowser, startWorld, type World } from '../support/entra/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

describe('browser sign-in', () => {
  it('the chat hears a window was opened; the next call succeeds; a restart needs no browser', async () => {
    const browser = fakeBrowser(world.home);
    const env = { CLOUDPC_MCP_AUTH: 'browser', BROWSER: browser.env, CLOUDPC_MCP_TOKEN_CACHE: 'unencrypted' };
    const server = await world.start(env);
    const first = await server.call('list_cloud_pcs', { limit: 1 });
    expect(first.isError).toBe(true);
    expect(first.text).toContain('A browser window was opened to sign in to Microsoft Graph');
    const second = await server.call('list_cloud_pcs', { limit: 1 });
    expect(second.isError, second.text).toBeFalsy();
    const status = await server.call('auth_status');
    expect(status.structuredContent).toMatchObject({ method: 'browser', signedIn: true, user: USER.upn, retry: 'allowed' });
    await server.close();

    const [opened] = browser.opened();
    expect(new URL(opened!).pathname).toBe('/organizations/oauth2/v2.0/authorize');
    expect(new URL(opened!).searchParams.get('code_challenge_method')).toBe('S256');

    const restarted = await world.start(env);
    expect((await restarted.call('list_cloud_pcs', { limit: 1 })).isError).toBeFalsy();
    await restarted.close();
    expect(browser.opened()).toHaveLength(1);
    expect(world.trap.attempts).toEqual([]);
  });

  it('consent declined in the browser: a clear error naming what to do', async () => {
    const undo = world.entra.script({ flow: 'authorize', aadsts: 65004 });
    try {
      const browser = fakeBrowser(world.home);
      const server = await world.start({
        CLOUDPC_MCP_AUTH: 'browser',
        BROWSER: browser.env,
        CLOUDPC_MCP_CONFIG_DIR: path.join(world.home, 'declined'),
        CLOUDPC_MCP_TOKEN_CACHE: 'none',
      });
      expect((await server.call('list_cloud_pcs', { limit: 1 })).text).toContain('A browser window was opened');
      const second = await server.call('list_cloud_pcs', { limit: 1 });
      expect(second.isError).toBe(true);
      expect(second.text).toMatch(/consent was declined/);
      await server.close();
    } finally {
      undo();
    }
  });
});
