// Text from identity libraries, made fit to show: the part that explains (its first lines, plus the description
// Entra sent) with tokens, assertions and known secret values removed.

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const SECRET_PARAM =
  /\b(client_secret|client_assertion|assertion|access_token|refresh_token|id_token|password)(["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi;
const MAX_DETAIL = 600;

/** Removes tokens, assertions and known secret values from text that will be shown or logged. */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 6) out = out.split(s).join('[redacted]');
  }
  out = out.replace(JWT_LIKE, '[redacted-token]').replace(SECRET_PARAM, '$1$2[redacted]');
  return out.length > MAX_DETAIL ? `${out.slice(0, MAX_DETAIL)}…` : out;
}

/** Message plus the error_description identity keeps on AuthenticationError, where AADSTS codes live. */
export function collectText(e: Error): string {
  const resp = (e as { errorResponse?: { error?: unknown; errorDescription?: unknown } }).errorResponse;
  const extra =
    resp && typeof resp.errorDescription === 'string' && !e.message.includes(resp.errorDescription) ? ` ${resp.errorDescription}` : '';
  return `${e.message}${extra}`;
}

export function firstLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 4)
    .join(' ');
}
