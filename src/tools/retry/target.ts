// Step 1 of a retry: what the call targets, decided once for the dry run and the real call alike, so the two never
// disagree. Reads the bulk action (its counts say whether anything failed), and the failed devices when the choice
// depends on them: chosen ids that did not fail are left out and named, `only: "retryable"` keeps exactly the
// failures a retry can fix. Nothing to retry means nothing is sent.
import { isDestructive } from '../../core/actionTypes.js';
import { getBulkAction, type BulkAction, type BulkActionFacts } from '../../graph/bulkActions.js';
import type { DeviceOutcome, DeviceOutcomes } from '../../graph/outcomes/deviceOutcomes.js';
import type { FailureClass } from '../../graph/failureClasses.js';
import { ToolError, type ToolContext } from '../context.js';
import { dedupeIds } from '../inputs.js';
import { classLabel, outcomesFor, startReading } from '../outcomes.js';
import type { ReportRead } from '../../graph/outcomes/actionReport.js';

export interface RetryArgs {
  bulkActionId: string;
  cloudPcIds?: string[];
  dryRun?: boolean;
  confirm?: boolean;
  only?: 'retryable';
  includeNotFailed?: boolean;
}

export interface LeftOut {
  cloudPcId: string;
  name?: string;
  userPrincipalName?: string;
  why: string;
  failureClass?: FailureClass;
  fix?: string;
}

export interface RetryCounts {
  /** Failed devices of the action by its own counts (absent when Graph did not say). */
  failed?: number;
  chosen?: number;
  toSend?: number;
  leftOut: number;
}

export interface RetryTarget {
  bulkActionId: string;
  facts: BulkActionFacts;
  /** Read from Graph by this call; undefined when the remembered facts sufficed. */
  action?: BulkAction;
  /** The given ids, deduplicated; undefined means none were given. */
  selected?: string[];
  duplicatesRemoved: number;
  destructive: boolean;
  /** Given ids that are not part of the bulk action. */
  notInAction: string[];
  only?: 'retryable';
  includeNotFailed: boolean;
  /** The ids a real call sends; undefined: none are named and Graph retries every failed device. */
  send?: string[];
  leftOut: LeftOut[];
  /** Set when a real call would send nothing: why. */
  nothingToRetry?: string;
  counts: RetryCounts;
  /** The device outcomes read for this decision (dry runs, `only`, chosen ids). */
  outcomes?: DeviceOutcomes;
  /** Set when the devices' states could not be read, so chosen ids go out unchecked. */
  unchecked?: string;
}

export async function resolveTarget(args: RetryArgs, ctx: ToolContext): Promise<RetryTarget> {
  const { config, bulkActionCache } = ctx.deps;
  const { unique, removed } = args.cloudPcIds ? dedupeIds(args.cloudPcIds) : { unique: undefined, removed: 0 };
  const destructiveOf = (f: BulkActionFacts) => isDestructive(f.actionType, config.destructiveActions);
  const missing = (f: BulkActionFacts) => (unique && f.cloudPcIds ? unique.filter((id) => !f.cloudPcIds!.has(id.toLowerCase())) : []);
  const base = {
    bulkActionId: args.bulkActionId,
    selected: unique,
    duplicatesRemoved: removed,
    only: args.only,
    includeNotFailed: args.includeNotFailed === true,
  };
  // The admin insists on these ids as they are: when nothing needs reading, remembered facts save a request.
  if (args.includeNotFailed && unique && !args.only && !args.dryRun) {
    const facts = bulkActionCache.get(args.bulkActionId);
    if (facts?.cloudPcIds && !destructiveOf(facts) && missing(facts).length === 0) {
      return {
        ...base,
        facts,
        destructive: false,
        notInAction: [],
        send: unique,
        leftOut: [],
        counts: { chosen: unique.length, toSend: unique.length, leftOut: 0 },
      };
    }
  }
  // A destructive retry always reads the action afresh: the confirmation must describe its current state.
  // So does a refusal: an id is only called foreign on what Graph says now, never on a remembered list.
  // When the answer will need the devices' states, the report goes out with the action: read, then send.
  const wantsStates = args.dryRun === true || args.only !== undefined || (unique !== undefined && !args.includeNotFailed);
  const reading = wantsStates ? startReading(ctx, args.bulkActionId, true) : undefined;
  const action = await getBulkAction(ctx.deps.graph(), args.bulkActionId, ctx.signal);
  const facts = bulkActionCache.remember(args.bulkActionId, action);
  const notInAction = missing(facts);
  const t: RetryTarget = {
    ...base,
    facts,
    action,
    destructive: destructiveOf(facts),
    notInAction,
    leftOut: [],
    counts: { failed: action.actionSummary?.failedCount, leftOut: 0 },
  };
  // A real call naming foreign ids is refused before anything else is read.
  if (notInAction.length && !args.dryRun) return t;
  await select(t, args, ctx, action, reading);
  t.counts = { failed: t.counts.failed, chosen: unique?.length, toSend: t.send?.length, leftOut: t.leftOut.length };
  return t;
}

async function select(
  t: RetryTarget,
  args: RetryArgs,
  ctx: ToolContext,
  action: BulkAction,
  reading: ReportRead | undefined,
): Promise<void> {
  const foreign = new Set(t.notInAction.map((id) => id.toLowerCase()));
  const chosen = t.selected?.filter((id) => !foreign.has(id.toLowerCase()));
  const insist = t.includeNotFailed && chosen !== undefined && !t.only;
  if (t.counts.failed === 0 && !insist) {
    for (const id of chosen ?? []) t.leftOut.push({ cloudPcId: id, why: 'did not fail (Graph reports 0 failed devices for this action)' });
    t.nothingToRetry = 'Graph reports 0 failed devices for this action';
    t.send = chosen ? [] : undefined;
    return;
  }
  if (!chosen && !t.only) {
    // Every failed device: Graph picks them; a dry run reads them to show which and why.
    if (args.dryRun) t.outcomes = await outcomesFor(ctx, action, { onlyFailed: true, reasons: true }, reading);
    return;
  }
  if (insist) {
    t.send = chosen;
    // Nothing is left out when the admin insists; a dry run still reads which of them did not fail, to name them.
    if (args.dryRun) t.outcomes = await outcomesFor(ctx, action, { onlyFailed: true, reasons: true }, reading);
    return;
  }
  t.outcomes = await outcomesFor(ctx, action, { onlyFailed: true, reasons: t.only === 'retryable' || args.dryRun === true }, reading);
  if (t.outcomes.unavailable) {
    if (t.only) {
      throw new ToolError(
        `Not sent: only: "retryable" needs to know which devices failed and why, but ${t.outcomes.unavailable}. ` +
          'Retry chosen cloudPcIds instead, or check the permissions for reports (CloudPC.Read.All and a Windows 365 reader role).',
      );
    }
    t.send = chosen;
    t.unchecked = t.outcomes.unavailable;
    return;
  }
  pick(t, chosen);
}

/** Pure given the outcomes: which candidates go out, and why each other one stays out. */
function pick(t: RetryTarget, chosen: string[] | undefined): void {
  const o = t.outcomes!;
  const failed = new Map(o.devices.filter((d) => d.state === 'failed').map((d) => [d.cloudPcId.toLowerCase(), d]));
  const candidates: (DeviceOutcome | string)[] = chosen ? chosen.map((id) => failed.get(id.toLowerCase()) ?? id) : [...failed.values()];
  const send: string[] = [];
  for (const c of candidates) {
    if (typeof c === 'string') {
      t.leftOut.push({
        cloudPcId: c,
        why: o.more
          ? 'state unknown: the report of failed devices was too long to read to the end'
          : "did not fail in this action (Graph's action status report does not list it as failed)",
      });
      continue;
    }
    if (t.only === 'retryable' && c.failureClass !== 'retryable') {
      t.leftOut.push({
        cloudPcId: c.cloudPcId,
        name: c.name,
        userPrincipalName: c.userPrincipalName,
        why: notRetryableWhy(c),
        failureClass: c.failureClass,
        fix: c.fix,
      });
      continue;
    }
    send.push(c.cloudPcId);
  }
  t.send = send;
  if (send.length === 0) {
    t.nothingToRetry = t.only
      ? `none of the ${candidates.length} ${chosen ? 'chosen' : 'failed'} ${candidates.length === 1 ? 'device is' : 'devices is'} retryable`
      : `none of the ${chosen!.length} chosen ${chosen!.length === 1 ? 'Cloud PC' : 'Cloud PCs'} failed`;
  }
}

function notRetryableWhy(d: DeviceOutcome): string {
  if (d.failureClass === 'fixFirst') return `${classLabel(d.failureClass)}: ${d.reason ?? 'see the fix'}`;
  if (d.reasonStatus === 'notLookedUp') return 'unknown: its reason was not looked up (beyond CLOUDPC_MCP_MAX_REASON_LOOKUPS)';
  if (d.reasonStatus === 'found') return `unknown: ${d.reason ?? 'Graph gave no reason'} (a code the classification does not know)`;
  return 'unknown: no reason recorded for this action';
}

/** The failed devices, of those read, that a real call acts on: every failed one, or the failed ones among the ids sent. */
export function goingDevices(t: RetryTarget): DeviceOutcome[] {
  const failed = t.outcomes?.devices.filter((d) => d.state === 'failed') ?? [];
  if (!t.send) return failed;
  const ids = new Set(t.send.map((id) => id.toLowerCase()));
  return failed.filter((d) => ids.has(d.cloudPcId.toLowerCase()));
}
