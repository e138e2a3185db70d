// Sign in once: the saved sign-in (AuthenticationRecord + token cache) carries over server restarts, refreshes when
// the access token is due, and asks the user again only when Entra says the refresh token is dead, saying why.
// There is no OS keychain on this machine, so these runs use the explicitly requested unencrypted cache.
import { statSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TENANT_ID, USER } from '../support/entra/tenant.js';
import { expectNoSecrets, startWorld, userCodeIn, type Server, type World } from '../support/entra/world.js';

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  await world?.close();
});

const UNENCRYPTED = { CLOUDPC_MCP_TOKEN_CACHE: 'unencrypted' };

async function signIn(server: Server): Promise<void> {
  const first = await server.call('list_cloud_pcs', { limit: 1 });
  expect(first.isError).toBe(true);
  world.entra.approve(userCodeIn(first.text));
  const second = await server.call('list_cloud_pcs', { limit: 1 });
  expect(second.isError, second.text).toBeFalsy();
}

const mode = (p: string) => statSync(p).mode & 0o777;

describe('a delegated sign-in survives restarts', () => {
  it('signed in once, the next ten restarts ask nothing and send no token request', async () => {
    const first = await world.start(UNENCRYPTED);
    await signIn(first);
    const firstLog = first.stderr();
    await first.close();
    expect(firstLog).toMatch(/WARNING: CLOUDPC_MCP_TOKEN_CACHE=unencrypted: the refresh token is stored UNENCRYPTED/);

    // What is on disk: a private directory, the record (no secrets) and the token cache the user asked for.
    const dir = path.join(world.home, 'config');
    const files = readdirSync(dir).sort();
    expect(files).toEqual([expect.stringMatching(/^signin-global-[0-9a-f]{16}\.json$/), 'token-cache-cloudpc-mcp.json']);
    expect(mode(dir)).toBe(0o700);
    for (const f of files) expect(mode(path.join(dir, f))).toBe(0o600);
    const record = readFileSync(path.join(dir, files[0]!), 'utf8');
    expect(JSON.parse(record)).toMatchObject({ username: USER.upn, tenantId: TENANT_ID, version: '1.0' });
    expectNoSecrets(world, record);

    const grantsAfterSignIn = world.entra.requests.filter((r) => r.grant).length;
    const outputs: string[] = [];
    for (let restart = 1; restart <= 10; restart++) {
      const server = await world.start(UNENCRYPTED);
      if (restart === 1) {
        // Before any other call: the status finds the saved account on its own, without asking anyone.
        const status = await server.call('auth_status');
        expect(status.structuredContent).toMatchObject({
          signedIn: true,
          user: USER.upn,
          retry: 'allowed',
          tokenCache: { setting: 'unencrypted', tokenCache: 'unencrypted-file', savedUser: USER.upn },
        });
        outputs.push(status.text);
      }
      const r = await server.call('list_cloudpc_bulk_actions', { limit: 1 });
      expect(r.isError, `restart ${restart}: ${r.text}`).toBeFalsy();
      outputs.push(r.text, server.stderr());
      await server.close();
    }
    expect(world.entra.deviceCodes()).toHaveLength(1);
    // The cached access token was still good: not even a refresh.
    expect(world.entra.requests.filter((r) => r.grant).length).toBe(grantsAfterSignIn);
    expect(world.trap.attempts).toEqual([]);
    expectNoSecrets(world, ...outputs);
  });

  it('an access token that is due is refreshed once for a burst of calls, with no prompt', async () => {
    // Under MSAL's five-minute margin, so the cached token is due at the next start.
    world.entra.lifetimes.accessTokenSec = 120;
    await signIn(await world.start(UNENCRYPTED));
    world.entra.lifetimes.accessTokenSec = 3600;
    const refreshes = world.entra.grants('refresh_token').length;

    const server = await world.start(UNENCRYPTED);
    const burst = await Promise.all(Array.from({ length: 5 }, () => server.call('list_cloudpc_bulk_actions', { limit: 1 })));
    for (const r of burst) expect(r.isError, r.text).toBeFalsy();
    expect(world.entra.grants('refresh_token').length - refreshes).toBe(1);
    expect(world.entra.deviceCodes()).toHaveLength(1);
  });

  it('an expired refresh token: a new code, with the reason, and that sign-in is kept in turn', async () => {
    world.entra.lifetimes.accessTokenSec = 120;
    await signIn(await world.start(UNENCRYPTED));
    world.entra.lifetimes.accessTokenSec = 3600;
    const undo = world.entra.script({ flow: 'refresh_token', aadsts: 700082 });

    const server = await world.start(UNENCRYPTED);
    const r = await server.call('list_cloud_pcs', { limit: 1 });
    expect(r.isError).toBe(true);
    expect(r.text).toContain(
      `The saved sign-in for ${USER.upn} could not be renewed (invalid_grant: AADSTS700082: The refresh token has expired due to inactivity.`,
    );
    world.entra.approve(userCodeIn(r.text));
    undo();
    expect((await server.call('list_cloud_pcs', { limit: 1 })).isError).toBeFalsy();
    await server.close();

    const again = await world.start(UNENCRYPTED);
    expect((await again.call('list_cloud_pcs', { limit: 1 })).isError).toBeFalsy();
    expect(world.entra.deviceCodes()).toHaveLength(2);
    expectNoSecrets(world, r.text, server.stderr(), again.stderr());
  });
});
