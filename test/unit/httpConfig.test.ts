// Remote-mode settings: what is refused (and why it says so), what is derived, what is accepted.
import { describe, expect, it } from 'vitest';
import { formatProblems, loadConfig } from '../../src/config/config.js';

const TENANT = '7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b';
const CLIENT = '3a8e6c1d-2b4f-4e70-9c8d-1e2f3a4b5c6d';
const ENTRA = {
  CLOUDPC_MCP_TRANSPORT: 'http',
  CLOUDPC_MCP_HTTP_AUTH: 'entra',
  AZURE_TENANT_ID: TENANT,
  AZURE_CLIENT_ID: CLIENT,
  AZURE_CLIENT_SECRET: 'secret-value',
};

const ok = (argv: string[], env: Record<string, string> = {}) => {
  const r = loadConfig(argv, env);
  if (!r.ok) throw new Error(formatProblems(r.problems));
  return r.config;
};
const problems = (argv: string[], env: Record<string, string> = {}) => {
  const r = loadConfig(argv, env);
  return r.ok ? '' : r.problems.map((p) => `${p.setting}: ${p.message}`).join('\n');
};

describe('remote mode settings', () => {
  it('stdio stays the default; http listens on 127.0.0.1:8080 without auth, with a warning', () => {
    expect(ok([]).transport).toBe('stdio');
    const c = ok(['--transport', 'http']);
    expect(c.http).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      loopback: true,
      auth: 'none',
      maxBodyBytes: 1_048_576,
      shutdownGraceMs: 25_000,
    });
    expect(c.http.limits).toEqual({
      headersTimeoutMs: 15_000,
      bodyTimeoutMs: 30_000,
      maxConnections: 512,
      rateLimitPerMinute: 60,
      rateLimitBurst: 20,
      trustedProxyHops: 0,
    });
    expect(c.warnings.join()).toMatch(/without authentication: any program on this machine/);
  });

  it.each(['0.0.0.0', '::', '10.1.2.3', 'cloudpc-mcp.contoso.com'])('refuses an unauthenticated bind on %s', (host) => {
    expect(problems(['--transport', 'http', '--host', host])).toMatch(
      /refusing to listen on .* without authentication.*CLOUDPC_MCP_HTTP_AUTH=entra/,
    );
  });

  it.each(['127.0.0.1', '127.0.0.2', 'localhost', '::1'])('allows loopback %s without auth', (host) => {
    expect(ok(['--transport', 'http', '--host', host]).http.loopback).toBe(true);
  });

  it('entra: derives issuer, keys URL and audiences from the cloud, tenant and client id', () => {
    const e = ok([], ENTRA).http.entra!;
    expect(e).toMatchObject({
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      jwksUrl: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
      appIdUri: `api://${CLIENT}`,
      audiences: [`api://${CLIENT}`, CLIENT],
      scope: 'access_as_user',
      authorityHost: 'https://login.microsoftonline.com',
      disableInstanceDiscovery: false,
    });
    const us = ok([], { ...ENTRA, CLOUDPC_MCP_CLOUD: 'usgov' }).http.entra!;
    expect(us.issuer).toBe(`https://login.microsoftonline.us/${TENANT}/v2.0`);
    const custom = ok([], { ...ENTRA, AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443' }).http.entra!;
    expect(custom).toMatchObject({ issuer: `https://127.0.0.1:8443/${TENANT}/v2.0`, disableInstanceDiscovery: true });
  });

  it('entra off loopback needs the public URL, and then is allowed', () => {
    expect(problems(['--host', '0.0.0.0'], ENTRA)).toMatch(/CLOUDPC_MCP_PUBLIC_URL.*https URL clients use/);
    expect(ok(['--host', '0.0.0.0', '--public-url', 'https://mcp.contoso.com/'], ENTRA).http.publicUrl).toBe('https://mcp.contoso.com');
  });

  it.each([
    [{ AZURE_TENANT_ID: 'contoso.onmicrosoft.com' }, /AZURE_TENANT_ID.*Directory \(tenant\) ID, a GUID.*not "contoso\.onmicrosoft\.com"/],
    [{ AZURE_TENANT_ID: '' }, /AZURE_TENANT_ID.*needs the Directory \(tenant\) ID/],
    [{ AZURE_CLIENT_ID: '' }, /AZURE_CLIENT_ID.*Application \(client\) ID of the server's own app registration/],
    [{ AZURE_CLIENT_SECRET: '' }, /AZURE_CLIENT_SECRET \/ AZURE_CLIENT_CERTIFICATE_PATH/],
    [{ CLOUDPC_MCP_ENTRA_SCOPE: 'api://x/access_as_user' }, /CLOUDPC_MCP_ENTRA_SCOPE.*without the api:\/\/ prefix/],
    [{ CLOUDPC_MCP_ENTRA_JWKS_URL: 'http://keys.example.com/keys' }, /CLOUDPC_MCP_ENTRA_JWKS_URL.*must use https/],
    [{ CLOUDPC_MCP_SIMULATE: 'true' }, /CLOUDPC_MCP_SIMULATE.*cannot act as the signed-in user/],
  ])('entra refuses %o', (extra, message) => {
    expect(problems([], { ...ENTRA, ...extra })).toMatch(message);
  });

  it('a certificate may replace the client secret; the operator token is ignored with a warning', () => {
    const c = ok([], {
      ...ENTRA,
      AZURE_CLIENT_SECRET: '',
      AZURE_CLIENT_CERTIFICATE_PATH: '/etc/cloudpc/cert.pem',
      CLOUDPC_MCP_ACCESS_TOKEN: 'eyJx',
    });
    expect(c.http.entra).toMatchObject({ certificatePath: '/etc/cloudpc/cert.pem' });
    expect(c.http.entra!.clientSecret).toBeUndefined();
    expect(c.warnings.join()).toMatch(/CLOUDPC_MCP_ACCESS_TOKEN is ignored in remote mode/);
  });

  it.each([
    [['--public-url', 'http://mcp.contoso.com'], /CLOUDPC_MCP_PUBLIC_URL.*must use https/],
    [['--public-url', 'https://mcp.contoso.com/mcp'], /only scheme and host.*always \/mcp/],
    [['--allowed-origins', 'https://a.contoso.com,*'], /CLOUDPC_MCP_ALLOWED_ORIGINS.*"\*" is not an origin/],
    [['--allowed-origins', 'https://a.contoso.com/app'], /not an origin; give scheme, host and port only/],
    [['--max-body-bytes', '10'], /CLOUDPC_MCP_MAX_BODY_BYTES.*from 1024 to/],
    [['--http-auth', 'basic'], /CLOUDPC_MCP_HTTP_AUTH.*"basic" is not one of: none, entra/],
    [['--transport', 'sse'], /CLOUDPC_MCP_TRANSPORT.*"sse" is not one of: stdio, http/],
    [
      ['--headers-timeout-ms', '20000', '--body-timeout-ms', '10000'],
      /CLOUDPC_MCP_BODY_TIMEOUT_MS.*10000 ms is shorter than the headers timeout of 20000 ms/,
    ],
    [['--max-connections', '0'], /CLOUDPC_MCP_MAX_CONNECTIONS.*from 1 to/],
  ])('refuses %o', (argv, message) => {
    expect(problems(['--transport', 'http', ...argv])).toMatch(message);
  });

  it('entra: an allow-list of client applications, normalised; anything but application ids is refused', () => {
    const A = 'AAAAAAAA-1111-4222-8333-444444444444';
    expect(
      ok([], { ...ENTRA, CLOUDPC_MCP_ENTRA_ALLOWED_CLIENTS: ` ${A}, ${A.toLowerCase()},${CLIENT}` }).http.entra!.allowedClients,
    ).toEqual([A.toLowerCase(), CLIENT]);
    expect(ok([], ENTRA).http.entra!.allowedClients).toBeUndefined();
    expect(problems([], { ...ENTRA, CLOUDPC_MCP_ENTRA_ALLOWED_CLIENTS: `${A},copilot-studio` })).toMatch(
      /CLOUDPC_MCP_ENTRA_ALLOWED_CLIENTS.*not application \(client\) ids: "copilot-studio"/,
    );
  });

  it('a mistyped transport is treated as remote mode, so the refusal is reported instead of waiting on stdin', () => {
    const r = loadConfig(['--transport', 'htp'], {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fallback.transport).toBe('http');
  });

  it('allowed origins are normalised', () => {
    expect(ok(['--transport', 'http', '--allowed-origins', 'https://a.contoso.com, http://localhost:6274']).http.allowedOrigins).toEqual([
      'https://a.contoso.com',
      'http://localhost:6274',
    ]);
  });
});
