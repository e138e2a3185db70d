// `npm run bench`, large-tenant run: 10,000 Cloud PCs, 1,000 bulk actions, one action of 5,000 devices with 2,000
// failed. For "which PCs failed and why" and "what failed recently" it records the Graph requests the server made, the
// time, and the server's peak RSS (VmHWM), and checks them against the goals: at most ceil(F/100) + 2 report pages plus
// ceil(min(F, cap)/20) batch requests for F failed devices, and RSS under 80 MiB.
import { readFileSync } from 'node:fs';

const REASON_CAP = 100; // the server's default CLOUDPC_MCP_MAX_REASON_LOOKUPS
const RSS_GOAL_MIB = 80;
const WEEK = 7 * 24 * 3600 * 1000;

/** A memory figure of a process from /proc (VmRSS: now, VmHWM: its peak), in MiB; shared with bench.mjs. */
export function memoryMiB(pid, field) {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : undefined;
  } catch {
    return undefined; // not Linux: memory figures are skipped
  }
}

function kindOf(r) {
  if (r.path.endsWith('/getActionStatusReports')) return 'reportPages';
  if (r.path.endsWith('/$batch')) return 'batches';
  return 'other';
}

/** One tool call on a fresh server process, so its peak RSS is this call's. */
async function measure({ rpcChild, BIN }, sim, name, args) {
  const c = rpcChild([BIN], { CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_LOG_LEVEL: 'warn' });
  try {
    await c.call('initialize', c.init);
    c.notify('notifications/initialized');
    await c.call('tools/list', {});
    await new Promise((r) => setTimeout(r, 1000)); // the full server loads in the background after tools/list
    sim.requests.length = 0;
    const t0 = performance.now();
    const r = await c.call('tools/call', { name, arguments: args });
    const ms = Math.round(performance.now() - t0);
    if (!r.result || r.result.isError) throw new Error(`${name} failed: ${JSON.stringify(r).slice(0, 400)}`);
    const requests = { total: sim.requests.length, reportPages: 0, batches: 0, other: 0 };
    for (const q of sim.requests) requests[kindOf(q)]++;
    return { ms, requests, peakRssMiB: memoryMiB(c.child.pid, 'VmHWM'), structured: r.result.structuredContent };
  } finally {
    c.child.kill();
    await new Promise((r) => c.child.once('exit', r));
  }
}

export async function runLargeTenant(deps) {
  const { startSimulator, LARGE_IDS, LARGE_SHAPE } = deps;
  const sim = await startSimulator({ seed: 'large', pageSize: 100 });
  try {
    const failedPcs = await measure(deps, sim, 'get_cloudpc_bulk_action', { bulkActionId: LARGE_IDS.bigReprovision, onlyFailed: true });
    const since = new Date(sim.now() - WEEK).toISOString();
    const recent = await measure(deps, sim, 'list_cloudpc_bulk_actions', { status: 'failed', createdAfter: since });
    sim.setVariants(['unsupportedQuery']);
    const recentLocal = await measure(deps, sim, 'list_cloudpc_bulk_actions', { status: 'failed', createdAfter: since });
    sim.setVariants([]);

    const F = failedPcs.structured.devices.length;
    // The failed rows' pages, plus the first page of all the action's rows (sent with the action: it answers a small
    // action whole in one round trip) and the rows requested after the earliest failure (a device that failed and then
    // succeeded in this action is not failed).
    const maxPages = Math.ceil(F / 100) + 2;
    const maxBatches = Math.ceil(Math.min(F, REASON_CAP) / 20);
    const rss = [failedPcs, recent, recentLocal].map((m) => m.peakRssMiB).filter((x) => x !== undefined);
    const row = (what, m, extra = '') =>
      `| ${what} | ${m.requests.total} (${m.requests.reportPages} report pages, ${m.requests.batches} batches, ${m.requests.other} other) | ${m.ms} ms | ${m.peakRssMiB ?? '?'} MiB |${extra}`;
    return {
      shape: LARGE_SHAPE,
      failedDevices: F,
      reasonCap: REASON_CAP,
      whichPcsFailedAndWhy: {
        ms: failedPcs.ms,
        requests: failedPcs.requests,
        peakRssMiB: failedPcs.peakRssMiB,
        reasons: failedPcs.structured.reasons,
      },
      whatFailedRecently: {
        ms: recent.ms,
        requests: recent.requests,
        peakRssMiB: recent.peakRssMiB,
        actions: recent.structured.bulkActions.length,
      },
      whatFailedRecentlyWithoutServerFilter: {
        ms: recentLocal.ms,
        requests: recentLocal.requests,
        peakRssMiB: recentLocal.peakRssMiB,
        actions: recentLocal.structured.bulkActions.length,
      },
      table: [
        `Large tenant: ${LARGE_SHAPE.cloudPcs} Cloud PCs, ${LARGE_SHAPE.bulkActions} bulk actions, one action of ${LARGE_SHAPE.bigDevices} devices with ${F} failed (reason cap ${REASON_CAP}); a fresh server per question.`,
        '',
        '| question | Graph requests | time | peak RSS |',
        '|---|---|---|---|',
        row('which PCs failed and why (get_cloudpc_bulk_action, onlyFailed)', failedPcs),
        row(
          `what failed recently (list_cloudpc_bulk_actions, status failed, last 7 days: ${recent.structured.bulkActions.length} actions)`,
          recent,
        ),
        row(
          `the same when Graph refuses $filter/$orderby (read, filtered and sorted here: ${recentLocal.structured.bulkActions.length} actions)`,
          recentLocal,
        ),
      ],
      goals: [
        [
          `which PCs failed and why: report pages ≤ ceil(F/100) + 2 = ${maxPages}`,
          failedPcs.requests.reportPages <= maxPages,
          `${failedPcs.requests.reportPages}`,
        ],
        [
          `which PCs failed and why: batch requests ≤ ceil(min(F, cap)/20) = ${maxBatches}`,
          failedPcs.requests.batches <= maxBatches,
          `${failedPcs.requests.batches}`,
        ],
        [`large tenant: peak RSS < ${RSS_GOAL_MIB} MiB`, rss.every((x) => x < RSS_GOAL_MIB), `${Math.max(...rss)} MiB`],
      ],
    };
  } finally {
    await sim.close();
  }
}
