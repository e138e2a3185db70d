// The cloud table: each cloud's sign-in authority, Graph host and scopes come from one row, and a token for one
// cloud is never requested from another cloud's authority.
import { describe, expect, it } from 'vitest';
import { resolveAuth } from '../../src/auth/resolveAuth.js';
import { CLOUDS, KNOWN_GRAPH_HOSTS, appOnlyScope, delegatedScope } from '../../src/graph/clouds.js';

describe('national clouds', () => {
  it.each([
    ['global', 'https://login.microsoftonline.com', 'https://graph.microsoft.com'],
    ['usgov', 'https://login.microsoftonline.us', 'https://graph.microsoft.us'],
    ['usgovdod', 'https://login.microsoftonline.us', 'https://dod-graph.microsoft.us'],
    ['china', 'https://login.chinacloudapi.cn', 'https://microsoftgraph.chinacloudapi.cn'],
  ] as const)('%s: authority %s, Graph %s, scopes named after that Graph', (name, authority, graph) => {
    const cloud = CLOUDS[name];
    expect(cloud).toMatchObject({ authorityHost: authority, graphRoot: graph, scopeHost: graph });
    expect(delegatedScope(cloud)).toBe(`${graph}/CloudPC.ReadWrite.All`);
    expect(delegatedScope(cloud, 'CloudPC.Read.All')).toBe(`${graph}/CloudPC.Read.All`);
    expect(appOnlyScope(cloud)).toBe(`${graph}/.default`);
    expect(KNOWN_GRAPH_HOSTS.has(new URL(graph).host)).toBe(true);

    // Every credential asks the cloud's own authority, with instance discovery left on for Microsoft's hosts.
    for (const method of ['devicecode', 'browser', 'environment', 'workloadidentity'] as const) {
      const r = resolveAuth({ method, cloud, env: { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' } });
      expect(r.authorityHost).toBe(authority);
      expect(r.disableInstanceDiscovery).toBe(false);
      expect(r.scope.startsWith(`${graph}/`)).toBe(true);
    }
  });

  it('AZURE_AUTHORITY_HOST (a private cloud, a proxy, a test) replaces the authority and turns instance discovery off', () => {
    for (const authorityHost of [
      'https://127.0.0.1:8443',
      'https://login.contoso-private.example',
      'https://login.microsoftonline.com/custom-path',
    ]) {
      const r = resolveAuth({ method: 'devicecode', cloud: CLOUDS.usgov, authorityHost, env: {} });
      expect(r.authorityHost).toBe(authorityHost);
      expect(r.disableInstanceDiscovery).toBe(true);
      expect(r.scope).toBe('https://graph.microsoft.us/CloudPC.ReadWrite.All');
    }
  });
});
