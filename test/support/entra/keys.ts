// The tenant's token signing: one RS256 key that signs every token the stand-in issues and that it publishes (beside a
// spare, as Entra publishes several during a rollover), and a stranger's key that signs nothing Entra would accept.
// Caller tokens for remote mode are minted here, right or wrong in any claim, key or header a test chooses.
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { CLIENT_ID, TENANT_ID, USER } from './tenant.js';

export interface MintOptions {
  oid?: string;
  upn?: string;
  tid?: string;
  aud?: string;
  iss?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** undefined: access_as_user; null: no scp claim (an app-only token). */
  scp?: string | null;
  roles?: string[];
  /** Sign with a key the tenant never published. */
  foreignKey?: boolean;
  /** The client application the token was issued to (azp); default copilot-studio-client. */
  azp?: string;
  /** Claims set as given, after the others: wrong types, say. */
  claims?: Record<string, unknown>;
  /** Protected-header members set as given (kid: undefined drops it; crit is honoured when signing). */
  header?: Record<string, unknown>;
}

export interface TenantKeys {
  /** The JSON Web Key Set the tenant publishes. */
  jwks: { keys: JWK[] };
  /** A token signed with the tenant's key; claims carry iss and aud, lifetime from now. */
  sign(claims: JWTPayload, lifetimeSec: number): Promise<string>;
  /** A caller token for the server under test (aud: its app), as Entra would issue it to a client such as Copilot Studio. */
  mint(issuer: string, options?: MintOptions): Promise<string>;
  /** The claims of a token this tenant signed for the server's app, or throws. */
  verifyCallerToken(token: string, issuer: string): Promise<JWTPayload>;
}

const KID = 'stand-in-key-1';

export async function createTenantKeys(): Promise<TenantKeys> {
  const signing = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256');
  const spare = await generateKeyPair('RS256', { extractable: true });
  const published = async (key: CryptoKey, kid: string): Promise<JWK> => ({ ...(await exportJWK(key)), kid, use: 'sig', alg: 'RS256' });
  const jwks = { keys: [await published(signing.publicKey, KID), await published(spare.publicKey, 'stand-in-key-2')] };

  const signWith = (key: CryptoKey, claims: JWTPayload, lifetimeSec: number, header: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const protectedHeader: Record<string, unknown> & { alg: string } = { alg: 'RS256', kid: KID, typ: 'JWT', ...header };
    const crit = Array.isArray(protectedHeader.crit)
      ? { crit: Object.fromEntries(protectedHeader.crit.map((c: string) => [c, true])) }
      : undefined;
    return new SignJWT(claims)
      .setProtectedHeader(protectedHeader)
      .setIssuedAt(now - 60)
      .setNotBefore(now - 60)
      .setExpirationTime(now + lifetimeSec)
      .sign(key, crit);
  };

  return {
    jwks,
    sign: (claims, lifetimeSec) => signWith(signing.privateKey, claims, lifetimeSec),
    mint(issuer, m = {}) {
      const claims: JWTPayload = {
        iss: m.iss ?? issuer,
        aud: m.aud ?? CLIENT_ID,
        oid: m.oid ?? USER.oid,
        tid: m.tid ?? TENANT_ID,
        upn: m.upn ?? USER.upn,
        ver: '2.0',
        azp: m.azp ?? 'copilot-studio-client',
      };
      if (m.scp !== null) claims.scp = m.scp ?? 'access_as_user';
      if (m.roles) claims.roles = m.roles;
      Object.assign(claims, m.claims);
      return signWith(m.foreignKey ? foreign.privateKey : signing.privateKey, claims, m.expiresIn ?? 3600, m.header);
    },
    async verifyCallerToken(token, issuer) {
      return (await jwtVerify(token, signing.publicKey, { issuer, audience: [`api://${CLIENT_ID}`, CLIENT_ID] })).payload;
    },
  };
}
