// DNS-rebinding defence: which Origin and Host values reach the MCP endpoint.
import { describe, expect, it } from 'vitest';
import { buildOriginPolicy, checkOrigin } from '../../src/transports/http/origin.js';

const loopback = buildOriginPolicy({
  loopback: true,
  port: 8080,
  publicUrl: 'http://127.0.0.1:8080',
  allowedOrigins: ['http://localhost:6274'],
});
const remote = buildOriginPolicy({ loopback: false, port: 8080, publicUrl: 'https://mcp.contoso.com', allowedOrigins: [] });
type Case = [headers: Parameters<typeof checkOrigin>[0], allowed: boolean, why: string];

describe('Origin and Host checks', () => {
  it.each<Case>([
    [{ host: '127.0.0.1:8080' }, true, 'a client that sends no Origin (not a browser)'],
    [{ host: 'localhost:8080', origin: 'http://localhost:8080' }, true, "the server's own loopback origin"],
    [{ host: '[::1]:8080', origin: 'http://[::1]:8080' }, true, 'IPv6 loopback'],
    [{ host: '127.0.0.1:8080', origin: 'http://localhost:6274' }, true, 'an origin the operator allowed'],
    [{ host: '127.0.0.1:8080', origin: 'http://localhost:3000' }, false, 'another local page on another port'],
    [{ host: '127.0.0.1:8080', origin: 'http://evil.example.com' }, false, 'a foreign page'],
    [{ host: 'evil.example.com:8080' }, false, 'a rebound host name, even without Origin'],
    [{ host: '127.0.0.1:8080', origin: 'null' }, false, 'an opaque origin (sandboxed frame, file:)'],
    [{}, false, 'no Host at all'],
  ])('loopback bind: %o → %s (%s)', (headers, allowed) => {
    expect(checkOrigin(headers, loopback).ok).toBe(allowed);
  });

  it.each<Case>([
    [{ host: '10.0.0.5:8080' }, true, 'platform probes and proxies rewrite Host; authentication protects this bind'],
    [{ host: 'mcp.contoso.com', origin: 'https://mcp.contoso.com' }, true, 'the public origin'],
    [{ host: 'mcp.contoso.com', origin: 'https://evil.example.com' }, false, 'a foreign page'],
  ])('public bind: %o → %s (%s)', (headers, allowed) => {
    expect(checkOrigin(headers, remote).ok).toBe(allowed);
  });

  it('says why and how to allow a browser origin', () => {
    const v = checkOrigin({ host: '127.0.0.1:8080', origin: 'https://app.contoso.com' }, loopback);
    expect(v.ok ? '' : v.message).toMatch(/"https:\/\/app\.contoso\.com" is not allowed.*CLOUDPC_MCP_ALLOWED_ORIGINS/);
  });
});
