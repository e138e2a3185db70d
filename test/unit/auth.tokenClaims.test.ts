import { describe, expect, it } from 'vitest';
import { CLOUDS } from '../../src/graph/clouds.js';
import { describeToken, tokenAudienceMatches, tokenHasPermission } from '../../src/auth/tokenClaims.js';
import { tokenWarnings } from '../../src/auth/tokenClaims.js';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const jwt = (payload: unknown) => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(payload)}.c2lnbmF0dXJl`;

describe('describeToken', () => {
  it('reads a delegated Graph token', () => {
    const info = describeToken(
      jwt({
        aud: 'https://graph.microsoft.com',
        tid: 'tenant-guid',
        appid: '14d82eec-204b-4c2f-b7e8-296a70dab67e',
        app_displayname: 'Microsoft Graph Command Line Tools',
        upn: 'admin@contoso.com',
        scp: 'CloudPC.ReadWrite.All openid profile',
        exp: 1_900_000_000,
        iat: 1_899_996_400,
      }),
    );
    expect(info).toMatchObject({
      format: 'jwt',
      kind: 'delegated',
      audience: 'https://graph.microsoft.com',
      tenantId: 'tenant-guid',
      appId: '14d82eec-204b-4c2f-b7e8-296a70dab67e',
      user: 'admin@contoso.com',
      scopes: ['CloudPC.ReadWrite.All', 'openid', 'profile'],
      roles: [],
      expiresOnTimestamp: 1_900_000_000_000,
      issuedAtTimestamp: 1_899_996_400_000,
    });
    expect(tokenHasPermission(info, 'cloudpc.readwrite.all')).toBe(true);
    expect(tokenAudienceMatches(info, CLOUDS.global.scopeHost)).toBe(true);
    expect(tokenAudienceMatches(info, CLOUDS.usgov.scopeHost)).toBe(false);
  });

  it('recognises an app-only token (roles without scp)', () => {
    const info = describeToken(jwt({ roles: ['CloudPC.Read.All'], aud: '00000003-0000-0000-c000-000000000000', azp: 'app' }));
    expect(info.kind).toBe('app-only');
    expect(info.appId).toBe('app');
    expect(tokenHasPermission(info, 'CloudPC.ReadWrite.All')).toBe(false);
    expect(tokenAudienceMatches(info, CLOUDS.china.scopeHost)).toBe(true);
  });

  it('treats a token with scp and roles as delegated', () => {
    expect(describeToken(jwt({ scp: 'User.Read', roles: ['x'] })).kind).toBe('delegated');
  });

  it.each([
    ['opaque string', 'EwBwA8l6BAAURSN/FHlDW5xN74t6GIt7GByw'],
    ['empty', ''],
    ['two segments', 'abc.def'],
    ['encrypted JWE (five segments)', 'a.b.c.d.e'],
    ['payload not base64url', 'eyJhbGciOiJub25lIn0.!!!.x'],
    ['payload not JSON', `${b64('h')}.${b64('not json')}.s`],
    ['payload is an array', `${b64('h')}.${b64([1, 2])}.s`],
    ['payload is null', `${b64('h')}.${b64('null')}.s`],
    ['far too long', `${b64('h')}.${'A'.repeat(70_000)}.s`],
  ])('tolerates %s', (_name, token) => {
    const info = describeToken(token);
    expect(info).toEqual({ format: 'opaque', kind: 'unknown', scopes: [], roles: [] });
    expect(tokenHasPermission(info, 'CloudPC.ReadWrite.All')).toBeUndefined();
    expect(tokenAudienceMatches(info, CLOUDS.global.scopeHost)).toBeUndefined();
  });

  it('ignores claims of the wrong type', () => {
    const info = describeToken(jwt({ exp: 'soon', scp: 42, roles: 'CloudPC.Read.All', aud: ['x'] }));
    expect(info.format).toBe('jwt');
    expect(info.expiresOnTimestamp).toBeUndefined();
    expect(info.scopes).toEqual([]);
    expect(info.roles).toEqual([]);
    expect(info.audience).toBeUndefined();
  });
});

describe('tokenWarnings', () => {
  const now = 1_900_000_000_000;
  it('is silent for a good delegated token', () => {
    const info = describeToken(jwt({ aud: 'https://graph.microsoft.us', scp: 'CloudPC.ReadWrite.All', exp: now / 1000 + 3600 }));
    expect(tokenWarnings(info, CLOUDS.usgov, now)).toEqual([]);
  });

  it('warns about app-only, missing permission, wrong cloud and expiry', () => {
    expect(tokenWarnings(describeToken(jwt({ roles: ['CloudPC.Read.All'] })), CLOUDS.global, now).join(' ')).toMatch(/app-only/);
    expect(tokenWarnings(describeToken(jwt({ scp: 'User.Read CloudPC.Read.All' })), CLOUDS.global, now).join(' ')).toMatch(
      /do not include CloudPC\.ReadWrite\.All \(it has: User\.Read CloudPC\.Read\.All\)/,
    );
    expect(
      tokenWarnings(describeToken(jwt({ aud: 'https://graph.microsoft.com', scp: 'CloudPC.ReadWrite.All' })), CLOUDS.usgov, now).join(' '),
    ).toMatch(/not Microsoft Graph in the US Government L4/);
    expect(tokenWarnings(describeToken(jwt({ scp: 'CloudPC.ReadWrite.All', exp: now / 1000 - 1 })), CLOUDS.global, now).join(' ')).toMatch(
      /expired/,
    );
  });

  it('says nothing about opaque tokens', () => {
    expect(tokenWarnings(describeToken('opaque'), CLOUDS.global, now)).toEqual([]);
  });
});
