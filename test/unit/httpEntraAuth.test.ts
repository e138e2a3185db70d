// Caller-token validation outcomes that the end-to-end matrix cannot reach cheaply: keys unavailable, another
// tenant's token with a matching issuer override, v1/v2 audiences.
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
  clientSecret: 's',
};

const keys = await generateKeyPair('RS256', { extractable: true });
const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256' }] });
const mint = (claims: Record<string, unknown>, aud: string = CLIENT) =>
  new SignJWT({ oid: 'o-1', tid: TENANT, scp: 'access_as_user', upn: 'alice@contoso.com', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(entra.issuer)
    .setAudience(aud)
    .setExpirationTime('1h')
    .sign(keys.privateKey);

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
    const down = createEntraVerifier(entra, { keys: async () => { throw new TypeError('fetch failed'); } });
    expect(await down(`Bearer ${await mint({})}`)).toMatchObject({ ok: false, status: 503 });
  });

  it('an alg:none token is refused', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'none' })}.${b64({ oid: 'o', tid: TENANT, scp: 'access_as_user', iss: entra.issuer, aud: CLIENT, exp: 9_999_999_999 })}.`;
    expect(await verify(`Bearer ${unsigned}`)).toMatchObject({ ok: false, status: 401, error: 'invalid_token' });
  });
});
