// Reads what a Graph access token says about itself, without verifying it: the server only uses this to warn
// early (expired, app-only, missing permission, wrong cloud). Graph verifies the token; Microsoft may make tokens
// opaque at any time, so every answer is optional and an opaque token is normal.

import { SCOPE_READ, SCOPE_RETRY, type CloudInfo } from '../graph/clouds.js';

export type TokenKind = 'delegated' | 'app-only' | 'unknown';

export interface TokenInfo {
  format: 'jwt' | 'opaque';
  kind: TokenKind;
  /** Epoch ms from `exp`. */
  expiresOnTimestamp?: number;
  /** Epoch ms from `iat`. */
  issuedAtTimestamp?: number;
  audience?: string;
  tenantId?: string;
  appId?: string;
  appDisplayName?: string;
  /** upn / preferred_username / unique_name of the signed-in user. */
  user?: string;
  /** Delegated permissions (`scp`). */
  scopes: string[];
  /** Application permissions (`roles`). */
  roles: string[];
}

const OPAQUE: TokenInfo = { format: 'opaque', kind: 'unknown', scopes: [], roles: [] };
// Real Graph tokens are a few KB; anything far larger is not worth decoding.
const MAX_TOKEN_LENGTH = 64 * 1024;
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export function describeToken(token: string): TokenInfo {
  const payload = decodePayload(token);
  if (!payload) return { ...OPAQUE, scopes: [], roles: [] };
  const str = (k: string): string | undefined => {
    const v = payload[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const seconds = (k: string): number | undefined => {
    const v = payload[k];
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v * 1000 : undefined;
  };
  const scp = str('scp');
  const scopes = scp ? scp.split(' ').filter(Boolean) : [];
  const rawRoles = payload['roles'];
  const roles = Array.isArray(rawRoles) ? rawRoles.filter((r): r is string => typeof r === 'string') : [];
  const kind: TokenKind = scp !== undefined ? 'delegated' : rawRoles !== undefined || str('idtyp') === 'app' ? 'app-only' : 'unknown';
  const info: TokenInfo = { format: 'jwt', kind, scopes, roles };
  const set = <K extends keyof TokenInfo>(k: K, v: TokenInfo[K] | undefined) => {
    if (v !== undefined) info[k] = v;
  };
  set('expiresOnTimestamp', seconds('exp'));
  set('issuedAtTimestamp', seconds('iat'));
  set('audience', str('aud'));
  set('tenantId', str('tid'));
  set('appId', str('appid') ?? str('azp'));
  set('appDisplayName', str('app_displayname'));
  set('user', str('upn') ?? str('preferred_username') ?? str('unique_name'));
  return info;
}

/** true/false when the token lists its permissions; undefined when it cannot be told (opaque token). */
export function tokenHasPermission(info: TokenInfo, permission: string): boolean | undefined {
  if (info.format !== 'jwt' || info.kind === 'unknown') return undefined;
  const want = permission.toLowerCase();
  return [...info.scopes, ...info.roles].some((p) => p.toLowerCase() === want);
}

/** Whether the token is meant for Graph at `scopeHost` (e.g. https://graph.microsoft.us); undefined when unknown. */
export function tokenAudienceMatches(info: TokenInfo, scopeHost: string): boolean | undefined {
  if (!info.audience) return undefined;
  const aud = info.audience.replace(/\/+$/, '').toLowerCase();
  // The GUID audience does not say which cloud; accept it rather than guess.
  return aud === scopeHost.replace(/\/+$/, '').toLowerCase() || aud === GRAPH_APP_ID;
}

function decodePayload(token: string): Record<string, unknown> | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  // Exactly three segments: a JWS. Five would be an encrypted JWE, whose payload cannot be read.
  const parts = token.trim().split('.');
  if (parts.length !== 3) return undefined;
  const body = parts[1] ?? '';
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(body)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// Early warnings from a token's claims, so a user hears "this token cannot retry" at sign-in rather than as a
// bare 403 later. Advisory only: Graph decides, and opaque tokens yield no warnings.
const MAX_LISTED = 8;

export function tokenWarnings(info: TokenInfo, cloud: CloudInfo, now: number = Date.now()): string[] {
  const out: string[] = [];
  if (tokenAudienceMatches(info, cloud.scopeHost) === false) {
    out.push(
      `The token is for ${info.audience}, not Microsoft Graph in the ${cloud.label} cloud (${cloud.scopeHost}); Graph will reject it.`,
    );
  }
  if (info.expiresOnTimestamp !== undefined && info.expiresOnTimestamp <= now) {
    out.push(`The token expired at ${new Date(info.expiresOnTimestamp).toISOString()}.`);
  }
  const canRetry = tokenHasPermission(info, SCOPE_RETRY);
  const canRead = canRetry || tokenHasPermission(info, SCOPE_READ);
  if (info.kind === 'app-only') {
    out.push(
      'The token is app-only (application permissions): Graph does not support retrying bulk actions with it; reads still work with CloudPC.Read.All.',
    );
    if (canRead === false)
      out.push(`The app has neither ${SCOPE_READ} nor ${SCOPE_RETRY} as an application permission: reads will be refused too.`);
  } else if (info.kind === 'delegated' && canRetry === false) {
    const listed = info.scopes.slice(0, MAX_LISTED).join(' ') + (info.scopes.length > MAX_LISTED ? ' …' : '');
    out.push(
      `The token's delegated permissions do not include ${SCOPE_RETRY} (it has: ${listed || 'none'}): retry will be refused with 403` +
        (canRead ? '.' : `, and reads need ${SCOPE_READ}.`),
    );
  }
  return out;
}
