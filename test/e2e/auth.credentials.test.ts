// auth_status and the tools for each kind of credential that can run on this machine: an operator token, a service
// principal (client secret) and workload identity against the Entra stand-in (app-only: reads work, retry is
// refused with the fix), and Azure CLI where it is not installed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { CLIENT_ID, CLIENT_SECRET, TENANT_DOMAIN, TENANT_ID, USER } from '../support/entra/tenant.js';
import { expectNoSecrets, startWorld, type World } from '../support/entra/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

describe('auth_status for each credential', () => {
  it('operator token: who, tenant, scopes and expiry from the token itself; no sign-in traffic', async () => {
    const before = world.entra.requests.length;
    const server = await world.start({ CLOUDPC_MCP_AUTH: 'auto', CLOUDPC_MCP_ACCESS_TOKEN: world.entra.delegatedToken });
    const status = await server.call('auth_status');
    expect(status.structuredContent).toMatchObject({
      method: 'token',
      kind: 'delegated',
      signedIn: true,
      user: USER.upn,
      tenantId: TENANT_ID,
      scopes: ['CloudPC.ReadWrite.All', 'CloudPC.Read.All'],
      retry: 'allowed',
      expiresOn: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect((await server.call('list_cloud_pcs', { limit: 1 })).isError).toBeFalsy();
    expect(world.entra.requests.length).toBe(before);
    expectNoSecrets(world, status.text, JSON.stringify(status.structuredContent), server.stderr());
    await server.close();
  });

  it('service principal (client secret): app-only; reads work, one token request for a burst, retry refused with the fix', async () => {
    const before = world.entra.grants('client_credentials').length;
    const server = await world.start({
      CLOUDPC_MCP_AUTH: 'auto',
      AZURE_TENANT_ID: TENANT_ID,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_CLIENT_SECRET: CLIENT_SECRET,
    });
    const reads = await Promise.all(Array.from({ length: 4 }, () => server.call('list_cloudpc_bulk_actions', { limit: 1 })));
    for (const r of reads) expect(r.isError, r.text).toBeFalsy();
    expect(world.entra.grants('client_credentials').length - before).toBe(1);

    const retry = await server.call('retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart });
    expect(retry.isError).toBe(true);
    expect(retry.text).toMatch(/delegated/i);
    expect(world.sim.retries).toHaveLength(0);

    const status = await server.call('auth_status');
    expect(status.structuredContent).toMatchObject({
      method: 'environment',
      kind: 'app-only',
      signedIn: true,
      tenantId: TENANT_ID,
      roles: ['CloudPC.Read.All'],
      retry: 'not-allowed',
      retryFix: expect.stringContaining('CLOUDPC_MCP_AUTH=devicecode or browser'),
    });
    expect(status.text).toContain('Signed in as an application');
    expectNoSecrets(world, status.text, retry.text, server.stderr());
    await server.close();
  });

  it('service principal with a wrong secret: the AADSTS reason and what to check, never the secret', async () => {
    const server = await world.start({
      CLOUDPC_MCP_AUTH: 'environment',
      AZURE_TENANT_ID: TENANT_ID,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_CLIENT_SECRET: 'not-the-right-secret-value',
    });
    const status = await server.call('auth_status');
    expect(status.structuredContent).toMatchObject({
      signedIn: false,
      problem: expect.stringContaining('client secret or certificate was rejected'),
    });
    expect(status.text).toContain('AADSTS7000215');
    expect(status.text + server.stderr()).not.toContain('not-the-right-secret-value');
    await server.close();
  });

  it('workload identity: the federated token file is exchanged at the stand-in for an app-only token', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcp-wi-'));
    const file = path.join(dir, 'token');
    writeFileSync(file, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y3BjIn0.c2ln');
    const server = await world.start({
      CLOUDPC_MCP_AUTH: 'auto',
      AZURE_TENANT_ID: TENANT_ID,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_FEDERATED_TOKEN_FILE: file,
    });
    const status = await server.call('auth_status');
    expect(status.structuredContent).toMatchObject({ method: 'workloadidentity', kind: 'app-only', signedIn: true, retry: 'not-allowed' });
    await server.close();
  });

  it('Azure CLI that is not installed: says so, and how to install and sign in', async () => {
    const emptyPath = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcp-nopath-'));
    const server = await world.start({ CLOUDPC_MCP_AUTH: 'azurecli', PATH: emptyPath, AZURE_TENANT_ID: TENANT_DOMAIN });
    const status = await server.call('auth_status');
    expect(status.isError).toBeFalsy();
    expect(status.structuredContent).toMatchObject({
      method: 'azurecli',
      signedIn: false,
      problem: expect.stringContaining('Azure CLI is not installed'),
    });
    expect(status.text).toContain(`az login --tenant ${TENANT_DOMAIN}`);
    const r = await server.call('list_cloud_pcs');
    expect(r.isError).toBe(true);
    expect(r.text).toContain('Azure CLI is not installed');
    await server.close();
  });
});
