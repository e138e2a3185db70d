// The action status report (getActionStatusReports) of one bulk action, read as documented and in as few round trips
// as the answer allows. What the report page documents: a POST with filter/select/orderBy/skip/top (top ≤ 100), a
// tabular answer with TotalRowCount, paging by skip only, and the filter example `ActionState eq 'failed'`. What it does
// not: filtering on BulkActionId, and whether a retried device gets a new row (one row per attempt) or keeps one. So:
// - a BulkActionId filter that Graph refuses (400) is dropped, and the rows are kept here by their BulkActionId column;
// - the sort ends on unique keys (CloudPcId, Id), so skip paging neither skips nor repeats a row;
// - reading only the failed rows would hide a newer row of the same device (failed, then succeeded in this action), so
//   the rows requested after the earliest failed one are read too, and the caller keeps each device's latest row;
// - the first page of each reading goes out with the action itself; once TotalRowCount is known the other pages go out
//   together, at most PAGE_CONCURRENCY at a time (each page is throttled on its own by the client).
import type { GraphClient } from '../client.js';
import { GraphError } from '../errors.js';
import { odataString } from '../paging.js';

export const REPORT_PATH = '/deviceManagement/virtualEndpoint/reports/getActionStatusReports';
const REPORT_COLUMNS = [
  'Id',
  'CloudPcId',
  'CloudPcDeviceDisplayName',
  'DeviceOwnerUserPrincipalName',
  'BulkActionId',
  'ActionState',
  'RequestDateTime',
  'LastUpdatedDateTime',
];
// RequestDateTime is the report's documented default order; CloudPcId and Id make the order total.
const ORDER_BY = ['RequestDateTime', 'CloudPcId', 'Id'];
/** The report API allows at most 100 rows a request. */
export const REPORT_PAGE = 100;
/** 100 pages cover the largest retry the server sends; more is said to exist beyond them. */
export const MAX_REPORT_PAGES = 100;
/** Report pages in flight at once. */
export const PAGE_CONCURRENCY = 4;
// What the SDKs send for the report actions: the body is JSON served as application/octet-stream.
const REPORT_ACCEPT = 'application/octet-stream, application/json';

export type ReportRow = Record<string, unknown>;

export interface ReportReading {
  rows: ReportRow[];
  /** True when only the failed rows (and the rows that could supersede them) were read. */
  onlyFailed: boolean;
  /** True when the report has more rows than were read (the page cap). */
  more: boolean;
  /** Set when Graph refused the BulkActionId filter and this action's rows were picked out here. */
  localFilter?: string;
  /** Set when the report could not be read at all: why. */
  unavailable?: string;
}

interface Report {
  TotalRowCount?: number;
  Schema?: { Column?: string }[];
  Values?: unknown[][];
}

function rowsOf(report: Report | undefined): ReportRow[] {
  const cols = (report?.Schema ?? []).map((c) => c?.Column ?? '');
  return (report?.Values ?? []).filter(Array.isArray).map((v) => Object.fromEntries(cols.map((c, i) => [c, v[i]])));
}

/** At most n tasks at once. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((resolve) => queue.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}

/** Where the rows of one bulk action are: by Graph's filter, or (Graph refused it) every row, kept here. */
interface Scope {
  clause?: string;
  keep: (row: ReportRow) => boolean;
}

function and(...clauses: (string | undefined)[]): string | undefined {
  const c = clauses.filter((x): x is string => !!x);
  return c.length ? c.join(' and ') : undefined;
}

class Pager {
  readonly slot = limiter(PAGE_CONCURRENCY);
  constructor(
    private readonly graph: GraphClient,
    private readonly signal: AbortSignal | undefined,
  ) {}

  page(filter: string | undefined, skip: number): Promise<Report | undefined> {
    return this.slot(async () => {
      const body: Record<string, unknown> = { select: REPORT_COLUMNS, orderBy: ORDER_BY, skip, top: REPORT_PAGE };
      if (filter) body.filter = filter;
      const res = await this.graph.request<Report>({
        method: 'POST',
        path: REPORT_PATH,
        headers: { Accept: REPORT_ACCEPT },
        body,
        signal: this.signal,
      });
      return res.body;
    });
  }

  /** The pages after the first, together once TotalRowCount is known, else one after another until a short page. */
  async rest(filter: string | undefined, first: Report | undefined, scope: Scope): Promise<{ rows: ReportRow[]; more: boolean }> {
    const firstRows = rowsOf(first);
    const rows = firstRows.filter(scope.keep);
    const total = first?.TotalRowCount;
    if (typeof total === 'number') {
      const pages = Math.ceil(total / REPORT_PAGE);
      const read = Math.min(pages, MAX_REPORT_PAGES);
      const later = await Promise.all(Array.from({ length: Math.max(0, read - 1) }, (_, i) => this.page(filter, (i + 1) * REPORT_PAGE)));
      for (const p of later) rows.push(...rowsOf(p).filter(scope.keep));
      return { rows, more: pages > read };
    }
    let got = firstRows.length;
    for (let page = 1; got === REPORT_PAGE; page++) {
      if (page >= MAX_REPORT_PAGES) return { rows, more: true };
      const p = rowsOf(await this.page(filter, page * REPORT_PAGE));
      rows.push(...p.filter(scope.keep));
      got = p.length;
    }
    return { rows, more: false };
  }
}

const settled = <T>(p: Promise<T>): Promise<T> => {
  p.catch(() => undefined); // read later or never: an unread failure must not be an unhandled rejection
  return p;
};

/** A report reading begun before the action is known; finish() decides failed-only or all once it is. */
export interface ReportRead {
  finish(onlyFailed: boolean): Promise<ReportReading>;
}

/**
 * Sends the first page(s) at once, so they travel with the action's own GET. `likelyOnlyFailed` says which first page
 * to send besides the all-rows one (which answers a small action completely): true, false or undefined (both).
 */
export function beginReport(
  graph: GraphClient,
  bulkActionId: string,
  likelyOnlyFailed: boolean | undefined,
  signal?: AbortSignal,
): ReportRead {
  const pager = new Pager(graph, signal);
  const byGraph: Scope = { clause: `BulkActionId eq ${odataString(bulkActionId)}`, keep: () => true };
  const all = settled(pager.page(byGraph.clause, 0));
  const failedFirst = likelyOnlyFailed === false ? undefined : settled(pager.page(and(byGraph.clause, FAILED), 0));
  return {
    async finish(onlyFailed) {
      try {
        return await readIn(pager, byGraph, onlyFailed, all, failedFirst);
      } catch (err) {
        if (signal?.aborted || !(err instanceof GraphError)) throw err;
        if (err.status !== 400) return unavailable(err, onlyFailed);
      }
      // Graph refused the BulkActionId filter (it is not documented): read by the documented one, keep ours here.
      const id = bulkActionId.toLowerCase();
      const local: Scope = { keep: (r) => typeof r.BulkActionId === 'string' && r.BulkActionId.toLowerCase() === id };
      try {
        const reading = await readIn(
          pager,
          local,
          onlyFailed,
          settled(pager.page(undefined, 0)),
          onlyFailed ? settled(pager.page(FAILED, 0)) : undefined,
        );
        const capped = reading.more
          ? `, within the first ${MAX_REPORT_PAGES * REPORT_PAGE} rows of each reading (more rows exist: some of this action's may not have been read)`
          : '';
        return {
          ...reading,
          localFilter: `Graph refused the report filter on BulkActionId (HTTP 400), so the report was read without it and this action's rows were picked out here${capped}`,
        };
      } catch (err) {
        if (signal?.aborted || !(err instanceof GraphError)) throw err;
        return unavailable(err, onlyFailed);
      }
    },
  };
}

const FAILED = "ActionState eq 'failed'";

function unavailable(err: GraphError, onlyFailed: boolean): ReportReading {
  const why = `the action status report could not be read (${err.status ? `HTTP ${err.status} ` : ''}${err.code ?? err.kind})`;
  return { rows: [], onlyFailed, more: false, unavailable: why };
}

async function readIn(
  pager: Pager,
  scope: Scope,
  onlyFailed: boolean,
  allFirst: Promise<Report | undefined>,
  failedFirst: Promise<Report | undefined> | undefined,
): Promise<ReportReading> {
  const first = await allFirst;
  const firstRows = rowsOf(first);
  // The whole report of this action in one page (the usual case when Graph filters for us): nothing is hidden.
  if (scope.clause && typeof first?.TotalRowCount === 'number' && first.TotalRowCount <= firstRows.length) {
    return { rows: firstRows, onlyFailed, more: false };
  }
  if (!onlyFailed) {
    const { rows, more } = await pager.rest(scope.clause, first, scope);
    return { rows, onlyFailed: false, more };
  }
  const failedFilter = and(scope.clause, FAILED);
  const failedPage = await (failedFirst ?? pager.page(failedFilter, 0));
  // Rows are sorted by RequestDateTime: the first failed row is the earliest failed attempt, and any attempt that
  // could supersede a failed one was requested after it. Those rows are read alongside the other failed pages.
  // (With the filter dropped, the first failed row of any action bounds this action's too.)
  const firstFailed = rowsOf(failedPage);
  if (firstFailed.length === 0) return { rows: [], onlyFailed: true, more: false };
  const earliest = firstFailed[0]!.RequestDateTime;
  // Without a time to start from, every row of the action is read: never a guess at what is newer.
  const everything = () => pager.rest(scope.clause, first, scope);
  const later = (since: unknown) =>
    typeof since === 'string' && !Number.isNaN(Date.parse(since)) ? newerRows(pager, scope, since, everything) : everything();
  const [failed, newer] = await Promise.all([pager.rest(failedFilter, failedPage, scope), later(earliest)]);
  // Graph may not have sorted as asked: then the true earliest failed row decides, at the cost of one more reading.
  const trueEarliest = failed.rows
    .map((r) => r.RequestDateTime)
    .filter((t): t is string => typeof t === 'string')
    .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  const check =
    trueEarliest !== undefined && typeof earliest === 'string' && Date.parse(trueEarliest) < Date.parse(earliest)
      ? await later(trueEarliest)
      : newer;
  return { rows: [...failed.rows, ...check.rows], onlyFailed: true, more: failed.more || check.more };
}

async function newerRows(
  pager: Pager,
  scope: Scope,
  since: string,
  everything: () => Promise<{ rows: ReportRow[]; more: boolean }>,
): Promise<{ rows: ReportRow[]; more: boolean }> {
  // datetime'…' is the date literal the report pages' examples use.
  const filter = and(scope.clause, `RequestDateTime gt datetime'${new Date(Date.parse(since)).toISOString()}'`);
  let first: Report | undefined;
  try {
    first = await pager.page(filter, 0);
  } catch (err) {
    // A service that refuses a filter on the request time: every row of the action is read instead, never less.
    if (err instanceof GraphError && err.status === 400) return everything();
    throw err;
  }
  return pager.rest(filter, first, scope);
}
