// Graph's official beta types (@microsoft/microsoft-graph-types-beta) read as text, for tests that hold our lists to
// Graph's metadata at run time. The file is the one the package's own "types" field names (its public surface).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const pkgJson = require.resolve('@microsoft/microsoft-graph-types-beta/package.json');
const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { types: string; version: string };

export const GRAPH_TYPES_VERSION = pkg.version;
export const GRAPH_TYPES_DTS = readFileSync(path.join(path.dirname(pkgJson), pkg.types), 'utf8');

/** The interfaces deriving directly from `base`, each with the names of its own properties. */
export function derivedInterfaces(base: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of GRAPH_TYPES_DTS.matchAll(new RegExp(`export interface (\\w+) extends ${base} \\{([^}]*)\\}`, 'g'))) {
    out.set(
      m[1]!,
      [...m[2]!.matchAll(/^\s*(\w+)\??:/gm)].map((p) => p[1]!),
    );
  }
  return out;
}

/** The members of a string-union type alias, e.g. enumMembers('CloudPcStatus'). */
export function enumMembers(name: string): string[] {
  const m = new RegExp(`export type ${name} =([^;]*);`).exec(GRAPH_TYPES_DTS);
  if (!m) throw new Error(`No type ${name} in @microsoft/microsoft-graph-types-beta ${GRAPH_TYPES_VERSION}`);
  return [...m[1]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!);
}
