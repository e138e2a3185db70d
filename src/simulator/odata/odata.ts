// A small OData query engine: $filter (odataFilter.ts) plus enough $orderby/$select/$top/$skiptoken to catch a client
// that builds queries Graph would reject, with Graph's wording where it is known.

import { BadRequest } from '../http.js';
import type { PropType } from './odataFilter.js';

export { parseFilter } from './odataFilter.js';
export type { Comparison, FilterSchema, FunctionName, Predicate, PropType } from './odataFilter.js';

// ---------------------------------------------------------------- $orderby / $select / $top / $skiptoken

export interface SortKey {
  property: string;
  desc: boolean;
}

export function parseOrderBy(text: string, sortable: Record<string, PropType>, typeName: string): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z][A-Za-z0-9/]*)(?:\s+(asc|desc))?\s*$/i.exec(part);
    if (!m) throw new BadRequest(`Invalid $orderby clause: '${text}'.`);
    const name = Object.keys(sortable).find((k) => k.toLowerCase() === m[1]!.toLowerCase());
    if (name === undefined)
      throw new BadRequest(`Could not find a property named '${m[1]}' on type '${typeName}' that can be used in $orderby.`);
    keys.push({ property: name, desc: (m[2] ?? 'asc').toLowerCase() === 'desc' });
  }
  return keys;
}

export function compareBy<T>(keys: SortKey[], get: (item: T, prop: string) => unknown): (a: T, b: T) => number {
  return (a, b) => {
    for (const k of keys) {
      const x = norm(get(a, k.property));
      const y = norm(get(b, k.property));
      if (x === y) continue;
      const c = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      return k.desc ? -c : c;
    }
    return 0;
  };
}

/** The value a sort compares: an instant for an ISO timestamp, lower-case text, a number, or null. */
export function norm(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  // ISO timestamps sort correctly as text only when they share a format; compare them as instants.
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return ms;
  }
  return s.toLowerCase();
}

export function parseSelect(text: string, selectable: readonly string[], typeName: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const want = raw.trim();
    if (want === '') throw new BadRequest(`Invalid $select clause: '${text}'.`);
    const name = selectable.find((s) => s.toLowerCase() === want.toLowerCase());
    if (name === undefined) throw new BadRequest(`Could not find a property named '${want}' on type '${typeName}'.`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

export function parseTop(text: string): number {
  if (!/^\d+$/.test(text.trim()))
    throw new BadRequest(
      `Invalid value '${text}' for $top query option found. The $top query option requires a non-negative integer value.`,
    );
  const n = Number(text);
  // $top is used as the page size; 0 would make an endless chain of empty pages.
  if (n < 1) throw new BadRequest(`Invalid value '${text}' for $top query option found. $top must be at least 1.`);
  return n;
}

const SKIPTOKEN_TAG = 'cpcsim1:';

export function encodeSkipToken(offset: number): string {
  return Buffer.from(SKIPTOKEN_TAG + offset, 'utf8').toString('base64url');
}

export function decodeSkipToken(token: string): number {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^cpcsim1:(\d+)$/.exec(text);
  if (!text.startsWith(SKIPTOKEN_TAG) || !m) throw new BadRequest(`The $skiptoken '${token}' is invalid or has expired.`);
  return Number(m[1]);
}

/** Builds a query string that keeps '$' in option names, as Graph's own nextLinks do. */
export function buildQuery(params: [string, string][]): string {
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}
