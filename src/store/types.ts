// The one place state that must outlive a request lives: retry plans and their decisions, the approval page's one-time
// link tokens, browser sessions and sign-ins in progress, and each caller's rate budget. Two implementations: in this
// process's memory (stdio, one replica; the default) and Redis (several replicas behind a balancer share it). Every
// change of such state goes through these methods, each one atomic, so two replicas can never both win.

/** A plan as the store keeps it: plain JSON data; the store reads only these fields and keeps the rest as given. */
export interface StoredPlan {
  id: string;
  expiresAt: number;
  state: 'pending' | 'approved' | 'declined' | 'used';
  decision?: { how: string; by: string; at: number };
}

export interface PlanDecision {
  approved: boolean;
  how: string;
  by: string;
  at: number;
}

/** A browser session of the approval page: its anti-forgery token, and whose it is (one plan's link, or a signed-in user). */
export interface PageSession {
  csrf: string;
  expiresAt: number;
  planId?: string;
  user?: { kind: 'entra'; tid: string; oid: string; upn?: string };
}

/** An Entra sign-in in progress on the approval page (authorization code + PKCE). */
export interface PendingSignIn {
  verifier: string;
  returnTo: string;
  expiresAt: number;
}

export type Charge = { ok: true } | { ok: false; retryAfterS: number };

export interface Budget {
  /** Tokens added per minute, continuously; 0: no limit. */
  perMinute: number;
  /** Bucket size: calls at once. */
  burst: number;
}

export interface StateStore {
  /** 'memory' or 'redis'. */
  readonly kind: 'memory' | 'redis';
  /** How errors and readiness name it, e.g. "the shared store (Redis, CLOUDPC_MCP_REDIS_URL)". */
  readonly label: string;

  /** Keeps a new plan until its expiresAt. */
  putPlan(plan: StoredPlan): Promise<void>;
  getPlan<P extends StoredPlan>(id: string): Promise<P | undefined>;
  /** Records a decision on a pending, unexpired plan (and spends its page link); the plan as decided, or undefined if it was not pending. */
  decidePlan<P extends StoredPlan>(id: string, decision: PlanDecision): Promise<P | undefined>;
  /** Approved → used, at most once across every replica; false when it was not approved. */
  usePlan(id: string): Promise<boolean>;
  /** Adds plain-data fields to a plan (what became of it); the store's own fields are not changed this way. */
  notePlan(id: string, fields: Record<string, unknown>): Promise<void>;
  /** Calls `onChange` when the plan changes on any replica, until the returned function is called. */
  watchPlan(id: string, onChange: () => void): () => void;

  /** The plan's one-time page-link token: the unspent one, or a new one when it was spent. Undefined once the plan is decided or gone. */
  pageToken(planId: string): Promise<string | undefined>;
  /** Whether the plan has an unspent link token (false once a link was opened, or the plan decided). */
  hasPageToken(planId: string): Promise<boolean>;
  /** Spends the link token when `presented` is it: true once, false ever after (any replica). */
  spendPageToken(planId: string, presented: string): Promise<boolean>;

  putSession(id: string, session: PageSession): Promise<void>;
  getSession(id: string): Promise<PageSession | undefined>;

  /**
   * Keeps a sign-in in progress, counted against `client` (an address), and returns its state (the OAuth `state`, an
   * unguessable secret): when that client already has `maxPerClient`, its own oldest is dropped, never another
   * client's. Undefined when the store holds too many in all.
   */
  startSignIn(client: string, signIn: PendingSignIn, maxPerClient: number): Promise<string | undefined>;
  /** The sign-in under `state`, removed as it is read (a state works once). */
  takeSignIn(state: string): Promise<PendingSignIn | undefined>;

  /** Takes one token from the bucket `key` (a caller, an address), or says how many whole seconds until one is there. */
  take(key: string, budget: Budget): Promise<Charge>;

  /** Resolves when the store answers; rejects (StoreUnavailableError) when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
