// Shape checks shared by the start-up path (config, stdio transport) and the server. No schema library on purpose:
// these run before zod is loaded.

/** Any 8-4-4-4-12 hex shape: Graph ids do not always carry RFC 4122 version/variant bits, so a strict UUID check would refuse real ids. */
export const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** What is wrong with a request's `params._meta` (an object whose progressToken is a string or an integer), if anything. */
export function metaProblem(params: Record<string, unknown>): string | undefined {
  const meta = params._meta;
  if (meta === undefined) return undefined;
  if (!isPlainObject(meta)) return 'params._meta must be an object.';
  const token = meta.progressToken;
  if (token !== undefined && typeof token !== 'string' && !Number.isSafeInteger(token)) return 'progressToken must be a string or an integer.';
  return undefined;
}

/**
 * What makes a tools/call's params unusable (the caller's mistake, -32602), if anything. The transports answer these
 * themselves: the MCP SDK 1.x parses a request's params before any handler runs and answers a failure with -32603
 * Internal error (modelcontextprotocol/typescript-sdk#2284), which would tell the client the server broke.
 */
export function toolsCallParamsProblem(params: unknown): string | undefined {
  if (!isPlainObject(params)) return 'params must be an object with the tool name and its arguments.';
  if (typeof params.name !== 'string') return 'params.name must be the tool name (a string).';
  if (params.arguments !== undefined && !isPlainObject(params.arguments)) return 'params.arguments must be an object.';
  // The SDK's parse would turn this member into the prototype of the arguments, where its contents would read as arguments.
  if (params.arguments !== undefined && Object.hasOwn(params.arguments, '__proto__')) return 'params.arguments has a member named "__proto__", which no tool takes; remove it.';
  return metaProblem(params);
}
