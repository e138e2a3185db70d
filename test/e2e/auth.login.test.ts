// `cloudpc-mcp login` / `logout` in a terminal, and what happens where the OS keychain add-on is not installed (as on
// this machine): by default the sign-in is kept in the private file and survives restarts; with
// CLOUDPC_MCP_TOKEN_CACHE=keychain it works but is not kept, and every message says so and how to add the keychain.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './harness.js';
import { CLIENT_ID, CLIENT_SECRET, TENANT_ID, USER } from '../support/entra/tenant.js';
import { expectNoSecrets, startWorld, userCodeIn, type World } from '../support/entra/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

/** Runs the command; `onStderr` sees the output so far each time more arrives (the test plays the user there). */
function run(args: string[], env: Record<string, string>, onStderr: (soFar: string) => void = () => {}) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString('utf8');
    onStderr(err);
  });
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out, err })),
  );
}

/** Approves the first device code the output shows, once. */
function approver() {
  let done = false;
  return (soFar: string) => {
    if (done || !/enter the code [A-Z0-9]+/.test(soFar)) return;
    done = true;
    world.entra.approve(userCodeIn(soFar));
  };
}

describe('cloudpc-mcp login and logout', () => {
  it('login shows the code in the terminal and saves the sign-in; the server then needs none; logout forgets it', async () => {
    const env = world.env({ CLOUDPC_MCP_TOKEN_CACHE: 'unencrypted', CLOUDPC_MCP_CONFIG_DIR: path.join(world.home, 'login') });
    const codes = world.entra.deviceCodes().length;
    const login = await run(['login'], env, approver());
    expect(login.code, login.err).toBe(0);
    expect(login.err).toMatch(
      /To sign in, open https:\/\/127\.0\.0\.1:\d+\/devicelogin in a browser on any device and enter the code [A-Z0-9]+/,
    );
    expect(login.err).toContain(`Signed in as ${USER.upn}`);
    expect(login.err).toContain('The MCP server will use this sign-in without asking');
    expect(world.entra.deviceCodes()).toHaveLength(codes + 1);

    const server = await world.start({ CLOUDPC_MCP_TOKEN_CACHE: 'unencrypted', CLOUDPC_MCP_CONFIG_DIR: path.join(world.home, 'login') });
    const r = await server.call('list_cloudpc_bulk_actions', { limit: 1 });
    expect(r.isError, r.text).toBeFalsy();
    await server.close();
    expect(world.entra.deviceCodes()).toHaveLength(codes + 1);

    const logout = await run(['logout'], env);
    expect(logout.code, logout.err).toBe(0);
    expect(logout.err).toContain(`Signed out ${USER.upn}: removed 2 file(s)`);
    expect(readdirSync(path.join(world.home, 'login'))).toEqual([]);

    const after = await world.start({ CLOUDPC_MCP_TOKEN_CACHE: 'unencrypted', CLOUDPC_MCP_CONFIG_DIR: path.join(world.home, 'login') });
    const again = await after.call('list_cloudpc_bulk_actions', { limit: 1 });
    expect(again.isError).toBe(true);
    userCodeIn(again.text);
    await after.close();
    expectNoSecrets(world, login.out, login.err, logout.err, r.text, again.text);
  });

  it('login where nothing can keep the tokens: signs in, then says plainly it was not saved and what to do', async () => {
    const env = world.env({ CLOUDPC_MCP_TOKEN_CACHE: 'keychain', CLOUDPC_MCP_CONFIG_DIR: path.join(world.home, 'nokeep') });
    const login = await run(['login'], env, approver());
    expect(login.code).toBe(1);
    expect(login.err).toContain('The sign-in could not be saved for the MCP server.');
    expect(login.err).toMatch(/not available here.*CLOUDPC_MCP_TOKEN_CACHE=unencrypted/s);
    expect(login.out).toBe('');
  });

  it('login with an app-only configuration explains there is nothing to log in to', async () => {
    const env = world.env({
      CLOUDPC_MCP_AUTH: 'environment',
      AZURE_TENANT_ID: TENANT_ID,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_CLIENT_SECRET: CLIENT_SECRET,
    });
    const login = await run(['login'], env);
    expect(login.code).toBe(2);
    expect(login.err).toMatch(/Nothing to log in to: this configuration signs in with Environment credential/);
    expect(login.err).not.toContain(CLIENT_SECRET);
  });
});

describe('without the OS keychain add-on', () => {
  it('by default the sign-in is kept in the private file: auth_status and the start-up log say where, and a restart asks nothing', async () => {
    const dir = path.join(world.home, 'auto');
    const server = await world.start({ CLOUDPC_MCP_CONFIG_DIR: dir });
    const first = await server.call('list_cloud_pcs', { limit: 1 });
    expect(first.text).not.toMatch(/will not be remembered/);
    world.entra.approve(userCodeIn(first.text));
    expect((await server.call('list_cloud_pcs', { limit: 1 })).isError).toBeFalsy();
    const status = await server.call('auth_status');
    const cacheFile = path.join(dir, 'token-cache-cloudpc-mcp.json');
    expect(status.structuredContent).toMatchObject({ signedIn: true, tokenCache: { setting: 'auto', tokenCache: 'unencrypted-file' } });
    expect(status.text).toContain(`kept in ${cacheFile}, readable only by your user (not encrypted`);
    expect(status.text).toContain('npm install -g @azure/identity-cache-persistence');
    const log = server.stderr();
    await server.close();
    // The default is not an alarm: no WARNING, the plain summary once.
    expect(log).not.toMatch(/WARNING/);
    expect(log).toContain(`kept in ${cacheFile}`);
    expect(readdirSync(dir).sort()).toEqual([expect.stringMatching(/^signin-/), 'token-cache-cloudpc-mcp.json']);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);

    const codes = world.entra.deviceCodes().length;
    const restarted = await world.start({ CLOUDPC_MCP_CONFIG_DIR: dir });
    const status2 = await restarted.call('auth_status');
    expect(status2.structuredContent).toMatchObject({ signedIn: true, user: USER.upn });
    expect((await restarted.call('list_cloud_pcs', { limit: 1 })).isError).toBeFalsy();
    await restarted.close();
    expect(world.entra.deviceCodes()).toHaveLength(codes);
  });

  it('with CLOUDPC_MCP_TOKEN_CACHE=keychain the prompt says the sign-in will not be remembered and how to add the keychain; a restart asks again, and says why', async () => {
    const dir = path.join(world.home, 'keychain');
    const env = { CLOUDPC_MCP_CONFIG_DIR: dir, CLOUDPC_MCP_TOKEN_CACHE: 'keychain' };
    const server = await world.start(env);
    const first = await server.call('list_cloud_pcs', { limit: 1 });
    expect(first.text).toMatch(
      /This sign-in will not be remembered when the server restarts: .* is not available here \(the keychain add-on @azure\/identity-cache-persistence is not installed\)/,
    );
    expect(first.text).toContain('npx -y -p cloudpc-mcp -p @azure/identity-cache-persistence cloudpc-mcp');
    expect(first.text).toContain('CLOUDPC_MCP_TOKEN_CACHE=unencrypted');
    world.entra.approve(userCodeIn(first.text));
    expect((await server.call('list_cloud_pcs', { limit: 1 })).isError).toBeFalsy();
    const status = await server.call('auth_status');
    expect(status.structuredContent).toMatchObject({ signedIn: true, tokenCache: { setting: 'keychain', tokenCache: 'memory' } });
    expect(status.text).toMatch(/will not be remembered/);
    await server.close();
    // Only the record was kept (it holds no secret): never a token in a file the user chose against.
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^signin-/)]);
    expect(existsSync(path.join(dir, 'token-cache-cloudpc-mcp.json'))).toBe(false);

    const restarted = await world.start(env);
    const status2 = await restarted.call('auth_status');
    expect(status2.structuredContent).toMatchObject({ signedIn: false, tokenCache: { savedUser: USER.upn } });
    const again = await restarted.call('list_cloud_pcs', { limit: 1 });
    expect(again.text).toContain(
      `The sign-in for ${USER.upn} from before the restart was not kept, because tokens are kept in memory only.`,
    );
    userCodeIn(again.text);
    await restarted.close();
  });
});
