// What argument completion reads from Graph: recent bulk actions and the Cloud PCs' users. It goes through the server's
// own Graph client (same cloud, proxy, throttling and token), reads a bounded number of pages, and keeps the answer for a
// short while, so typing a value costs one Graph read rather than one per keystroke.
import { actionTypeOf } from '../core/actionTypes.js';
import { BULK_ACTIONS_PATH } from '../graph/bulkActions.js';
import type { GraphClient } from '../graph/client.js';
import { CLOUD_PCS_PATH } from '../graph/cloudPcs.js';
import { GraphError } from '../graph/errors.js';
import { collectPages, type Paged } from '../graph/paging.js';

/** How long a read answers completions; new bulk actions show up after at most this long. */
export const LOOKUP_TTL_MS = 30_000;
const MAX_BULK_ACTIONS = 200;
const MAX_CLOUD_PCS = 1_000;
const MAX_PAGES = 10;

export interface RecentBulkAction {
  id: string;
  displayName: string;
  actionType: string;
  status: string;
  createdDateTime?: string;
  /** Undefined when Graph left the counts out (list items may be thin): unknown, not zero. */
  failedCount?: number;
  /** Empty when Graph left the list out. */
  cloudPcIds: string[];
}

export interface CloudPcUser {
  id: string;
  userPrincipalName?: string;
}

export interface Lookup<T> {
  items: T[];
  /** True when Graph has more than was read. */
  more: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function toRecentBulkAction(raw: Record<string, unknown>): RecentBulkAction {
  const summary = raw.actionSummary;
  const failed = summary && typeof summary === 'object' ? (summary as Record<string, unknown>).failedCount : undefined;
  return {
    id: str(raw.id) ?? '',
    displayName: str(raw.displayName) ?? '',
    actionType: actionTypeOf(raw['@odata.type']),
    status: str(raw.status) ?? 'unknown',
    createdDateTime: str(raw.createdDateTime),
    failedCount: typeof failed === 'number' && Number.isFinite(failed) ? failed : undefined,
    cloudPcIds: Array.isArray(raw.cloudPcIds) ? raw.cloudPcIds.filter((x): x is string => typeof x === 'string') : [],
  };
}

type Entry = { at: number; value: Promise<Lookup<unknown>> };
// Per Graph client: one per stdio process; in remote mode one per request, so one user's reads never answer another's.
const caches = new WeakMap<GraphClient, Map<string, Entry>>();

function cached<T>(graph: GraphClient, key: string, now: number, read: () => Promise<Lookup<T>>): Promise<Lookup<T>> {
  let cache = caches.get(graph);
  if (!cache) caches.set(graph, (cache = new Map<string, Entry>()));
  const hit = cache.get(key);
  if (hit && now - hit.at < LOOKUP_TTL_MS) return hit.value as Promise<Lookup<T>>;
  const value = read();
  const entry: Entry = { at: now, value };
  cache.set(key, entry);
  // A failed read is not remembered: the next keystroke asks Graph again.
  value.catch(() => cache.get(key) === entry && cache.delete(key));
  return value;
}

/** Bulk actions, newest first. */
export function recentBulkActions(graph: GraphClient, signal: AbortSignal, now = Date.now()): Promise<Lookup<RecentBulkAction>> {
  return cached(graph, 'bulkActions', now, async () => {
    const read = (query: Record<string, string>): Promise<Paged> =>
      collectPages(graph, { method: 'GET', path: BULK_ACTIONS_PATH, query }, { maxItems: MAX_BULK_ACTIONS, maxPages: MAX_PAGES, signal });
    let page: Paged;
    try {
      page = await read({ $orderby: 'createdDateTime desc', $top: '100' });
    } catch (err) {
      // Graph documents $orderby here without saying which properties sort: without it, the order is made below.
      if (!(err instanceof GraphError && err.status === 400)) throw err;
      page = await read({ $top: '100' });
    }
    const items = page.items
      .map(toRecentBulkAction)
      .filter((a) => a.id)
      .sort((a, b) => (b.createdDateTime ?? '').localeCompare(a.createdDateTime ?? ''));
    return { items, more: page.more };
  });
}

export function cloudPcUsers(graph: GraphClient, signal: AbortSignal, now = Date.now()): Promise<Lookup<CloudPcUser>> {
  return cached(graph, 'cloudPcs', now, async () => {
    const page = await collectPages(
      graph,
      { method: 'GET', path: CLOUD_PCS_PATH, query: { $select: 'id,userPrincipalName', $top: '100' } },
      { maxItems: MAX_CLOUD_PCS, maxPages: MAX_PAGES, signal },
    );
    const items = page.items.map((raw) => ({ id: str(raw.id) ?? '', userPrincipalName: str(raw.userPrincipalName) })).filter((p) => p.id);
    return { items, more: page.more };
  });
}
