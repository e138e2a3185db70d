// The JSON-RPC checks both transports make before a message reaches the MCP SDK, in one place. They exist because of
// two SDK 1.x bugs, and go when those are fixed:
// - a malformed envelope is dropped without an answer, so the client waits for its own timeout
//   (modelcontextprotocol/typescript-sdk#2247; the stdio transport answers -32600 itself);
// - a request whose params fail the SDK's parse is answered -32603 Internal error, telling the client the server broke
//   (modelcontextprotocol/typescript-sdk#2284; both transports and the server's fallback handler answer a bad
//   tools/call -32602 themselves).
// No schema library on purpose: these run on the start-up path, before zod is loaded.
import { isPlainObject } from './jsonShapes.js';

export type RequestId = string | number;

/** A JSON-RPC id MCP accepts: a string or an integer (never null, never 2.5). */
export const isRequestId = (v: unknown): v is RequestId => typeof v === 'string' || Number.isSafeInteger(v);

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const RESPONSE_KEYS = new Set(['jsonrpc', 'id', 'result', 'error']);

/** What makes this not a JSON-RPC 2.0 message MCP accepts (answered -32600), or undefined when it is one. */
export function envelopeProblem(v: unknown): string | undefined {
  if (!isPlainObject(v)) return 'expected a JSON-RPC 2.0 message object.';
  if (v.jsonrpc !== '2.0') return 'jsonrpc must be "2.0".';
  if (typeof v.method === 'string') {
    const extra = unexpectedKeys(v, REQUEST_KEYS);
    if (extra) return extra;
    if ('id' in v && !isRequestId(v.id)) return 'id must be a string or an integer.';
    if (v.params !== undefined) {
      if (!isPlainObject(v.params)) return 'params must be an object.';
      return metaProblem(v.params);
    }
    return undefined;
  }
  if ('method' in v) return 'method must be a string.';
  if (!isRequestId(v.id) || !('result' in v || 'error' in v)) return 'expected a request, a notification or a response.';
  return unexpectedKeys(v, RESPONSE_KEYS);
}

function unexpectedKeys(v: Record<string, unknown>, allowed: ReadonlySet<string>): string | undefined {
  for (const k in v) {
    if (!allowed.has(k)) {
      const extra = Object.keys(v).filter((key) => !allowed.has(key));
      return `unexpected member(s) ${extra.map((key) => JSON.stringify(key)).join(', ')}.`;
    }
  }
  return undefined;
}

/** What is wrong with a request's `params._meta` (an object whose progressToken is a string or an integer), if anything. */
export function metaProblem(params: Record<string, unknown>): string | undefined {
  const meta = params._meta;
  if (meta === undefined) return undefined;
  if (!isPlainObject(meta)) return 'params._meta must be an object.';
  const token = meta.progressToken;
  if (token !== undefined && !isRequestId(token)) return 'progressToken must be a string or an integer.';
  return undefined;
}

/** What makes a tools/call's params unusable (the caller's mistake, answered -32602), if anything. */
export function toolsCallParamsProblem(params: unknown): string | undefined {
  if (!isPlainObject(params)) return 'params must be an object with the tool name and its arguments.';
  if (typeof params.name !== 'string') return 'params.name must be the tool name (a string).';
  if (params.arguments !== undefined && !isPlainObject(params.arguments)) return 'params.arguments must be an object.';
  // The SDK's parse would turn this member into the prototype of the arguments, where its contents would read as arguments.
  if (params.arguments !== undefined && Object.hasOwn(params.arguments, '__proto__'))
    return 'params.arguments has a member named "__proto__", which no tool takes; remove it.';
  return metaProblem(params);
}

/** The -32602 refusal of a tools/call request (one with an id) whose params are unusable, or undefined to pass it on. */
export function toolsCallRefusal(message: Record<string, unknown>): { id: RequestId; message: string } | undefined {
  if (message.method !== 'tools/call' || !isRequestId(message.id)) return undefined;
  const problem = toolsCallParamsProblem(message.params);
  return problem ? { id: message.id, message: `Invalid tools/call request: ${problem}` } : undefined;
}
