// How sign-in failures are told, for local sign-in and for the on-behalf-of exchange alike: one AADSTS table, network
// failures as "could not reach <authority>: check the network and HTTPS_PROXY", and certificate files that cannot be
// used named as such.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AADSTS_ERROR_CODE, AADSTS_MEANINGS, findAadsts } from '../../src/auth/entraErrors/aadsts.js';
import {
  certificateFailure,
  certificateProblem,
  checkCertificateFile,
  CertificateFileError,
} from '../../src/auth/credentials/certificateFile.js';
import type { AuthError } from '../../src/auth/authErrors.js';
import { oboError } from '../../src/auth/entraErrors/oboErrors.js';
import { createEntraErrorCapture, SignInUnreachableError } from '../../src/auth/entraErrors/serverErrors.js';
import { toAuthError } from '../../src/auth/entraErrors/signInErrors.js';
import type { EntraConfig } from '../../src/config/http.js';
import { createTestCertificate } from '../support/entra/certificate.js';
import { signInContext } from '../support/signInContext.js';

const ctx = signInContext;
const entra: EntraConfig = {
  tenantId: '7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b',
  clientId: '3a8e6c1d-2b4f-4e70-9c8d-1e2f3a4b5c6d',
  audiences: [],
  appIdUri: 'api://x',
  scope: 'access_as_user',
  issuer: 'https://login.microsoftonline.com/t/v2.0',
  jwksUrl: 'https://login.microsoftonline.com/t/keys',
  authorityHost: 'https://login.microsoftonline.com',
  disableInstanceDiscovery: false,
  clientSecret: 'server-secret-value',
  oboTimeoutMs: 15_000,
};
const local = (err: unknown, c = ctx()) => toAuthError(err, c) as AuthError;
const obo = (err: unknown, config = entra) =>
  oboError(err, config, 'https://graph.microsoft.com/CloudPC.ReadWrite.All', ['the-assertion', config.clientSecret ?? '']);
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('one AADSTS table for local sign-in and on-behalf-of', () => {
  it.each(Object.entries(AADSTS_MEANINGS))('AADSTS%s (%s) gets the same error code from both', (n, meaning) => {
    const message = `invalid_grant: AADSTS${n}: something. Trace ID: t`;
    expect(local(new Error(message)).code).toBe(AADSTS_ERROR_CODE[meaning]);
    expect(obo(new Error(message)).code).toBe(AADSTS_ERROR_CODE[meaning]);
    expect(obo(new Error(message)).aadsts).toBe(n);
  });

  it('50076 is multi-factor authentication required, in both', () => {
    const text = 'AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.';
    expect(local(new Error(text))).toMatchObject({
      code: 'mfa_required',
      message: expect.stringMatching(/multi-factor authentication is required/),
    });
    expect(obo(new Error(text))).toMatchObject({
      code: 'mfa_required',
      message: expect.stringMatching(/requires multi-factor authentication.*sign in again/),
    });
  });

  it('an unknown code is reported as Entra said it, with no guess', () => {
    expect(findAadsts('AADSTS999999: new')).toEqual({ number: '999999', meaning: undefined });
    expect(local(new Error('AADSTS999999: new')).code).toBe('sign_in_failed');
    expect(obo(new Error('AADSTS999999: new')).code).toBe('sign_in_failed');
  });
});

describe('network failures: could not reach the authority, check the network and HTTPS_PROXY', () => {
  const proxied = { HTTPS_PROXY: 'http://svc:hunter22@proxy.corp:3128' };
  it.each<[string, unknown, RegExp]>([
    [
      'refused, captured on the wire',
      new SignInUnreachableError(new Error('endpoints_resolution_error'), { code: 'ECONNREFUSED' }),
      /The connection failed: the connection was refused\./,
    ],
    [
      'a proxy asking for credentials',
      new SignInUnreachableError(new Error('endpoints_resolution_error'), { proxyStatus: 407 }),
      /proxy asks for credentials \(HTTP 407\)\. Give the proxy credentials in the proxy URL/,
    ],
    [
      'DNS, by its code',
      withCode('getaddrinfo ENOTFOUND login.microsoftonline.com', 'ENOTFOUND'),
      /its name does not resolve \(ENOTFOUND\)/,
    ],
    ["MSAL's network_error", new Error('network_error: Network request failed'), /could not reach/],
    [
      'a TLS-inspecting proxy',
      withCode('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      /not trusted \(SELF_SIGNED_CERT_IN_CHAIN\)\. A proxy that inspects TLS needs its root certificate in NODE_EXTRA_CA_CERTS/,
    ],
  ])('local sign-in, %s', (_what, err, reason) => {
    const e = local(err, ctx({ env: proxied }));
    expect(e.code).toBe('network');
    expect(e.message).toContain(
      'could not reach https://login.microsoftonline.com: check the network and HTTPS_PROXY (HTTPS_PROXY is http://proxy.corp:3128)',
    );
    expect(e.message).toMatch(reason);
    expect(e.message).not.toMatch(/choose another method|hunter22/);
  });

  it('says when no proxy is set', () => {
    expect(local(withCode('connect ECONNREFUSED', 'ECONNREFUSED')).message).toContain(
      'check the network and HTTPS_PROXY (no proxy is set)',
    );
  });

  it('on-behalf-of, the same words, for the operator', () => {
    const e = obo(new SignInUnreachableError(new Error('x'), { code: 'ETIMEDOUT' }));
    expect(e.code).toBe('network');
    expect(e.message).toMatch(
      /^On-behalf-of sign-in to Microsoft Graph failed: could not reach https:\/\/login\.microsoftonline\.com: check the network and HTTPS_PROXY/,
    );
    expect(e.message).not.toMatch(/server-secret-value|the-assertion/);
  });

  it('Entra answering with an AADSTS code means the network is fine', () => {
    expect(local(new Error('ECONNRESET once, then AADSTS65001: no consent')).code).toBe('consent_required');
  });
});

describe('the Entra error capture', () => {
  const send = (capture: ReturnType<typeof createEntraErrorCapture>, outcome: () => Promise<{ status: number; bodyAsText?: string }>) =>
    capture.policy.policy.sendRequest({}, outcome).catch(() => undefined);

  it('a request that got no answer becomes SignInUnreachableError with its code; an abort stays an abort', async () => {
    const capture = createEntraErrorCapture();
    const mark = capture.mark();
    await send(capture, async () => Promise.reject(withCode('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED')));
    const explained = capture.explain(new Error('endpoints_resolution_error'), mark);
    expect(explained).toBeInstanceOf(SignInUnreachableError);
    expect((explained as SignInUnreachableError).failure).toEqual({ code: 'ECONNREFUSED' });
    const abort = new DOMException('stop', 'AbortError');
    expect(capture.explain(abort, mark)).toBe(abort);
  });

  it('a 407 is the proxy speaking; an Entra error after a lost request wins', async () => {
    const capture = createEntraErrorCapture();
    const mark = capture.mark();
    await send(capture, async () => ({ status: 407 }));
    expect((capture.explain(new Error('x'), mark) as SignInUnreachableError).failure).toEqual({ proxyStatus: 407 });
    await send(capture, async () => ({
      status: 400,
      bodyAsText: JSON.stringify({ error: 'invalid_grant', error_description: 'AADSTS65001: no consent' }),
    }));
    expect((capture.explain(new Error('x'), mark) as Error).message).toContain('AADSTS65001');
    expect(capture.explain(new Error('x'), capture.mark())).toEqual(new Error('x'));
  });
});

describe('client certificate files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cloudpc-cert-test-'));
  const a = createTestCertificate();
  const b = createTestCertificate();
  afterAll(() => {
    a.remove();
    b.remove();
    rmSync(dir, { recursive: true, force: true });
  });
  const encryptedKey = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n';

  it.each<[string, () => string, string | undefined]>([
    ['certificate and its key', () => a.certPem + a.keyPem, undefined],
    ['key first, then certificate', () => a.keyPem + a.certPem, undefined],
    ["an encrypted key (its password is the identity library's to check)", () => a.certPem + encryptedKey, undefined],
    ['no certificate', () => a.keyPem, 'holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" block)'],
    [
      'a broken certificate',
      () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' + a.keyPem,
      'holds a certificate that cannot be parsed',
    ],
    ['no key', () => a.certPem, 'holds a certificate but not its private key'],
    ["another certificate's key", () => a.certPem + b.keyPem, 'holds a private key that does not belong to its certificate'],
    [
      'a broken key',
      () => a.certPem + '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
      'holds a private key that cannot be parsed',
    ],
  ])('%s', (_what, pem, problem) => {
    const found = certificateProblem(pem());
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it.each<[string, () => string, string]>([
    ['a missing file', () => path.join(dir, 'missing.pem'), 'does not exist'],
    ['a folder', () => dir, 'is a folder, not a file'],
    ['a path through a file', () => path.join(write('plain.txt', 'x'), 'cert.pem'), 'does not exist (a part of the path is not a folder)'],
    ['a file without a certificate', () => write('empty.pem', ''), 'holds no PEM certificate'],
  ])('checkCertificateFile: %s', async (_what, file, problem) => {
    const p = file();
    await expect(checkCertificateFile(p)).rejects.toMatchObject({
      name: 'CertificateFileError',
      path: p,
      message: expect.stringContaining(`AZURE_CLIENT_CERTIFICATE_PATH=${p} ${problem}`),
    });
  });

  it('a good file passes', async () => {
    await expect(checkCertificateFile(write('good.pem', a.certPem + a.keyPem))).resolves.toBeUndefined();
  });

  it("the identity library's own file errors are recognized, but only with a certificate configured", () => {
    const enoent = withCode("ENOENT: no such file or directory, open '/x/c.pem'", 'ENOENT');
    expect(certificateFailure(enoent, '/x/c.pem')?.problem).toBe('does not exist');
    expect(
      certificateFailure(
        new Error("EnvironmentCredential authentication failed. ENOENT: no such file or directory, open '/x/c.pem'"),
        '/x/c.pem',
      )?.problem,
    ).toBe('does not exist');
    expect(
      certificateFailure(new Error('The file at the specified path does not contain a PEM-encoded certificate.'), '/x/c.pem')?.problem,
    ).toBe('holds no PEM certificate');
    expect(certificateFailure(enoent, undefined)).toBeUndefined();
  });

  it('local sign-in and on-behalf-of both report it as a certificate problem with the fix, not as a network error', () => {
    const err = new CertificateFileError('/etc/cloudpc/server.pem', 'does not exist');
    const l = local(err, ctx({ method: 'environment', certificatePath: '/etc/cloudpc/server.pem' }));
    expect(l).toMatchObject({
      code: 'invalid_certificate_file',
      message: expect.stringMatching(
        /AZURE_CLIENT_CERTIFICATE_PATH=\/etc\/cloudpc\/server\.pem does not exist\. Point AZURE_CLIENT_CERTIFICATE_PATH at a PEM file/,
      ),
    });
    const o = obo(err, { ...entra, clientSecret: undefined, certificatePath: '/etc/cloudpc/server.pem' });
    expect(o).toMatchObject({
      code: 'invalid_certificate_file',
      message: expect.stringMatching(/does not exist\. The operator fixes it: Point AZURE_CLIENT_CERTIFICATE_PATH/),
    });
    // The library's "certificate" wording once made this a network error.
    const pem = obo(new Error('The file at the specified path does not contain a PEM-encoded certificate.'), {
      ...entra,
      clientSecret: undefined,
      certificatePath: '/c.pem',
    });
    expect(pem.code).toBe('invalid_certificate_file');
  });

  function write(name: string, text: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  }
});
