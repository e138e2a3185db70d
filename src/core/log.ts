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

export function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : v;
  }
  return out;
}

export type LogSink = (line: string) => void;

export type LogListener = (level: Exclude<LogLevel, 'silent'>, msg: string, fields: LogFields) => void;

export function createLogger(
  level: LogLevel,
  sink: LogSink = (line) => process.stderr.write(line + '\n'),
  listener?: LogListener,
): Logger {
  const min = RANK[level];
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    // A suppressed line costs nothing: the Graph client logs every request at debug.
    if (!listener && RANK[lvl] < min) return;
    const safe = fields ? redactFields(fields) : {};
    listener?.(lvl, msg, safe);
    if (RANK[lvl] < min) return;
    const extra = Object.keys(safe).length ? ' ' + JSON.stringify(safe) : '';
    sink(`[cloudpc-mcp] ${lvl}: ${msg}${extra}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

export const silentLogger: Logger = createLogger('silent', () => {});
