// Credentials cut out of text that came back from the network. A proxy or a hostile endpoint may echo the request's
// Authorization header into its error body, whole or in part; what it says is shown to the admin and the model, so
// the token, its parts and anything shaped like one go first (the one set of rules in core/log.ts).
import { redactSecrets } from '../core/log.js';
import type { ParsedGraphErrorBody } from './errors.js';

/** `text` without `token` or its parts, without any "Bearer <value>" and without anything shaped like a JWT. */
export function withoutCredentials(text: string, token: string): string {
  return redactSecrets(text, token ? [token] : []);
}

/**
 * An error body parsed with credentials removed twice: before parsing, so the cap on message length cannot cut a token
 * into a piece that no longer matches; and after, for a token spelled with JSON escapes.
 */
export function parseWithoutCredentials(body: string, token: string, parse: (text: string) => ParsedGraphErrorBody): ParsedGraphErrorBody {
  const raw = parse(withoutCredentials(body, token));
  const out: ParsedGraphErrorBody = {};
  for (const [k, v] of Object.entries(raw) as [keyof ParsedGraphErrorBody, string | undefined][]) {
    if (v !== undefined) out[k] = withoutCredentials(v, token);
  }
  return out;
}
