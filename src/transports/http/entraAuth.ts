// Validates the caller's Entra access token (OAuth 2.1 §5.2, as the MCP authorization spec requires): signature
// against the tenant's published keys, issuer, audience (this server, never Graph or anything else), expiry, the
// delegated scope and, when configured, the client application. The token is then used only as the assertion of the
// on-behalf-of exchange, never sent to Graph.
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import type { EntraConfig } from '../../config/http.js';
import type { Caller } from '../../auth/credentials/obo.js';

export type Verdict =
  | { ok: true; caller: Caller }
  | {
      ok: false;
      /**
       * 401: no usable token (sign in again); 403: a valid token that lacks the scope (`insufficient_scope`) or comes
       * from a client application this server does not accept (no error code: signing in again would not help);
       * 503: the signing keys could not be had.
       */
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
  /** The connection pool the keys are fetched through: the server's own, which honours HTTPS_PROXY and NO_PROXY. */
  dispatcher?: Dispatcher;
}

/** Fetches the signing keys through `dispatcher`: behind a corporate proxy, Entra is reachable only through it. */
function remoteKeys(jwksUrl: string, dispatcher: Dispatcher | undefined): JWTVerifyGetKey {
  const fetchThrough = (url: string, init: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  return createRemoteJWKSet(new URL(jwksUrl), {
    timeoutDuration: 5_000,
    cooldownDuration: 30_000,
    cacheMaxAge: 10 * 60_000,
    ...(dispatcher ? { [customFetch]: fetchThrough } : {}),
  });
}

/** The key source failed for a reason of its own (network, Entra outage, unusable key set), not the token's. */
class KeysUnavailable extends Error {}

/**
 * The key source, with its own failures told apart from the token's: only "no key for this token" (an unknown `kid`,
 * or none while the set has several keys) is the token's fault. Everything else it throws means the keys could not
 * be had, the one case answered 503.
 */
function keySource(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      throw new KeysUnavailable('signing keys unavailable', { cause: err });
    }
  };
}

export function createEntraVerifier(
  entra: EntraConfig,
  opts: EntraVerifierOptions = {},
): (authorization: string | undefined) => Promise<Verdict> {
  // Cached for 10 minutes; an unknown key id triggers a refetch (at most every 30 s), which is how Entra key rollover is followed.
  const keys = keySource(opts.keys ?? remoteKeys(entra.jwksUrl, opts.dispatcher));

  return async (authorization) => {
    if (!authorization?.trim()) {
      return {
        ok: false,
        status: 401,
        description: 'Sign-in required: send an Entra access token for this server as "Authorization: Bearer <token>".',
      };
    }
    const m = /^Bearer[ \t]+([A-Za-z0-9._~+/-]+=*)[ \t]*$/i.exec(authorization);
    if (!m) return invalid('The Authorization header must be "Bearer <access token>".');
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
    return checkClaims(payload, token, entra);
  };
}

const invalid = (description: string): Verdict => ({ ok: false, status: 401, error: 'invalid_token', description });

/** What a correctly signed token must also say: a user (oid) of this tenant, the scope, an accepted client app. */
export function checkClaims(payload: JWTPayload, token: string, entra: EntraConfig): Verdict {
  const { oid, tid } = payload;
  // Everything kept per user is keyed by these two: a number, null or object here must not become a shared "null" key.
  if (typeof oid !== 'string' || !oid) return invalid("The token lacks a valid oid claim (the user's object id): sign in as a user.");
  if (typeof tid !== 'string' || !tid) return invalid('The token lacks a valid tid claim (the tenant id).');
  if (tid.toLowerCase() !== entra.tenantId.toLowerCase()) {
    return invalid(`The token is from tenant ${tid.slice(0, 64)}, not this server's tenant.`);
  }
  const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
  if (!scopes.includes(entra.scope)) {
    // An app-only token carries roles, not scp: it cannot act as a user, and Graph refuses app-only retries anyway.
    const what =
      payload.scp === undefined ? 'is an application token, which cannot act as a signed-in user' : `lacks the ${entra.scope} scope`;
    return {
      ok: false,
      status: 403,
      error: 'insufficient_scope',
      description: `The token ${what}: sign in as a user and request ${entra.appIdUri}/${entra.scope}.`,
    };
  }
  const appRefused = clientAppProblem(payload, entra.allowedClients);
  if (appRefused) return { ok: false, status: 403, description: appRefused };
  const upn = [payload.upn, payload.preferred_username, payload.unique_name].find((v): v is string => typeof v === 'string');
  const expiresAt = (typeof payload.exp === 'number' ? payload.exp : 0) * 1000;
  return { ok: true, caller: { oid, tid, ...(upn ? { upn } : {}), assertion: token, expiresAt } };
}

/**
 * The client application the token was issued to (`azp` in v2 tokens, `appid` in v1), when an allow-list is set and
 * does not name it. An empty or absent list accepts any client of the tenant.
 */
export function clientAppProblem(payload: JWTPayload, allowed: readonly string[] | undefined): string | undefined {
  if (!allowed?.length) return undefined;
  const app = [payload.azp, payload.appid].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (!app)
    return 'The token names no client application (azp or appid claim), and this server accepts only listed client applications (CLOUDPC_MCP_ENTRA_ALLOWED_CLIENTS).';
  if (allowed.some((a) => a.toLowerCase() === app.toLowerCase())) return undefined;
  return `The token was issued to client application ${app.slice(0, 64)}, which this server does not accept: use one of the client apps it lists, or ask its admin to add this one to CLOUDPC_MCP_ENTRA_ALLOWED_CLIENTS.`;
}

function refusal(err: unknown, entra: EntraConfig): Verdict {
  // The keys could not be had (network, Entra outage, bad JWKS URL): not the caller's fault, so no 401 that would
  // send a client into a sign-in loop.
  if (err instanceof KeysUnavailable) {
    return {
      ok: false,
      status: 503,
      description: 'Cannot validate sign-ins right now: the signing keys could not be fetched. Try again shortly.',
    };
  }
  if (err instanceof errors.JWTExpired) return invalid('The token has expired: sign in again.');
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'aud':
        return invalid(`The token is for another resource; request a token for ${entra.appIdUri}/${entra.scope}.`);
      case 'iss':
        return invalid(
          `The token was not issued by ${entra.issuer}. A v1 token (issuer sts.windows.net) means the app registration still issues v1 tokens: set "requestedAccessTokenVersion": 2 in its manifest.`,
        );
      case 'nbf':
        return invalid('The token is not valid yet.');
      default:
        return invalid(`The token lacks a valid ${err.claim} claim.`);
    }
  }
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) {
    return invalid(`The token's signature does not match any signing key of tenant ${entra.tenantId}.`);
  }
  if (err instanceof errors.JWKSMultipleMatchingKeys) {
    return invalid(
      `The token names no signing key (kid), and tenant ${entra.tenantId} publishes several: it is not an Entra access token.`,
    );
  }
  // Anything else jose refuses is the token's shape: not three parts, bad base64 or JSON, an unsupported crit
  // header, a disallowed algorithm.
  return invalid('The token is not a valid signed Entra access token.');
}
