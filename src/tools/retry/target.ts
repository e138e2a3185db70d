// Step 1 of a retry: what the call targets. Reads the bulk action when it must (a destructive retry, a dry run, ids not
// known to belong to it) and says which given ids are not part of it.
import { isDestructive } from '../../core/actionTypes.js';
import { getBulkAction, type BulkAction, type BulkActionFacts } from '../../graph/bulkActions.js';
import { deviceOutcomesOf, type DeviceOutcome } from '../../graph/deviceOutcomes.js';
import type { ToolContext } from '../context.js';
import { dedupeIds } from '../inputs.js';

export interface RetryArgs {
  bulkActionId: string;
  cloudPcIds?: string[];
  dryRun?: boolean;
  confirm?: boolean;
}

export interface RetryTarget {
  bulkActionId: string;
  facts: BulkActionFacts;
  /** Read from Graph by this call; undefined when the remembered facts sufficed. */
  action?: BulkAction;
  /** The given ids, deduplicated; undefined means "every failed device". */
  selected?: string[];
  duplicatesRemoved: number;
  destructive: boolean;
  /** Given ids that are not part of the bulk action. */
  notInAction: string[];
}

export async function resolveTarget(args: RetryArgs, ctx: ToolContext): Promise<RetryTarget> {
  const { config, bulkActionCache } = ctx.deps;
  const { unique, removed } = args.cloudPcIds ? dedupeIds(args.cloudPcIds) : { unique: undefined, removed: 0 };
  let facts: BulkActionFacts | undefined = args.dryRun ? undefined : bulkActionCache.get(args.bulkActionId);
  let action: BulkAction | undefined;
  const destructiveOf = (f: BulkActionFacts) => isDestructive(f.actionType, config.destructiveActions);
  const missing = (f: BulkActionFacts) => (unique ? unique.filter((id) => !f.cloudPcIds.has(id.toLowerCase())) : []);
  // A destructive retry always reads the action afresh: the confirmation must describe its current state.
  // So does a refusal: an id is only called foreign on what Graph says now, never on a remembered list.
  if (!facts || destructiveOf(facts) || missing(facts).length) {
    action = await getBulkAction(ctx.deps.graph(), args.bulkActionId, ctx.signal);
    facts = bulkActionCache.remember(args.bulkActionId, action);
  }
  return {
    bulkActionId: args.bulkActionId,
    facts,
    action,
    selected: unique,
    duplicatesRemoved: removed,
    destructive: destructiveOf(facts),
    notInAction: missing(facts),
  };
}

export interface DeviceRow {
  cloudPcId: string;
  name?: string;
  userPrincipalName?: string;
  state?: string;
  detail?: string;
}

/** The devices a retry of `target` would act on, as far as Graph reports them (dry run). */
export async function devicesToRetry(ctx: ToolContext, action: BulkAction, selected: string[] | undefined): Promise<{ devices: DeviceRow[]; unavailable?: string }> {
  const outcomes = await deviceOutcomesOf(ctx.deps.graph(), action, ctx.signal);
  const byId = new Map(outcomes.devices.map((o) => [o.cloudPcId.toLowerCase(), o]));
  const inAction = new Set(action.cloudPcIds.map((x) => x.toLowerCase()));
  const pick: DeviceOutcome[] = selected
    ? selected.filter((id) => inAction.has(id.toLowerCase())).map((id) => byId.get(id.toLowerCase()) ?? { cloudPcId: id, state: 'unknown' })
    : outcomes.devices.filter((o) => o.state === 'failed');
  return {
    devices: pick.map((o) => ({ cloudPcId: o.cloudPcId, name: o.name, userPrincipalName: o.userPrincipalName, state: o.state, detail: o.detail })),
    unavailable: outcomes.unavailable,
  };
}
