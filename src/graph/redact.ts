// Credentials cut out of text that came back from the network. A proxy or a hostile endpoint may echo the request's
// Authorization header into its error body; what it says is shown to the admin and the model, so the token (and
// anything shaped like one) goes first.
import type { ParsedGraphErrorBody } from './errors.js';

const BEARER_VALUE = /\b(bearer)\s+[^\s"'<>,;]{16,}/gi;
const JWT = /\beyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/g;

/** `text` without `token`, without any "Bearer <value>" and without anything shaped like a JWT. */
export function withoutCredentials(text: string, token: string): string {
  return (token ? text.split(token).join('[redacted]') : text).replace(BEARER_VALUE, '$1 [redacted]').replace(JWT, '[redacted]');
}

/**
 * An error body parsed with credentials removed twice: before parsing, so the cap on message length cannot cut a token
 * into a piece that no longer matches; and after, for a token spelled with JSON escapes.
 */
export function parseWithoutCredentials(
  body: string,
  token: string,
  parse: (text: string) => ParsedGraphErrorBody,
): ParsedGraphErrorBody {
  const raw = parse(withoutCredentials(body, token));
  const out: ParsedGraphErrorBody = {};
  for (const [k, v] of Object.entries(raw) as [keyof ParsedGraphErrorBody, string | undefined][]) {
    if (v !== undefined) out[k] = withoutCredentials(v, token);
  }
  return out;
}
