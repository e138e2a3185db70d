import { describe, expect, it } from 'vitest';
import { resolveAuth } from '../../src/auth/resolveAuth.js';
import { CLOUDS } from '../../src/graph/clouds.js';

describe('resolveAuth scopes', () => {
  it.each([
    ['global', undefined, 'https://graph.microsoft.com/CloudPC.ReadWrite.All'],
    ['usgov', undefined, 'https://graph.microsoft.us/CloudPC.ReadWrite.All'],
    ['usgovdod', undefined, 'https://dod-graph.microsoft.us/CloudPC.ReadWrite.All'],
    ['china', undefined, 'https://microsoftgraph.chinacloudapi.cn/CloudPC.ReadWrite.All'],
    ['global', 'CloudPC.Read.All', 'https://graph.microsoft.com/CloudPC.Read.All'],
  ] as const)('%s delegated sign-in (permission %s) asks for %s from the cloud authority', (cloud, permission, scope) => {
    const r = resolveAuth({ method: 'devicecode', cloud: CLOUDS[cloud], permission, env: {} });
    expect(r.scope).toBe(scope);
    expect(r.authorityHost).toBe(CLOUDS[cloud].authorityHost);
    expect(r.disableInstanceDiscovery).toBe(false);
  });

  it('app-only methods ask for /.default of the cloud', () => {
    const r = resolveAuth({
      method: 'environment',
      cloud: CLOUDS.usgov,
      env: { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' },
    });
    expect(r.scope).toBe('https://graph.microsoft.us/.default');
    expect(r.delegated).toBe(false);
  });

  it('a custom authority skips instance discovery, so nothing goes to a public host', () => {
    const r = resolveAuth({ method: 'devicecode', cloud: CLOUDS.global, authorityHost: 'https://127.0.0.1:8443', env: {} });
    expect(r.authorityHost).toMatch(/^https:\/\/127\.0\.0\.1:8443/);
    expect(r.disableInstanceDiscovery).toBe(true);
  });
});
