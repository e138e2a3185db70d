// Listing bulk actions on what real tenants return: the list page documents $filter and $orderby but not which
// properties they take, items may be thin (counts null), and a partly failed action need not say "failed".
import type { Logger } from '../core/log.js';
import { runBatch, type BatchOptions } from './batch.js';
import { BULK_ACTIONS_PATH, bulkActionPath, isThin, toBulkAction, type BulkAction } from './bulkActions.js';
import type { GraphClient } from './client.js';
import { unwrapEntity } from './entity.js';
import { GraphError } from './errors.js';
import { collectPages, newestFirstStop, odataString, type Paged } from './paging.js';

export type StatusFilter = 'pending' | 'succeeded' | 'failed';

export interface BulkActionQuery {
  status?: StatusFilter;
  actionType?: string;
  /** Epoch ms: only actions created at or after it. */
  createdAfter?: number;
  limit: number;
  maxPages: number;
  logger: Logger;
}

export interface BulkActionListing {
  actions: BulkAction[];
  more: boolean;
  foreignNextLink?: string;
  /** Set when Graph refused $filter/$orderby and the list was filtered and sorted here instead. */
  localFallback?: string;
  /** Items Graph returned that were looked at (all of them are searched when Graph would not filter or sort). */
  scanned: number;
  /** Thin items read again by id to get their counts. */
  fetchedById: number;
}

/**
 * Pure: whether an action answers the status filter. "failed" also means "some devices failed", whatever the
 * action's own status says; undefined means "cannot tell from this item" (its counts are missing).
 */
export function statusMatches(a: BulkAction, status: StatusFilter | undefined): boolean | undefined {
  if (!status) return true;
  if (status !== 'failed') return a.status === status;
  if (a.status === 'failed') return true;
  const failed = a.actionSummary?.failedCount;
  return failed === undefined ? undefined : failed > 0;
}

function serverFilter(status: StatusFilter | undefined): string | undefined {
  if (!status) return undefined;
  if (status === 'failed') return `status eq 'failed' or actionSummary/failedCount gt 0`;
  return `status eq ${odataString(status)}`;
}

// $top Graph documents for lists of this kind; the server may still page smaller.
const UNSORTED_PAGE = 100;

const createdOf = (item: Record<string, unknown>) =>
  typeof item.createdDateTime === 'string' ? Date.parse(item.createdDateTime) : undefined;

export async function listBulkActionsFrom(graph: GraphClient, q: BulkActionQuery, batch: BatchOptions): Promise<BulkActionListing> {
  const { page, localFallback } = await readNewestFirst(graph, q, batch);
  let actions = page.items.map(toBulkAction);
  const thin = actions.filter(isThin);
  if (thin.length) actions = await fillThin(graph, actions, thin, batch);
  actions = actions.filter((a) => statusMatches(a, q.status) !== false);
  actions.sort((a, b) => (b.createdDateTime ?? '').localeCompare(a.createdDateTime ?? ''));
  const more = page.more || actions.length > q.limit;
  return {
    actions: actions.slice(0, q.limit),
    more,
    foreignNextLink: page.foreignNextLink,
    localFallback,
    fetchedById: thin.length,
    scanned: page.scanned,
  };
}

/**
 * Reads the list with Graph filtering and sorting it; when Graph refuses the query options or ignores the order, reads
 * it all again without them, and says why in localFallback.
 */
async function readNewestFirst(
  graph: GraphClient,
  q: BulkActionQuery,
  batch: BatchOptions,
): Promise<{ page: Paged; localFallback: string | undefined }> {
  const reader = pageReader(graph, q, batch);
  // At least two items, so the order of the first page can be checked.
  const top = String(Math.min(Math.max(q.limit, 2), 50));
  const query: Record<string, string> = { $orderby: 'createdDateTime desc', $top: top };
  const filter = serverFilter(q.status);
  if (filter) query.$filter = filter;
  let page: Paged;
  let localFallback: string | undefined;
  try {
    page = await reader.read(query, true);
  } catch (err) {
    if (!(err instanceof GraphError) || err.status !== 400) throw err;
    localFallback = `Graph refused ${filter ? '$filter/$orderby' : '$orderby'} (HTTP 400 ${err.code ?? ''}); the list was read without them and filtered and sorted here`;
    q.logger.debug('bulk action list: Graph refused the query options; reading without them', {
      code: err.code,
      message: err.graphMessage,
      filter,
      orderby: query.$orderby,
    });
    // Everything must be read to find the newest: the largest pages Graph allows make that fewest requests.
    page = await reader.read({ $top: String(UNSORTED_PAGE) }, false);
  }
  // Graph may ignore $orderby without an error: a list cut short is only the newest if it came back newest first.
  if (!localFallback && page.more && !reader.verified()) {
    localFallback =
      'Graph did not return the list newest first although $orderby asked for it, so the list was read without it and filtered and sorted here';
    q.logger.debug('bulk action list: Graph ignored $orderby; reading without it', { filter, orderby: query.$orderby });
    page = await reader.read({ $top: String(UNSORTED_PAGE) }, false);
  }
  return { page, localFallback };
}

/** Reads pages of the list; verified() tells whether the last read came back newest first. */
function pageReader(
  graph: GraphClient,
  q: BulkActionQuery,
  batch: BatchOptions,
): { read(query: Record<string, string>, sorted: boolean): Promise<Paged>; verified(): boolean } {
  const keep = keeper(q);
  let order = newestFirst();
  const read = (query: Record<string, string>, sorted: boolean): Promise<Paged> => {
    order = newestFirst();
    const stop = q.createdAfter !== undefined ? newestFirstStop(q.createdAfter, createdOf) : undefined;
    return collectPages(
      graph,
      { method: 'GET', path: BULK_ACTIONS_PATH, query },
      {
        // Without Graph's sort the newest can be anywhere: read what the page cap allows, then sort here.
        maxItems: sorted ? q.limit : Number.MAX_SAFE_INTEGER,
        maxPages: q.maxPages,
        signal: batch.signal,
        keep,
        stopAfter: (item) => {
          order.see(createdOf(item));
          return stop?.(item) ?? false;
        },
      },
    );
  };
  return { read, verified: () => order.verified() };
}

function keeper(q: BulkActionQuery): (item: Record<string, unknown>) => boolean {
  return (item) => {
    const a = toBulkAction(item);
    if (q.actionType && a.actionType !== q.actionType) return false;
    const t = createdOf(item);
    if (q.createdAfter !== undefined && (t === undefined || t < q.createdAfter)) return false;
    // Filtered again here whatever Graph did with $filter; a thin item is kept until its counts are read.
    return statusMatches(a, q.status) !== false;
  };
}

/** Watches the creation times of a list as it is scanned: verified once two or more came, each no newer than the last. */
function newestFirst(): { see(t: number | undefined): void; verified(): boolean } {
  let previous = Infinity;
  let seen = 0;
  let ordered = true;
  return {
    see(t) {
      if (t === undefined || Number.isNaN(t) || t > previous) ordered = false;
      else previous = t;
      seen++;
    },
    verified: () => ordered && seen >= 2,
  };
}

/** Reads thin items by id (in batches); an item that cannot be read stays as it was, its counts unknown. */
async function fillThin(graph: GraphClient, actions: BulkAction[], thin: BulkAction[], batch: BatchOptions): Promise<BulkAction[]> {
  const answers = await runBatch(
    graph,
    thin.map((a) => ({ id: a.id, url: bulkActionPath(a.id) })),
    batch,
  );
  return actions.map((a) => {
    const r = answers.get(a.id);
    const entity = r && r.status === 200 ? unwrapEntity(r.body) : undefined;
    return entity ? toBulkAction(entity) : a;
  });
}
