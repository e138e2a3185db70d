// Input shapes every tool shares: ids, id lists and row caps.
import { z } from 'zod';
import { GUID_PATTERN } from '../core/jsonShapes.js';

// Not z.uuid(): it would refuse Graph ids without RFC 4122 version/variant bits.

export function guid(what: string) {
  return z
    .string({ error: `${what} must be a string GUID (8-4-4-4-12 hexadecimal digits).` })
    .regex(GUID_PATTERN, { error: `${what} must be a GUID such as 0d76d02b-e0a0-4f58-baff-d1718cc2d144 (8-4-4-4-12 hexadecimal digits).` });
}

/** Removes repeats case-insensitively (GUIDs are case-insensitive), keeping the first spelling and the order. */
export function dedupeIds(ids: readonly string[]): { unique: string[]; removed: number } {
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const id of ids) {
    const k = id.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    unique.push(id);
  }
  return { unique, removed: ids.length - unique.length };
}

/** The row cap every list tool takes: bounded, so one call never pages through a whole tenant. */
export function limitInput(max: number, def: number) {
  return z
    .number({ error: 'limit must be a number.' })
    .int({ error: 'limit must be a whole number.' })
    .min(1, { error: 'limit must be at least 1.' })
    .max(max, { error: `limit must be at most ${max}; narrow the filters instead.` })
    .optional()
    .describe(`Maximum rows to return, 1-${max}. Default ${def}.`);
}
