// Retry plans: what a person approves is exactly what is sent. A plan names the bulk action, the exact Cloud PC ids
// (for "all failed": the failed ids when the plan was made) and who asked; it is approved at most once, executed at
// most once, and expires. Plans live in the state store (src/store): memory, or Redis shared by every replica.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { MemoryStore } from '../../store/memory.js';
import type { StateStore } from '../../store/types.js';

/**
 * How a plan was approved; recorded in the result and the audit line. notNeeded: a non-destructive type, run as asked.
 * appTool: a call of the view's app-only tool with the view's secret; the server cannot see who made that call, so it
 * is never recorded as a person's click (page) but as what it is.
 */
export type ApprovalWay = 'elicitation' | 'url' | 'page' | 'appTool' | 'model' | 'notNeeded';
export type RetryClass = 'retryable' | 'fixFirst' | 'unknown';

export interface PlanDevice {
  cloudPcId: string;
  name?: string;
  userPrincipalName?: string;
  state?: string;
  detail?: string;
  /** Why it failed in this action, when known. */
  reason?: string;
  retryClass?: RetryClass;
  /** What the admin should do first, for failures a retry cannot fix yet. */
  fix?: string;
}

/** The action's own device counts when the plan was made (the plan itself may cover only some of them). */
export interface ActionCounts {
  succeeded?: number;
  failed?: number;
  inProgress?: number;
  pending?: number;
  notSupported?: number;
}

/** What became of a plan after its decision: sent (with Graph's receipt), or replaced because the action changed. */
export type PlanOutcome =
  | { kind: 'sent'; at: number; requestId?: string; clientRequestId: string; cloudPcIds: string[] }
  | { kind: 'changed'; at: number; newPlanId?: string };

/** Who a plan belongs to: the local user (stdio, loopback HTTP) or one remote caller (tenant + object id). */
export type PlanOwner = { kind: 'local' } | { kind: 'entra'; tid: string; oid: string; upn?: string };

export interface Plan {
  id: string;
  bulkActionId: string;
  actionType: string;
  displayName: string;
  destructive: boolean;
  target: 'allFailed' | 'selected';
  /** Exactly what is sent: never empty for a destructive plan, never replaced by `{}`. */
  cloudPcIds: string[];
  devices: PlanDevice[];
  owner: PlanOwner;
  /** The filter the plan was made with (a new plan after a change keeps it). */
  only?: 'retryable';
  /** Ids the admin insisted on although they did not fail (includeNotFailed): not expected to be failed later. */
  insisted?: string[];
  /** What the action does, from its own properties (restore point, target plan, …), for the person who approves. */
  actionDetails?: string;
  /** The action's own counts when the plan was made, shown apart from the plan's own Cloud PCs. */
  actionCounts?: ActionCounts;
  createdAt: number;
  expiresAt: number;
  state: 'pending' | 'approved' | 'declined' | 'used';
  decision?: { how: ApprovalWay; by: string; at: number };
  /** Set once the plan was sent, or found changed on execution: what a reopened page tells the person. */
  outcome?: PlanOutcome;
  /** Secret only the MCP Apps view receives (in the result's _meta): what makes the app-only tool the app's. */
  appToken: string;
}

export type PlanInput = Omit<Plan, 'id' | 'createdAt' | 'expiresAt' | 'state' | 'appToken' | 'decision' | 'outcome'>;

export type PlanProblem = 'unknown' | 'expired' | 'used' | 'foreign';

export const PLAN_PROBLEM_TEXT: Record<PlanProblem, string> = {
  unknown:
    'is not known to this server: it was never made here, it was dropped to make room for newer plans, or it expired long ago, or the server restarted with its plans in memory',
  expired: 'has expired',
  used: 'was already executed (a plan is used once)',
  foreign: 'belongs to another user',
};

export function ownerLabel(owner: PlanOwner): string {
  return owner.kind === 'local' ? 'the local user' : (owner.upn ?? `${owner.oid} (tenant ${owner.tid})`);
}

export function sameOwner(a: PlanOwner, b: PlanOwner): boolean {
  if (a.kind === 'local' || b.kind === 'local') return a.kind === b.kind;
  return a.tid.toLowerCase() === b.tid.toLowerCase() && a.oid.toLowerCase() === b.oid.toLowerCase();
}

/** Pure: why `plan` may not be approved or executed by `caller` at `now`, or undefined when it may. */
export function planProblem(plan: Plan | undefined, caller: PlanOwner, now: number): PlanProblem | undefined {
  if (!plan) return 'unknown';
  // Ownership first: another user learns nothing about a plan's state.
  if (!sameOwner(plan.owner, caller)) return 'foreign';
  if (plan.state === 'used') return 'used';
  if (now >= plan.expiresAt) return 'expired';
  return undefined;
}

export interface FailedSetChange {
  /** Planned Cloud PCs that are no longer failed (retried meanwhile, succeeded, or gone). */
  noLongerFailed: string[];
  /** For an "all failed" plan: Cloud PCs that failed since the plan was made. */
  newlyFailed: string[];
  /** The action's type is not what the plan said. */
  typeChanged?: { from: string; to: string };
}

/** Pure: how the action's failed set now differs from the plan; undefined when the plan still holds. */
export function failedSetChange(
  plan: Pick<Plan, 'cloudPcIds' | 'target' | 'actionType' | 'insisted'>,
  nowFailed: readonly string[],
  actionType: string,
): FailedSetChange | undefined {
  const failed = new Set(nowFailed.map((id) => id.toLowerCase()));
  const planned = new Set(plan.cloudPcIds.map((id) => id.toLowerCase()));
  const insisted = new Set((plan.insisted ?? []).map((id) => id.toLowerCase()));
  const noLongerFailed = plan.cloudPcIds.filter((id) => !failed.has(id.toLowerCase()) && !insisted.has(id.toLowerCase()));
  const newlyFailed = plan.target === 'allFailed' ? nowFailed.filter((id) => !planned.has(id.toLowerCase())) : [];
  const typeChanged = actionType !== plan.actionType ? { from: plan.actionType, to: actionType } : undefined;
  if (!noLongerFailed.length && !newlyFailed.length && !typeChanged) return undefined;
  return { noLongerFailed, newlyFailed, ...(typeChanged ? { typeChanged } : {}) };
}

function secret(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison of a presented secret with the expected one. */
export function secretMatches(presented: unknown, expected: string | undefined): boolean {
  if (typeof presented !== 'string' || !expected) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface PlanStoreOptions {
  ttlMs: number;
  /** Where plans live; default a store of its own in this process's memory. */
  store?: StateStore;
  now?: () => number;
}

/**
 * Plans through the shared store (src/store): made here (ids, secrets, expiry), decided and used there, atomically, so
 * with several replicas a plan is one plan. Every method reads the store afresh: a plan object in hand is a copy.
 */
export class PlanStore {
  readonly store: StateStore;
  readonly #ttlMs: number;
  readonly now: () => number;

  constructor(opts: PlanStoreOptions) {
    this.#ttlMs = opts.ttlMs;
    this.store = opts.store ?? new MemoryStore(opts.now ? { now: opts.now } : {});
    this.now = opts.now ?? Date.now;
  }

  async create(input: PlanInput): Promise<Plan> {
    const createdAt = this.now();
    // 128 random bits: a plan id is not a secret (it appears in chat), but it must not be guessable either.
    const plan: Plan = {
      ...input,
      id: `plan-${randomBytes(16).toString('hex')}`,
      createdAt,
      expiresAt: createdAt + this.#ttlMs,
      state: 'pending',
      appToken: secret(),
    };
    await this.store.putPlan(plan);
    return plan;
  }

  get(id: string): Promise<Plan | undefined> {
    return this.store.getPlan<Plan>(id);
  }

  /** Records a person's (or the model's, under policy model) decision on a pending plan; false if it was not pending. */
  async decide(id: string, approved: boolean, how: ApprovalWay, by: string): Promise<boolean> {
    return (await this.store.decidePlan(id, { approved, how, by, at: this.now() })) !== undefined;
  }

  /** Marks an approved plan used, just before it is sent: a plan can never be sent twice, even after an ambiguous failure. */
  use(id: string): Promise<boolean> {
    return this.store.usePlan(id);
  }

  /** Records what became of a plan (sent, or changed); the approval page and the view tell the person. */
  async settle(id: string, outcome: PlanOutcome): Promise<void> {
    await this.store.notePlan(id, { outcome });
  }

  /** Calls `listener` when the plan may have changed (on any replica) until the returned function is called. */
  watch(id: string, listener: () => void): () => void {
    return this.store.watchPlan(id, listener);
  }
}

/** How often a waiting call reads the plan again, besides being told of changes: a missed message costs at most this. */
const RECHECK_MS = 1_000;

/** Resolves when the plan is decided, or with undefined when `timeoutMs` passes or `signal` aborts first. */
export async function waitForDecision(
  store: PlanStore,
  id: string,
  timeoutMs: number,
  signal: AbortSignal,
  onTick?: (remainingMs: number) => void,
): Promise<Plan | undefined> {
  const decided = (p: Plan | undefined) => p !== undefined && (p.state === 'approved' || p.state === 'declined');
  const current = await store.get(id);
  if (!current || decided(current) || timeoutMs <= 0 || signal.aborted) return decided(current) ? current : undefined;
  const deadline = store.now() + timeoutMs;
  return new Promise((resolve) => {
    let done = false;
    const finish = (p: Plan | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(ticker);
      clearInterval(recheck);
      stop();
      signal.removeEventListener('abort', aborted);
      resolve(p);
    };
    // A store that cannot be read just now is read again on the next change or recheck; the deadline still holds.
    const look = () =>
      void store.get(id).then(
        (p) => decided(p) && finish(p),
        () => {},
      );
    const stop = store.watch(id, look);
    const aborted = () => finish(undefined);
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const recheck = setInterval(look, RECHECK_MS);
    // Progress every few seconds keeps clients (and their timeouts) informed that the call is alive and waiting.
    const ticker = setInterval(() => onTick?.(Math.max(0, deadline - store.now())), 5_000);
    signal.addEventListener('abort', aborted, { once: true });
    look(); // a decision between the first read and the watch
  });
}
