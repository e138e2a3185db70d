// Caller-token validation outcomes that the end-to-end matrix cannot reach cheaply: keys unavailable, another
// tenant's token with a matching issuer override, v1/v2 audiences, malformed tokens and claims of the wrong type
// (401, never the 503 kept for unreachable keys, never a 500), and the allow-list of client applications.
import { describe, expect, it } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createEntraVerifier } from '../../src/transports/http/entraAuth.js';
import type { EntraConfig } from '../../src/config/http.js';

const TENANT = '7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b';
const CLIENT = '3a8e6c1d-2b4f-4e70-9c8d-1e2f3a4b5c6d';
const entra: EntraConfig = {
  tenantId: TENANT,
  clientId: CLIENT,
  appIdUri: `api://${CLIENT}`,
  audiences: [`api://${CLIENT}`, CLIENT],
  scope: 'access_as_user',
  issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
  jwksUrl: 'https://login.microsoftonline.com/x/discovery/v2.0/keys',
  authorityHost: 'https://login.microsoftonline.com',
  disableInstanceDiscovery: false,
  oboTimeoutMs: 15_000,
  clientSecret: 's',
};

const keys = await generateKeyPair('RS256', { extractable: true });
const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256' }] });
const other = await generateKeyPair('RS256', { extractable: true });
// Two published keys, as Entra publishes during a rollover: a token must say which one signed it.
const twoKeys = createLocalJWKSet({
  keys: [
    { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256' },
    { ...(await exportJWK(other.publicKey)), kid: 'k2', alg: 'RS256' },
  ],
});
const mint = (claims: Record<string, unknown>, aud: string = CLIENT, header: Record<string, unknown> = { kid: 'k1' }) =>
  new SignJWT({ oid: 'o-1', tid: TENANT, scp: 'access_as_user', upn: 'alice@contoso.com', ...claims })
    .setProtectedHeader({ alg: 'RS256', ...header })
    .setIssuer(entra.issuer)
    .setAudience(aud)
    .setExpirationTime('1h')
    .sign(
      keys.privateKey,
      Array.isArray(header.crit) ? { crit: Object.fromEntries(header.crit.map((c: string) => [c, true])) } : undefined,
    );
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('Entra caller-token validation', () => {
  const verify = createEntraVerifier(entra, { keys: jwks });

  it('accepts v2 (aud = client id) and v1-style (aud = app id URI) audiences, and reads the caller', async () => {
    for (const aud of [CLIENT, `api://${CLIENT}`]) {
      const v = await verify(`Bearer ${await mint({}, aud)}`);
      expect(v).toMatchObject({ ok: true, caller: { oid: 'o-1', tid: TENANT, upn: 'alice@contoso.com' } });
    }
  });

  it('refuses a token whose tid is another tenant even when the issuer matches', async () => {
    const v = await verify(`Bearer ${await mint({ tid: '00000000-0000-0000-0000-000000000000' })}`);
    expect(v).toMatchObject({ ok: false, status: 401, error: 'invalid_token', description: expect.stringMatching(/from tenant 0{8}-/) });
  });

  it('a token without oid (not a user) is refused', async () => {
    const v = await verify(`Bearer ${await mint({ oid: undefined })}`);
    expect(v).toMatchObject({ ok: false, status: 401 });
  });

  it('answers 503, not 401, when the signing keys cannot be fetched, so clients do not loop through sign-in', async () => {
    const down = createEntraVerifier(entra, {
      keys: async () => {
        throw new TypeError('fetch failed');
      },
    });
    expect(await down(`Bearer ${await mint({})}`)).toMatchObject({ ok: false, status: 503 });
  });

  it('an alg:none token is refused', async () => {
    const unsigned = `${b64({ alg: 'none' })}.${b64({ oid: 'o', tid: TENANT, scp: 'access_as_user', iss: entra.issuer, aud: CLIENT, exp: 9_999_999_999 })}.`;
    expect(await verify(`Bearer ${unsigned}`)).toMatchObject({ ok: false, status: 401, error: 'invalid_token' });
  });

  it.each<[string, () => Promise<string>]>([
    ['an unsupported crit header', () => mint({}, CLIENT, { kid: 'k1', crit: ['urn:example:unknown'], 'urn:example:unknown': 1 })],
    ['no kid while the tenant publishes several keys', () => mint({}, CLIENT, {})],
    ['a kid the tenant does not publish', () => mint({}, CLIENT, { kid: 'k9' })],
    ['two parts only', async () => (await mint({})).split('.').slice(0, 2).join('.')],
    [
      'a header that is not JSON',
      async () => `${Buffer.from('{nope').toString('base64url')}.${(await mint({})).split('.').slice(1).join('.')}`,
    ],
    ['a payload that is not JSON', async () => `${b64({ alg: 'RS256', kid: 'k1' })}.${Buffer.from('[1,').toString('base64url')}.c2ln`],
    ['a signature that is not base64url', async () => `${(await mint({})).split('.').slice(0, 2).join('.')}.***`],
    ['an HS256 token', async () => `${b64({ alg: 'HS256', kid: 'k1' })}.${b64({ oid: 'o', tid: TENANT })}.c2ln`],
  ])('a malformed token (%s) is 401 invalid_token, not 503', async (_what, token) => {
    const v = await createEntraVerifier(entra, { keys: twoKeys })(`Bearer ${await token()}`);
    expect(v).toMatchObject({ ok: false, status: 401, error: 'invalid_token', description: expect.any(String) });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['oid a number', { oid: 42 }, /oid claim/],
    ['oid null', { oid: null }, /oid claim/],
    ['oid an object', { oid: { toString: 'x' } }, /oid claim/],
    ['oid empty', { oid: '' }, /oid claim/],
    ['tid a number', { tid: 7 }, /tid claim/],
    ['tid an object whose toString is not a function', { tid: { toString: 1 } }, /tid claim/],
  ])('a signed token with %s is 401, not a crash', async (_what, claims, message) => {
    expect(await verify(`Bearer ${await mint(claims)}`)).toMatchObject({
      ok: false,
      status: 401,
      error: 'invalid_token',
      description: expect.stringMatching(message),
    });
  });

  it('503 only when the key source itself fails; its "no such key" answers stay 401', async () => {
    const timeout = createEntraVerifier(entra, {
      keys: async () => {
        throw new (await import('jose')).errors.JWKSTimeout();
      },
    });
    expect(await timeout(`Bearer ${await mint({})}`)).toMatchObject({ status: 503 });
    expect(await createEntraVerifier(entra, { keys: twoKeys })(`Bearer ${await mint({})}`)).toMatchObject({ ok: true });
  });
});

describe('allow-list of client applications (azp / appid)', () => {
  const APP = '0f1e2d3c-4b5a-4697-8877-665544332211';
  const listed = createEntraVerifier({ ...entra, allowedClients: [APP] }, { keys: jwks });

  it('accepts a listed app by azp (v2) or appid (v1), in any letter case', async () => {
    expect(await listed(`Bearer ${await mint({ azp: APP.toUpperCase() })}`)).toMatchObject({ ok: true });
    expect(await listed(`Bearer ${await mint({ appid: APP })}`)).toMatchObject({ ok: true });
  });

  it('refuses another app with 403 and a description naming it and the setting; no challenge error code', async () => {
    const v = await listed(`Bearer ${await mint({ azp: '99999999-0000-4000-8000-000000000000' })}`);
    expect(v).toMatchObject({
      ok: false,
      status: 403,
      description: expect.stringMatching(/client application 99999999-0000-4000-8000-000000000000.*CLOUDPC_MCP_ENTRA_ALLOWED_CLIENTS/),
    });
    expect(v).not.toHaveProperty('error');
    expect(await listed(`Bearer ${await mint({})}`)).toMatchObject({
      ok: false,
      status: 403,
      description: expect.stringMatching(/names no client application/),
    });
  });

  it('without a list, any app of the tenant is accepted', async () => {
    expect(
      await createEntraVerifier(entra, { keys: jwks })(`Bearer ${await mint({ azp: '99999999-0000-4000-8000-000000000000' })}`),
    ).toMatchObject({ ok: true });
  });
});
