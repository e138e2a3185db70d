// Validates the caller's Entra access token (OAuth 2.1 §5.2, as the MCP authorization spec requires): signature
// against the tenant's published keys, issuer, audience (this server, never Graph or anything else), expiry, and the
// delegated scope. The token is then used only as the assertion of the on-behalf-of exchange, never sent to Graph.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { EntraConfig } from '../../config/http.js';
import type { Caller } from '../../auth/caller.js';

export type Verdict =
  | { ok: true; caller: Caller }
  | {
      ok: false;
      /** 401: no usable token (sign in again); 403: valid token that lacks the scope; 503: keys unavailable. */
      status: 401 | 403 | 503;
      error?: 'invalid_token' | 'insufficient_scope';
      /** Safe to show the caller: says what is wrong, never echoes the token. */
      description: string;
    };

// Entra signs access tokens with RS256; anything else (none, HS256 with a public key as secret) is refused outright.
const ALGORITHMS = ['RS256'];
// Entra's own guidance allows a few minutes of skew between its clock and a resource's.
const CLOCK_TOLERANCE_S = 120;

export interface EntraVerifierOptions {
  /** Key source; default: the configured JWKS URL, fetched and cached by jose. */
  keys?: JWTVerifyGetKey;
}

export function createEntraVerifier(entra: EntraConfig, opts: EntraVerifierOptions = {}): (authorization: string | undefined) => Promise<Verdict> {
  // Cached for 10 minutes; an unknown key id triggers a refetch (at most every 30 s), which is how Entra key rollover is followed.
  const keys = opts.keys ?? createRemoteJWKSet(new URL(entra.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });

  return async (authorization) => {
    if (!authorization?.trim()) {
      return { ok: false, status: 401, description: 'Sign-in required: send an Entra access token for this server as "Authorization: Bearer <token>".' };
    }
    const m = /^Bearer[ \t]+([A-Za-z0-9._~+/-]+=*)[ \t]*$/i.exec(authorization);
    if (!m) {
      return { ok: false, status: 401, error: 'invalid_token', description: 'The Authorization header must be "Bearer <access token>".' };
    }
    const token = m[1]!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: entra.issuer,
        audience: entra.audiences,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['exp', 'oid', 'tid'],
      }));
    } catch (err) {
      return refusal(err, entra);
    }

    const tid = String(payload.tid);
    if (tid.toLowerCase() !== entra.tenantId.toLowerCase()) {
      return { ok: false, status: 401, error: 'invalid_token', description: `The token is from tenant ${tid}, not this server's tenant.` };
    }
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
    if (!scopes.includes(entra.scope)) {
      // An app-only token carries roles, not scp: it cannot act as a user, and Graph refuses app-only retries anyway.
      const what = payload.scp === undefined ? 'is an application token, which cannot act as a signed-in user' : `lacks the ${entra.scope} scope`;
      return { ok: false, status: 403, error: 'insufficient_scope', description: `The token ${what}: sign in as a user and request ${entra.appIdUri}/${entra.scope}.` };
    }
    const upn = [payload.upn, payload.preferred_username, payload.unique_name].find((v): v is string => typeof v === 'string');
    return {
      ok: true,
      caller: { oid: String(payload.oid), tid, ...(upn ? { upn } : {}), assertion: token, expiresAt: (payload.exp ?? 0) * 1000 },
    };
  };
}

function refusal(err: unknown, entra: EntraConfig): Verdict {
  const invalid = (description: string): Verdict => ({ ok: false, status: 401, error: 'invalid_token', description });
  if (err instanceof errors.JWTExpired) return invalid('The token has expired: sign in again.');
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'aud':
        return invalid(`The token is for another resource; request a token for ${entra.appIdUri}/${entra.scope}.`);
      case 'iss':
        return invalid(`The token was not issued by ${entra.issuer}. A v1 token (issuer sts.windows.net) means the app registration still issues v1 tokens: set "requestedAccessTokenVersion": 2 in its manifest.`);
      case 'nbf':
        return invalid('The token is not valid yet.');
      default:
        return invalid(`The token lacks a valid ${err.claim} claim.`);
    }
  }
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid || err instanceof errors.JOSEAlgNotAllowed) {
    return invalid('The token is not a valid signed Entra access token.');
  }
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) {
    return invalid(`The token's signature does not match any signing key of tenant ${entra.tenantId}.`);
  }
  // The keys could not be had (network, Entra outage, bad JWKS URL): not the caller's fault, so no 401 that would
  // send a client into a sign-in loop.
  return { ok: false, status: 503, description: 'Cannot validate sign-ins right now: the signing keys could not be fetched. Try again shortly.' };
}
