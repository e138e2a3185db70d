// Early warnings from a token's claims, so a user hears "this token cannot retry" at sign-in rather than as a
// bare 403 later. Advisory only: Graph decides, and opaque tokens yield no warnings.

import { SCOPE_READ, SCOPE_RETRY, type CloudInfo } from '../graph/clouds.js';
import { tokenAudienceMatches, tokenHasPermission, type TokenInfo } from './tokenClaims.js';

const MAX_LISTED = 8;

export function tokenWarnings(info: TokenInfo, cloud: CloudInfo, now: number = Date.now()): string[] {
  const out: string[] = [];
  if (tokenAudienceMatches(info, cloud.scopeHost) === false) {
    out.push(`The token is for ${info.audience}, not Microsoft Graph in the ${cloud.label} cloud (${cloud.scopeHost}); Graph will reject it.`);
  }
  if (info.expiresOnTimestamp !== undefined && info.expiresOnTimestamp <= now) {
    out.push(`The token expired at ${new Date(info.expiresOnTimestamp).toISOString()}.`);
  }
  const canRetry = tokenHasPermission(info, SCOPE_RETRY);
  const canRead = canRetry || tokenHasPermission(info, SCOPE_READ);
  if (info.kind === 'app-only') {
    out.push('The token is app-only (application permissions): Graph does not support retrying bulk actions with it; reads still work with CloudPC.Read.All.');
    if (canRead === false) out.push(`The app has neither ${SCOPE_READ} nor ${SCOPE_RETRY} as an application permission: reads will be refused too.`);
  } else if (info.kind === 'delegated' && canRetry === false) {
    const listed = info.scopes.slice(0, MAX_LISTED).join(' ') + (info.scopes.length > MAX_LISTED ? ' …' : '');
    out.push(
      `The token's delegated permissions do not include ${SCOPE_RETRY} (it has: ${listed || 'none'}): retry will be refused with 403` +
        (canRead ? '.' : `, and reads need ${SCOPE_READ}.`),
    );
  }
  return out;
}
