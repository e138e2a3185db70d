// The server as an OAuth protected resource (RFC 9728): the metadata document that tells an MCP client which
// authorization server (the Entra tenant) issues tokens for it and with which scope, and the WWW-Authenticate
// challenge (RFC 6750) that points to that document on every 401 and 403.
import type { EntraConfig } from '../../config/http.js';
import { MCP_PATH } from '../../config/http.js';

export const METADATA_PATH = '/.well-known/oauth-protected-resource';

/** The resource identifier: the MCP endpoint's URL, as clients dial it. */
export function resourceId(publicUrl: string): string {
  return `${publicUrl}${MCP_PATH}`;
}

/** RFC 9728 §3.1: the well-known path is inserted between host and the resource's path. */
export function metadataUrl(publicUrl: string): string {
  return `${publicUrl}${METADATA_PATH}${MCP_PATH}`;
}

/** The full scope a client requests from Entra, e.g. api://<client-id>/access_as_user. */
export function requiredScope(entra: EntraConfig): string {
  return `${entra.appIdUri}/${entra.scope}`;
}

export function protectedResourceMetadata(entra: EntraConfig, publicUrl: string): Record<string, unknown> {
  return {
    resource: resourceId(publicUrl),
    // Entra's v2 issuer; clients find its endpoints at <issuer>/.well-known/openid-configuration.
    authorization_servers: [entra.issuer],
    scopes_supported: [requiredScope(entra)],
    bearer_methods_supported: ['header'],
    resource_name: 'Windows 365 Cloud PC bulk actions (cloudpc-mcp)',
  };
}

export type ChallengeError = 'invalid_token' | 'insufficient_scope' | 'invalid_request';

/** A Bearer challenge. Without a token the spec wants no error code, just where to sign in (RFC 6750 §3.1). */
export function bearerChallenge(entra: EntraConfig, publicUrl: string, error?: ChallengeError, description?: string): string {
  const params = [`resource_metadata="${metadataUrl(publicUrl)}"`, `scope="${requiredScope(entra)}"`];
  if (error) params.push(`error="${error}"`);
  // Quoted-string: no quotes, backslashes or control characters may appear inside.
  if (error && description) params.push(`error_description="${description.replace(/["\\\u0000-\u001f\u007f]/g, "'")}"`);
  return `Bearer ${params.join(', ')}`;
}
