// What counts as a protocol message on the server's output. Written against JSON-RPC 2.0 itself rather than the SDK's
// schema: a spec-conforming error reply to an unparseable line carries `id: null`, which the SDK's schema would reject.

export type RpcId = string | number;

export interface RpcMessage {
  jsonrpc: '2.0';
  id?: RpcId | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const isId = (v: unknown): v is RpcId => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Why `value` is not one JSON-RPC 2.0 message (request, notification, result or error), or undefined when it is. */
export function jsonRpcProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const m = value as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return 'jsonrpc is not "2.0"';
  if ('method' in m) {
    if (typeof m.method !== 'string') return 'method is not a string';
    if ('id' in m && !isId(m.id)) return 'request id is not a string or number';
    if ('result' in m || 'error' in m) return 'a request must not carry result or error';
    return undefined;
  }
  const hasResult = 'result' in m;
  const hasError = 'error' in m;
  if (hasResult === hasError) return 'a response needs exactly one of result and error';
  if (hasResult) return isId(m.id) ? undefined : 'result response id is not a string or number';
  if (!(isId(m.id) || m.id === null)) return 'error response id is not a string, number or null';
  const e = m.error as Record<string, unknown> | null;
  if (!e || typeof e !== 'object') return 'error is not an object';
  if (!Number.isInteger(e.code)) return 'error.code is not an integer';
  if (typeof e.message !== 'string') return 'error.message is not a string';
  return undefined;
}

/** Parses one output line; throws with the reason when it is not a protocol message. */
export function parseProtocolLine(line: string): RpcMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`stdout line is not JSON: ${clip(line)}`);
  }
  const problem = jsonRpcProblem(value);
  if (problem) throw new Error(`stdout line is not JSON-RPC 2.0 (${problem}): ${clip(line)}`);
  return value as RpcMessage;
}

export function clip(s: string, max = 200): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}
