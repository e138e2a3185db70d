// Follows @odata.nextLink up to a cap, so a large tenant never turns one tool call into thousands of requests.
import type { GraphClient } from './client.js';
import { GraphError } from './errors.js';
import type { GraphRequest, GraphResponse } from './types.js';

export interface PageOptions {
  /** Stop once this many items are collected. */
  maxItems: number;
  /** Stop after this many requests, whatever was collected. */
  maxPages: number;
  signal?: AbortSignal;
  /** Keep only items that pass (client-side filters); scanning continues until maxItems pass. */
  keep?: (item: Record<string, unknown>) => boolean;
  /** Return true to stop paging early (e.g. items are older than asked for, in a newest-first list). */
  stopAfter?: (item: Record<string, unknown>) => boolean;
}

export interface Paged {
  items: Record<string, unknown>[];
  /** True when Graph has more items than were returned. */
  more: boolean;
  scanned: number;
  pages: number;
  /**
   * Set when Graph's nextLink pointed outside the Graph root (a reference example does): it was not followed, so what
   * was read is returned and more exists. Holds the link's origin and path, never its query.
   */
  foreignNextLink?: string;
}

interface ODataPage {
  value?: unknown;
  '@odata.nextLink'?: unknown;
}

export async function collectPages(graph: GraphClient, first: GraphRequest, opts: PageOptions): Promise<Paged> {
  const items: Record<string, unknown>[] = [];
  let scanned = 0;
  let pages = 0;
  let res: GraphResponse<ODataPage> = await graph.request<ODataPage>({ ...first, signal: opts.signal });
  for (;;) {
    pages++;
    const value = Array.isArray(res.body?.value) ? (res.body.value as unknown[]) : [];
    const next = typeof res.body?.['@odata.nextLink'] === 'string' ? res.body['@odata.nextLink'] : undefined;
    for (let i = 0; i < value.length; i++) {
      const raw = value[i];
      if (!raw || typeof raw !== 'object') continue;
      const item = raw as Record<string, unknown>;
      scanned++;
      if (opts.stopAfter?.(item)) return { items, more: false, scanned, pages };
      if (opts.keep && !opts.keep(item)) continue;
      if (items.length >= opts.maxItems) return { items, more: true, scanned, pages };
      items.push(item);
    }
    if (!next) return { items, more: false, scanned, pages };
    if (items.length >= opts.maxItems || pages >= opts.maxPages) return { items, more: true, scanned, pages };
    try {
      // The same headers on every page: a Prefer header must not be lost after page one.
      res = await graph.getNextLink<ODataPage>({ url: next, headers: first.headers, signal: opts.signal });
    } catch (err) {
      // The client refuses a link outside its root before sending anything (the token never leaves the root).
      if (err instanceof GraphError && err.kind === 'refused')
        return { items, more: true, scanned, pages, foreignNextLink: linkShown(next) };
      throw err;
    }
  }
}

function linkShown(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/**
 * A stopAfter for a list asked to be newest first: it stops at the first item older than `since`, but only once the
 * order is verified, i.e. at least two items were seen and every one was no newer than the one before. A Graph that
 * ignored $orderby (or sorted oldest first) never stops the paging early.
 */
export function newestFirstStop(
  since: number,
  createdOf: (item: Record<string, unknown>) => number | undefined,
): (item: Record<string, unknown>) => boolean {
  let previous: number | undefined;
  let seen = 0;
  let ordered = true;
  return (item) => {
    const t = createdOf(item);
    if (t === undefined || Number.isNaN(t)) {
      ordered = false;
      return false;
    }
    if (previous !== undefined && t > previous) ordered = false;
    previous = t;
    seen++;
    return ordered && seen >= 2 && t < since;
  };
}

/** OData string literal: a quote is doubled, so user text can never close the literal and add a clause. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
