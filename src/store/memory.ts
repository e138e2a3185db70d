// The store in this process's memory: the default, for stdio and a single replica. Bounded (the oldest plans and
// sessions are dropped first), and it hands out copies, so no caller changes a plan except through these methods, as
// with Redis.
import { timingSafeEqual } from 'node:crypto';
import { clientTag, EXPIRED_KEPT_MS, newSignInState, secret, tagOfState } from './keys.js';
import { bucketLifeMs, takeToken, type Bucket } from './tokenBucket.js';
import type { Budget, Charge, PageSession, PendingSignIn, PlanDecision, StateStore, StoredPlan } from './types.js';

export interface MemoryStoreOptions {
  now?: () => number;
  /** Plans kept at once; the oldest is dropped first. Default 500. */
  maxPlans?: number;
  /** Page sessions kept at once. Default 1,000. */
  maxSessions?: number;
  /** Sign-ins in progress kept at once, all clients together. Default 10,000. */
  maxSignIns?: number;
  /** Rate buckets kept; the least recently used is forgotten first (it has refilled, as a rule). Default 10,000. */
  maxBuckets?: number;
}

const clone = <T>(v: T): T => structuredClone(v);

/** Constant-time comparison of a presented secret with the expected one. */
function sameSecret(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value!);
}

export class MemoryStore implements StateStore {
  readonly kind = 'memory' as const;
  readonly label = "this server's memory";
  readonly #now: () => number;
  readonly #max: Required<Omit<MemoryStoreOptions, 'now'>>;
  readonly #plans = new Map<string, StoredPlan>();
  readonly #pageTokens = new Map<string, string>();
  readonly #watchers = new Map<string, Set<() => void>>();
  readonly #sessions = new Map<string, PageSession>();
  readonly #signIns = new Map<string, PendingSignIn & { tag: string }>();
  readonly #buckets = new Map<string, Bucket>();

  constructor(opts: MemoryStoreOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#max = {
      maxPlans: opts.maxPlans ?? 500,
      maxSessions: opts.maxSessions ?? 1000,
      maxSignIns: opts.maxSignIns ?? 10_000,
      maxBuckets: opts.maxBuckets ?? 10_000,
    };
  }

  async putPlan(plan: StoredPlan): Promise<void> {
    bounded(this.#plans, plan.id, clone(plan), this.#max.maxPlans);
    for (const id of this.#pageTokens.keys()) if (!this.#plans.has(id)) this.#pageTokens.delete(id);
  }

  async getPlan<P extends StoredPlan>(id: string): Promise<P | undefined> {
    const plan = this.#live(id);
    return plan && (clone(plan) as P);
  }

  async decidePlan<P extends StoredPlan>(id: string, d: PlanDecision): Promise<P | undefined> {
    const plan = this.#live(id);
    if (!plan || plan.state !== 'pending' || d.at >= plan.expiresAt) return undefined;
    plan.state = d.approved ? 'approved' : 'declined';
    plan.decision = { how: d.how, by: d.by, at: d.at };
    this.#pageTokens.delete(id);
    this.#notify(id);
    return clone(plan) as P;
  }

  async usePlan(id: string): Promise<boolean> {
    const plan = this.#live(id);
    if (!plan || plan.state !== 'approved') return false;
    plan.state = 'used';
    this.#notify(id);
    return true;
  }

  async notePlan(id: string, fields: Record<string, unknown>): Promise<void> {
    const plan = this.#live(id);
    if (!plan) return;
    const { id: _i, expiresAt: _e, state: _s, decision: _d, ...rest } = clone(fields);
    Object.assign(plan, rest);
  }

  watchPlan(id: string, onChange: () => void): () => void {
    let set = this.#watchers.get(id);
    if (!set) this.#watchers.set(id, (set = new Set()));
    set.add(onChange);
    return () => {
      set.delete(onChange);
      if (!set.size) this.#watchers.delete(id);
    };
  }

  async pageToken(planId: string): Promise<string | undefined> {
    const plan = this.#live(planId);
    if (!plan || plan.state !== 'pending') return undefined;
    let token = this.#pageTokens.get(planId);
    if (!token) this.#pageTokens.set(planId, (token = secret()));
    return token;
  }

  async hasPageToken(planId: string): Promise<boolean> {
    return this.#live(planId) !== undefined && this.#pageTokens.has(planId);
  }

  async spendPageToken(planId: string, presented: string): Promise<boolean> {
    const token = this.#pageTokens.get(planId);
    if (!this.#live(planId) || token === undefined || !sameSecret(token, presented)) return false;
    this.#pageTokens.delete(planId);
    return true;
  }

  async putSession(id: string, session: PageSession): Promise<void> {
    bounded(this.#sessions, id, clone(session), this.#max.maxSessions);
  }

  async getSession(id: string): Promise<PageSession | undefined> {
    const s = this.#sessions.get(id);
    return s && this.#now() < s.expiresAt ? clone(s) : undefined;
  }

  async startSignIn(client: string, signIn: PendingSignIn, maxPerClient: number): Promise<string | undefined> {
    const now = this.#now();
    const tag = clientTag(client);
    for (const [state, s] of this.#signIns) if (now >= s.expiresAt) this.#signIns.delete(state);
    // Oldest first (insertion order): this client's own oldest go, never another client's.
    const mine = [...this.#signIns].filter(([, s]) => s.tag === tag).map(([state]) => state);
    for (const state of mine.slice(0, Math.max(0, mine.length - maxPerClient + 1))) this.#signIns.delete(state);
    if (this.#signIns.size >= this.#max.maxSignIns) return undefined;
    const state = newSignInState(client);
    this.#signIns.set(state, { ...clone(signIn), tag });
    return state;
  }

  async takeSignIn(state: string): Promise<PendingSignIn | undefined> {
    if (!tagOfState(state)) return undefined;
    const s = this.#signIns.get(state);
    this.#signIns.delete(state);
    if (!s || this.#now() >= s.expiresAt) return undefined;
    const { tag: _t, ...signIn } = s;
    return signIn;
  }

  async take(key: string, budget: Budget): Promise<Charge> {
    if (budget.perMinute === 0) return { ok: true };
    const now = this.#now();
    const prev = this.#buckets.get(key);
    const { bucket, charge } = takeToken(prev && now - prev.at < bucketLifeMs(budget) ? prev : undefined, budget, now);
    bounded(this.#buckets, key, bucket, this.#max.maxBuckets);
    return charge;
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}

  #live(id: string): StoredPlan | undefined {
    const plan = this.#plans.get(id);
    if (plan && this.#now() >= plan.expiresAt + EXPIRED_KEPT_MS) {
      this.#plans.delete(id);
      this.#pageTokens.delete(id);
      return undefined;
    }
    return plan;
  }

  #notify(id: string): void {
    for (const l of [...(this.#watchers.get(id) ?? [])]) l();
  }
}
