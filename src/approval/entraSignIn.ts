// Remote mode's sign-in for the approval page: OpenID Connect authorization code flow with PKCE through MSAL, as the
// server's own app registration (confidential client). Only the signed-in user's tenant and object id are kept: they
// must match the plan's owner. The redirect URI <public URL>/approve/callback must be registered on the app (Web).
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { EntraConfig } from '../config/http.js';
import type { SignIn } from './routes.js';

const SCOPES = ['openid', 'profile'];

function certificateCredential(path: string): { thumbprintSha256: string; privateKey: string; x5c: string } {
  const pem = readFileSync(path, 'utf8');
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const key = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/.exec(pem)?.[0];
  if (!cert || !key) throw new Error(`${path} must hold the certificate and its private key (PEM).`);
  return { thumbprintSha256: new X509Certificate(cert).fingerprint256.replace(/:/g, ''), privateKey: key, x5c: cert };
}

export function entraSignIn(entra: EntraConfig): SignIn {
  let client: Promise<import('@azure/msal-node').ConfidentialClientApplication> | undefined;
  // MSAL is loaded on the first sign-in only, like the on-behalf-of exchange.
  const msal = () =>
    (client ??= import('@azure/msal-node').then(
      ({ ConfidentialClientApplication }) =>
        new ConfidentialClientApplication({
          auth: {
            clientId: entra.clientId,
            authority: `${entra.authorityHost}/${entra.tenantId}`,
            ...(entra.disableInstanceDiscovery ? { knownAuthorities: [new URL(entra.authorityHost).host] } : {}),
            ...(entra.clientSecret
              ? { clientSecret: entra.clientSecret }
              : { clientCertificate: certificateCredential(entra.certificatePath ?? '') }),
          },
        }),
    ));
  return {
    async authorizeUrl({ redirectUri, state, codeChallenge }) {
      return (await msal()).getAuthCodeUrl({ scopes: SCOPES, redirectUri, state, codeChallenge, codeChallengeMethod: 'S256' });
    },
    async redeem({ code, redirectUri, codeVerifier, state }) {
      const result = await (await msal()).acquireTokenByCode({ code, redirectUri, codeVerifier, state, scopes: SCOPES });
      const claims = (result.idTokenClaims ?? {}) as Record<string, unknown>;
      const tid = typeof claims.tid === 'string' ? claims.tid : result.tenantId;
      const oid = typeof claims.oid === 'string' ? claims.oid : result.uniqueId;
      if (!tid || !oid) throw new Error('the sign-in result carries no tenant or object id');
      const upn = [claims.preferred_username, claims.upn].find((v): v is string => typeof v === 'string');
      return { tid, oid, ...(upn ? { upn } : {}) };
    },
  };
}
