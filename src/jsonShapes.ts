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
