// Which Cloud PCs of a bulk action failed, and why. Graph has no per-device list on the bulk action itself:
// the states come from the action status report, the reasons from each failed Cloud PC's last remote action.
import type { BulkAction } from './bulkActions.js';
import type { GraphClient } from './client.js';
import { GraphError } from './errors.js';
import { odataString } from './paging.js';
import { graphPath } from './types.js';

export interface DeviceOutcome {
  cloudPcId: string;
  name?: string;
  userPrincipalName?: string;
  /** succeeded, failed, inProgress, pending, notSupported (or Graph's own value when new). */
  state: string;
  lastUpdatedDateTime?: string;
  /** Why it failed, when Graph says. */
  detail?: string;
}

export interface DeviceOutcomes {
  devices: DeviceOutcome[];
  /** Set when Graph would not give per-device states; the summary counts still stand. */
  unavailable?: string;
  /** True when the action has more devices than were read. */
  more: boolean;
}

const REPORT_PATH = '/deviceManagement/virtualEndpoint/reports/getActionStatusReports';
const REPORT_COLUMNS = ['CloudPcId', 'CloudPcDeviceDisplayName', 'DeviceOwnerUserPrincipalName', 'ActionState', 'LastUpdatedDateTime'];
// The report API allows at most 100 rows a request.
const REPORT_PAGE = 100;
const MAX_REPORT_PAGES = 10;
// Reasons cost one request per device; the first few answer "why did Bob's and Carol's PCs fail?".
const MAX_REASON_LOOKUPS = 25;
const REASON_CONCURRENCY = 4;

// The report speaks the remote-action vocabulary; the bulk action summary speaks this one.
const STATE_NAMES: Record<string, string> = { done: 'succeeded', active: 'inProgress', failed: 'failed', pending: 'pending', notsupported: 'notSupported' };

interface Report {
  TotalRowCount?: number;
  Schema?: { Column?: string }[];
  Values?: unknown[][];
}

function rowsOf(report: Report | undefined): Record<string, unknown>[] {
  const cols = (report?.Schema ?? []).map((c) => c?.Column ?? '');
  return (report?.Values ?? []).filter(Array.isArray).map((v) => Object.fromEntries(cols.map((c, i) => [c, v[i]])));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export async function deviceOutcomesOf(graph: GraphClient, action: BulkAction, signal?: AbortSignal): Promise<DeviceOutcomes> {
  const devices: DeviceOutcome[] = [];
  let more = false;
  try {
    for (let page = 0; page < MAX_REPORT_PAGES; page++) {
      const res = await graph.request<Report>({
        method: 'POST',
        path: REPORT_PATH,
        body: { filter: `BulkActionId eq ${odataString(action.id)}`, select: REPORT_COLUMNS, orderBy: ['CloudPcDeviceDisplayName'], skip: page * REPORT_PAGE, top: REPORT_PAGE },
        signal,
      });
      const rows = rowsOf(res.body);
      for (const r of rows) {
        const id = str(r.CloudPcId);
        if (!id) continue;
        const raw = str(r.ActionState) ?? 'unknown';
        devices.push({
          cloudPcId: id,
          name: str(r.CloudPcDeviceDisplayName),
          userPrincipalName: str(r.DeviceOwnerUserPrincipalName),
          state: STATE_NAMES[raw.toLowerCase()] ?? raw,
          lastUpdatedDateTime: str(r.LastUpdatedDateTime),
        });
      }
      const total = typeof res.body?.TotalRowCount === 'number' ? res.body.TotalRowCount : devices.length;
      if (rows.length < REPORT_PAGE || devices.length >= total) break;
      if (page === MAX_REPORT_PAGES - 1) more = true;
    }
  } catch (err) {
    if (signal?.aborted || !(err instanceof GraphError)) throw err;
    // The summary counts are still worth showing when the report is unavailable (e.g. a role without report access).
    return { devices: [], more: false, unavailable: `the action status report could not be read (${err.status ? `HTTP ${err.status} ` : ''}${err.code ?? err.kind})` };
  }
  await addReasons(graph, action, devices.filter((d) => d.state === 'failed').slice(0, MAX_REASON_LOOKUPS), signal);
  return { devices, more };
}

async function addReasons(graph: GraphClient, action: BulkAction, failed: DeviceOutcome[], signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < failed.length) {
      const d = failed[next++]!;
      try {
        const res = await graph.request<Record<string, unknown>>({
          method: 'GET',
          path: graphPath`/deviceManagement/virtualEndpoint/cloudPCs/${d.cloudPcId}`,
          query: { $select: 'id,displayName,userPrincipalName,lastRemoteActionResult,statusDetail' },
          signal,
        });
        const pc = res.body ?? {};
        d.name ??= str(pc.displayName);
        d.userPrincipalName ??= str(pc.userPrincipalName);
        d.detail = reasonOf(pc);
      } catch (err) {
        if (signal?.aborted || !(err instanceof GraphError)) throw err;
        // A missing reason is not worth failing the whole answer over.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(REASON_CONCURRENCY, failed.length) }, worker));
}

function reasonOf(pc: Record<string, unknown>): string | undefined {
  const last = pc.lastRemoteActionResult as Record<string, unknown> | null | undefined;
  const detail = (last?.statusDetail ?? pc.statusDetail) as Record<string, unknown> | null | undefined;
  const message = str(detail?.message);
  const code = str(detail?.code);
  if (!message && !code) return undefined;
  return message && code ? `${message} (${code})` : (message ?? code);
}
