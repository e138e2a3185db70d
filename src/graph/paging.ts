// Follows @odata.nextLink up to a cap, so a large tenant never turns one tool call into thousands of requests.
import type { GraphClient } from './client.js';
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
    const value = Array.isArray(res.body?.value) ? (res.body!.value as unknown[]) : [];
    const next = typeof res.body?.['@odata.nextLink'] === 'string' ? (res.body['@odata.nextLink'] as string) : undefined;
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
    res = await graph.getNextLink<ODataPage>({ url: next, signal: opts.signal });
  }
}

/** OData string literal: a quote is doubled, so user text can never close the literal and add a clause. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
