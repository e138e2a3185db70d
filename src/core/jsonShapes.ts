// Shape checks shared by the start-up path (config, stdio transport) and the server. No schema library on purpose:
// these run before zod is loaded.

/** Any 8-4-4-4-12 hex shape: Graph ids do not always carry RFC 4122 version/variant bits, so a strict UUID check would refuse real ids. */
export const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
