// Local sign-in on a real network, with the real @azure/identity against the Entra stand-in: a proxy in the way is
// reported as "could not reach <authority>: check the network and HTTPS_PROXY", naming the proxy (never its
// credentials) and not suggesting another sign-in method; and a client certificate file that cannot be used is
// reported as that, with its path and the fix, before anything is sent.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecordingProxy, type RecordingProxy } from '../support/recordingProxy.js';
import { createTestCertificate, type TestCertificate } from '../support/entra/certificate.js';
import { CLIENT_ID, CLIENT_SECRET, TENANT_ID } from '../support/entra/tenant.js';
import { expectNoSecrets, startWorld, type World } from '../support/entra/world.js';

let world: World;
let proxy: RecordingProxy;
let cert: TestCertificate;

beforeAll(async () => {
  world = await startWorld();
  proxy = await startRecordingProxy('auth');
  cert = createTestCertificate();
});
afterAll(async () => {
  await proxy?.close();
  await world?.close();
  cert?.remove();
});

/** Service principal sign-in (EnvironmentCredential) for the stand-in's tenant. */
function servicePrincipal(extra: Record<string, string>): Record<string, string> {
  return { CLOUDPC_MCP_AUTH: 'environment', AZURE_TENANT_ID: TENANT_ID, AZURE_CLIENT_ID: CLIENT_ID, ...extra };
}

describe('sign-in that cannot reach Entra', () => {
  it('a proxy asking for credentials (407): could not reach the authority, check the network and HTTPS_PROXY, naming the proxy', async () => {
    const server = await world.start(
      servicePrincipal({
        AZURE_CLIENT_SECRET: CLIENT_SECRET,
        HTTPS_PROXY: `http://svc:proxy-pass-123@127.0.0.1:${proxy.port}`,
        HTTP_PROXY: '',
        NO_PROXY: '',
      }),
    );
    const before = world.entra.grants('client_credentials').length;
    const r = await server.call('list_cloudpc_bulk_actions');
    expect(r.isError).toBe(true);
    expect(r.text).toContain(
      `could not reach ${world.entra.url}: check the network and HTTPS_PROXY (HTTPS_PROXY is http://127.0.0.1:${proxy.port})`,
    );
    expect(r.text).toContain('the proxy asks for credentials (HTTP 407)');
    expect(r.text).not.toMatch(/choose another method/);
    expect(r.text + server.stderr()).not.toContain('proxy-pass-123');
    expect(proxy.requests).toContain(new URL(world.entra.url).host);
    expect(world.entra.grants('client_credentials').length).toBe(before);
    expectNoSecrets(world, r.text, server.stderr());
  });
});

describe('a client certificate file that cannot be used (environment sign-in)', () => {
  const dir = () => path.join(world.home, 'certs');

  it.each<[string, (d: string) => string, RegExp]>([
    ['a path where no file is', (d) => path.join(d, 'missing.pem'), /does not exist/],
    ['a folder', (d) => d, /is a folder, not a file/],
    ['a file that is not PEM', (d) => write(path.join(d, 'garbage.pem'), 'this is not a certificate\n'), /holds no PEM certificate/],
    [
      'a certificate without its private key',
      (d) => write(path.join(d, 'cert-only.pem'), cert.certPem),
      /holds a certificate but not its private key/,
    ],
  ])('%s: named with its path and the fix, not as a network error; nothing is sent', async (_what, make, problem) => {
    mkdirSync(dir(), { recursive: true });
    const certPath = make(dir());
    const server = await world.start(servicePrincipal({ AZURE_CLIENT_CERTIFICATE_PATH: certPath }));
    const before = world.entra.requests.length;
    const r = await server.call('list_cloudpc_bulk_actions');
    expect(r.isError).toBe(true);
    expect(r.text).toContain(`the certificate file AZURE_CLIENT_CERTIFICATE_PATH=${certPath}`);
    expect(r.text).toMatch(problem);
    expect(r.text).toContain('Point AZURE_CLIENT_CERTIFICATE_PATH at a PEM file');
    expect(r.text).not.toMatch(/could not reach|network/i);
    expect(world.entra.requests.length).toBe(before);
  });

  // root reads any file, so there the case cannot happen.
  it.skipIf(process.getuid?.() === 0)('an unreadable file says permission denied', async () => {
    mkdirSync(dir(), { recursive: true });
    const certPath = write(path.join(dir(), 'locked.pem'), `${cert.certPem}${cert.keyPem}`);
    chmodSync(certPath, 0o000);
    const server = await world.start(servicePrincipal({ AZURE_CLIENT_CERTIFICATE_PATH: certPath }));
    const r = await server.call('list_cloudpc_bulk_actions');
    expect(r.text).toContain(`AZURE_CLIENT_CERTIFICATE_PATH=${certPath} cannot be read by this account (permission denied)`);
  });
});

function write(file: string, text: string): string {
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}
