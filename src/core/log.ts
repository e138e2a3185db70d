// Logs go to stderr only: on the stdio transport stdout belongs to the MCP protocol.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

// Field names whose values are never written, whatever a caller passes by mistake.
const SECRET_KEY = /authorization|token|secret|password|assertion|cookie/i;

const BEARER_VALUE = /\b(bearer)\s+[^\s"'<>,;]{16,}/gi;
// A JWT with or without its signature (header.payload is still the token's claims and half of what a replay needs).
const JWT_LIKE = /\beyJ[\w-]{4,}\.[\w-]{4,}(?:\.[\w-]*)?/g;
// A JWT's signature part alone, or any other long base64url run: no id this server logs (GUIDs are 36 characters)
// comes near this length, while an RS256 signature is 342 and an ES256 one 86.
const LONG_BASE64URL = /[\w-]{80,}/g;
/** Parts of a known secret shorter than this are not cut out on their own (a JWT header can be as short as 20). */
const MIN_SECRET_PART = 16;
// What is left between cut-out parts of one token (a short payload, the escaped dots between them) is that token too.
const BETWEEN_REDACTIONS = /\[redacted\](?:(?:\.|\\u002e)[\w-]*)*(?:\.|\\u002e)\[redacted\]/gi;

/** Longest string field value a log line carries; longer ones are cut (stack traces fit). */
export const MAX_LOG_VALUE_CHARS = 4_000;
/** Longest request header value a log line or an error answer echoes. */
export const MAX_HEADER_CHARS = 200;

/**
 * Cuts credentials out of text that will be logged or shown: the given secrets and each long dot-separated part of
 * them (an echo of a token's signature alone), bearer values, JWTs with or without signature, long base64url runs.
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    out = out.split(secret).join('[redacted]');
    for (const part of secret.split('.')) if (part.length >= MIN_SECRET_PART) out = out.split(part).join('[redacted]');
  }
  return out
    .replace(BEARER_VALUE, '$1 [redacted]')
    .replace(JWT_LIKE, '[redacted]')
    .replace(LONG_BASE64URL, '[redacted]')
    .replace(BETWEEN_REDACTIONS, '[redacted]');
}

/** Text cut to `max` characters, saying how much was left out. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length - max} more)` : text;
}

/** A request header as it may appear in a log line or an error answer: redacted and bounded. */
export function headerForLog(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return clip(redactSecrets(typeof value === 'string' ? value : value.join(', ')), MAX_HEADER_CHARS);
}

export function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : typeof v === 'string' ? clip(redactSecrets(v), MAX_LOG_VALUE_CHARS) : v;
  }
  return out;
}

export type LogSink = (line: string) => void;

export type LogListener = (level: Exclude<LogLevel, 'silent'>, msg: string, fields: LogFields) => void;

export function createLogger(level: LogLevel, sink: LogSink = (line) => process.stderr.write(line + '\n'), listener?: LogListener): Logger {
  const min = RANK[level];
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    // A suppressed line costs nothing: the Graph client logs every request at debug.
    if (!listener && RANK[lvl] < min) return;
    const safe = fields ? redactFields(fields) : {};
    const text = redactSecrets(msg);
    listener?.(lvl, text, safe);
    if (RANK[lvl] < min) return;
    const extra = Object.keys(safe).length ? ' ' + JSON.stringify(safe) : '';
    sink(`[cloudpc-mcp] ${lvl}: ${text}${extra}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = createLogger('silent', () => {});
