// Device outcomes as the tools read and tell them: states from the report, this action's reasons within the cap,
// failed devices grouped by class with the fix for those a retry cannot fix yet.
import type { BulkAction } from '../graph/bulkActions.js';
import type { ReportRead } from '../graph/outcomes/actionReport.js';
import { deviceOutcomesOf, startOutcomes, type DeviceOutcome, type DeviceOutcomes } from '../graph/outcomes/deviceOutcomes.js';
import type { FailureClass } from '../graph/failureClasses.js';
import type { ToolContext } from './context.js';
import { visible } from '../core/visible.js';
import { countText, plural } from './textTable.js';

export interface ReadOutcomes {
  onlyFailed: boolean;
  /** false: states only (a retry that needs no reasons looks none up). */
  reasons: boolean;
}

/**
 * Sends the report's first page(s) now, to travel with the action's own GET: "which PCs failed" is then one round
 * trip. `likelyOnlyFailed` as in beginReport; a reading nobody finishes costs a request, never an error.
 */
export function startReading(ctx: ToolContext, bulkActionId: string, likelyOnlyFailed: boolean | undefined): ReportRead {
  return startOutcomes(ctx.deps.graph(), bulkActionId, likelyOnlyFailed, ctx.signal);
}

export async function outcomesFor(ctx: ToolContext, action: BulkAction, read: ReadOutcomes, started?: ReportRead): Promise<DeviceOutcomes> {
  const { config } = ctx.deps;
  const o = await deviceOutcomesOf(
    ctx.deps.graph(),
    action,
    {
      onlyFailed: read.onlyFailed,
      reasonCap: read.reasons ? config.maxReasonLookups : 0,
      batch: {
        signal: ctx.signal,
        maxWaitMs: config.maxThrottleWaitMs,
        onThrottle: (n) =>
          ctx.progress(
            n.attempt,
            undefined,
            `Graph is throttling part of the reason lookup (HTTP ${n.status}); waiting ${Math.ceil(n.waitMs / 1000)} s.`,
          ),
      },
    },
    started,
  );
  if (o.unavailable && !config.cloud.reportsDocumented) o.unavailable += `; Graph documents no Cloud PC reports in ${config.cloud.label}`;
  return o;
}

/** What the answer says when the report could not be read: the action's own counts stand, no device is named failed. */
export function unavailableLines(o: DeviceOutcomes, a: BulkAction): string[] {
  if (!o.unavailable) return o.localFilter ? [`${o.localFilter}.`] : [];
  return [
    `Per-device outcomes unavailable: ${o.unavailable}.`,
    `The counts above are the action's own; which of its ${a.cloudPcIds ? plural(a.cloudPcIds.length, 'Cloud PC') : 'Cloud PCs'} failed is not known, so none is named as failed here.`,
  ];
}

export function classCountsOf(devices: readonly Pick<DeviceOutcome, 'state' | 'failureClass'>[]): Record<FailureClass, number> {
  const counts: Record<FailureClass, number> = { retryable: 0, fixFirst: 0, unknown: 0 };
  for (const d of devices) if (d.state === 'failed') counts[d.failureClass ?? 'unknown']++;
  return counts;
}

/** A device as people know it: its user and name, else its id. */
export function who(d: Pick<DeviceOutcome, 'cloudPcId' | 'name' | 'userPrincipalName'>): string {
  const label = [d.userPrincipalName, d.name].filter(Boolean).map((s) => visible(s!));
  return label.length ? `${label[0]}${label[1] ? ` (${label[1]})` : ''}` : d.cloudPcId;
}

/** The reason column: this action's reason, or why it is unknown, and the PC's own status labelled as such. */
export function reasonText(d: DeviceOutcome, cap: number): string | undefined {
  if (d.state !== 'failed') return undefined;
  let text: string;
  switch (d.reasonStatus) {
    case 'found':
      text = d.reason ?? 'failed; Graph gave no reason';
      break;
    case 'noMatchingEntry':
      text = "unknown: the PC's remote action history has no result for this action";
      break;
    case 'lookupFailed':
      text = `unknown: the lookup failed (${d.lookupError ?? 'no answer'})`;
      break;
    default:
      text = `not looked up (reasons are read for the first ${cap} failed devices)`;
  }
  if (d.reasonStatus !== 'found' && d.pcStatus)
    text += `. The PC's current status (not this action's reason): ${d.pcStatus}${d.pcStatusDetail ? ` — ${d.pcStatusDetail}` : ''}`;
  return text;
}

const CLASS_TITLE: Record<FailureClass, string> = {
  retryable: 'retryable (a retry may fix these)',
  fixFirst: 'fix first (a retry fails again until this is fixed)',
  unknown: 'unknown (no known reason: check before retrying)',
};

const MAX_NAMED = 10;

/** Failed devices grouped by class; fix-first devices are grouped by their fix. */
export function classLines(devices: readonly DeviceOutcome[]): string[] {
  const failed = devices.filter((d) => d.state === 'failed');
  if (!failed.length) return [];
  const lines: string[] = ['Failed devices by class:'];
  for (const cls of ['retryable', 'fixFirst', 'unknown'] as FailureClass[]) {
    const group = failed.filter((d) => (d.failureClass ?? 'unknown') === cls);
    if (!group.length) continue;
    if (cls !== 'fixFirst') {
      lines.push(`- ${CLASS_TITLE[cls]}, ${group.length}: ${names(group)}`);
      continue;
    }
    lines.push(`- ${CLASS_TITLE[cls]}, ${group.length}:`);
    const byFix = new Map<string, DeviceOutcome[]>();
    for (const d of group) byFix.set(d.fix ?? '', [...(byFix.get(d.fix ?? '') ?? []), d]);
    for (const [fix, ds] of byFix) lines.push(`    ${fix} → ${names(ds)}`);
  }
  return lines;
}

function names(ds: readonly DeviceOutcome[]): string {
  const shown = ds.slice(0, MAX_NAMED).map(who).join(', ');
  return ds.length > MAX_NAMED ? `${shown}, … and ${plural(ds.length - MAX_NAMED, 'more')}` : shown;
}

/** "Reasons for the first N of M failed devices" when the cap cut the lookup short. */
export function reasonCapLine(o: DeviceOutcomes): string | undefined {
  const r = o.reasons;
  if (!r) return undefined;
  const parts: string[] = [];
  if (r.lookedUp < r.failed) {
    parts.push(
      `Reasons for the first ${r.lookedUp} of ${r.failed} failed devices (CLOUDPC_MCP_MAX_REASON_LOOKUPS=${r.cap}); the others are not classified.`,
    );
  }
  if (r.historyForbidden) {
    parts.push(
      "Graph refused the PCs' remote action history (it needs CloudPC.ReadWrite.All): reasons come from each PC's last remote action only where it belongs to this action.",
    );
  }
  return parts.length ? parts.join(' ') : undefined;
}

export function countsLine(a: BulkAction): string {
  const s = a.actionSummary ?? {};
  return `${countText(s.successfulCount)} succeeded, ${countText(s.failedCount)} failed, ${countText(s.inProgressCount)} in progress, ${countText(s.pendingCount)} pending, ${countText(s.notSupportedCount)} not supported`;
}

export function classLabel(c: string | undefined): string {
  return c === 'fixFirst' ? 'fix first' : (c ?? 'unknown');
}
