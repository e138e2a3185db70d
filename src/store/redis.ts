// The store in Redis, shared by every replica (CLOUDPC_MCP_REDIS_URL). Keys are namespaced by a prefix and expire with
// what they hold; every change that must happen once is one script (redisScripts.ts). Commands fail at once while
// the connection is down (no offline queue: nothing is decided on a command that might run later), and the client
// reconnects by itself. Decisions reach waiting calls on other replicas through pub/sub.
import { createHash } from 'node:crypto';
import type { RedisClientType, RedisClusterType } from 'redis';
import { StoreUnavailableError } from './errors.js';
import { EXPIRED_KEPT_MS, newSignInState, redisKeys, secret, tagOfState } from './keys.js';
import { DECIDE, PAGE_TOKEN, SPEND_PAGE_TOKEN, START_SIGN_IN, TAKE, USE } from './redisScripts.js';
import { bucketLifeMs, retryAfterS } from './tokenBucket.js';
import type { Budget, Charge, PageSession, PendingSignIn, PlanDecision, StateStore, StoredPlan } from './types.js';

export interface RedisStoreOptions {
  /** A connected client, to one endpoint or to a Redis Cluster; the store subscribes with a duplicate of it. */
  client: RedisConnection;
  /** Key prefix, e.g. "cloudpc-mcp:". */
  prefix: string;
  /** Where the store is, for errors (host:port, never the password). */
  where: string;
  now?: () => number;
  /** A command not answered in this time counts as a failure. Default 5 s. */
  commandTimeoutMs?: number;
}

/** One endpoint, or a Redis Cluster (every key goes to its slot's shard; the keys of one step share a hash tag). */
export type RedisConnection = RedisClientType | RedisClusterType;

const OWN_FIELDS = new Set(['data', 'state', 'expiresAt', 'decision']);

export class RedisStore implements StateStore {
  readonly kind = 'redis' as const;
  readonly label: string;
  readonly #client: RedisConnection;
  readonly #keys: ReturnType<typeof redisKeys>;
  readonly #where: string;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #watchers = new Map<string, Set<() => void>>();
  #subscriber: Promise<RedisConnection> | undefined;
  readonly #shas = new Map<string, string>();

  constructor(opts: RedisStoreOptions) {
    this.#client = opts.client;
    this.#keys = redisKeys(opts.prefix);
    this.#where = opts.where;
    this.#now = opts.now ?? Date.now;
    this.#timeoutMs = opts.commandTimeoutMs ?? 5_000;
    this.label = `The shared store (Redis at ${opts.where}, CLOUDPC_MCP_REDIS_URL)`;
  }

  async putPlan(plan: StoredPlan): Promise<void> {
    const { state, expiresAt, decision, ...data } = plan;
    const key = this.#keys.plan(plan.id);
    await this.#run(async (c) => {
      await c
        .multi()
        .hSet(key, {
          data: JSON.stringify({ ...data, expiresAt }),
          state,
          expiresAt: String(expiresAt),
          ...(decision ? { decision: JSON.stringify(decision) } : {}),
        })
        .pExpireAt(key, expiresAt + EXPIRED_KEPT_MS)
        .exec();
    });
  }

  async getPlan<P extends StoredPlan>(id: string): Promise<P | undefined> {
    const fields = await this.#run((c) => c.hGetAll(this.#keys.plan(id)));
    return planOf<P>(fields);
  }

  async decidePlan<P extends StoredPlan>(id: string, d: PlanDecision): Promise<P | undefined> {
    const decision = JSON.stringify({ how: d.how, by: d.by, at: d.at });
    const reply = await this.#script(
      DECIDE,
      [this.#keys.plan(id), this.#keys.pageToken(id)],
      [d.approved ? 'approved' : 'declined', decision, String(d.at), this.#keys.channel, id],
    );
    if (!Array.isArray(reply)) return undefined;
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
    return planOf<P>(fields);
  }

  async usePlan(id: string): Promise<boolean> {
    return (await this.#script(USE, [this.#keys.plan(id)], [this.#keys.channel, id])) === 1;
  }

  async notePlan(id: string, fields: Record<string, unknown>): Promise<void> {
    const notes = Object.entries(fields).filter(([k]) => !OWN_FIELDS.has(k) && k !== 'id');
    if (!notes.length) return;
    const key = this.#keys.plan(id);
    await this.#run(async (c) => {
      // Only onto a plan that is still there: a note must not bring an expired plan's key back without its expiry.
      if (await c.exists(key)) await c.hSet(key, Object.fromEntries(notes.map(([k, v]) => [`note:${k}`, JSON.stringify(v)])));
    });
  }

  watchPlan(id: string, onChange: () => void): () => void {
    let set = this.#watchers.get(id);
    if (!set) this.#watchers.set(id, (set = new Set()));
    set.add(onChange);
    void this.#subscribe().catch(() => {}); // a waiting call also re-reads the plan every second (plans.ts)
    return () => {
      set.delete(onChange);
      if (!set.size) this.#watchers.delete(id);
    };
  }

  async pageToken(planId: string): Promise<string | undefined> {
    const t = await this.#script(PAGE_TOKEN, [this.#keys.plan(planId), this.#keys.pageToken(planId)], [secret()]);
    return typeof t === 'string' ? t : undefined;
  }

  async hasPageToken(planId: string): Promise<boolean> {
    return (await this.#run((c) => c.exists(this.#keys.pageToken(planId)))) === 1;
  }

  async spendPageToken(planId: string, presented: string): Promise<boolean> {
    return (await this.#script(SPEND_PAGE_TOKEN, [this.#keys.pageToken(planId)], [presented])) === 1;
  }

  async putSession(id: string, session: PageSession): Promise<void> {
    const ttl = Math.max(1, session.expiresAt - this.#now());
    await this.#run((c) => c.set(this.#keys.session(id), JSON.stringify(session), { expiration: { type: 'PX', value: ttl } }));
  }

  async getSession(id: string): Promise<PageSession | undefined> {
    const raw = await this.#run((c) => c.get(this.#keys.session(id)));
    const s = typeof raw === 'string' ? (JSON.parse(raw) as PageSession) : undefined;
    return s && this.#now() < s.expiresAt ? s : undefined;
  }

  async startSignIn(client: string, signIn: PendingSignIn, maxPerClient: number): Promise<string | undefined> {
    const state = newSignInState(client);
    const tag = tagOfState(state)!;
    const ttl = Math.max(1, signIn.expiresAt - this.#now());
    const keys = this.#keys.signIns(tag);
    await this.#script(
      START_SIGN_IN,
      [`${keys.each}${state}`, keys.index, keys.seq],
      [JSON.stringify(signIn), String(this.#now()), String(signIn.expiresAt), String(maxPerClient), String(ttl), state, keys.each],
    );
    return state;
  }

  async takeSignIn(state: string): Promise<PendingSignIn | undefined> {
    const tag = tagOfState(state);
    if (!tag) return undefined;
    const raw = await this.#run(async (c) => {
      const keys = this.#keys.signIns(tag);
      const [value] = await c.multi().getDel(`${keys.each}${state}`).zRem(keys.index, state).exec();
      return value;
    });
    const s = typeof raw === 'string' ? (JSON.parse(raw) as PendingSignIn) : undefined;
    return s && this.#now() < s.expiresAt ? s : undefined;
  }

  async take(key: string, budget: Budget): Promise<Charge> {
    if (budget.perMinute === 0) return { ok: true };
    const reply = (await this.#script(
      TAKE,
      [this.#keys.rate(key)],
      [String(this.#now()), String(budget.perMinute), String(budget.burst), String(bucketLifeMs(budget))],
    )) as [number, string];
    if (reply[0] === 1) return { ok: true };
    return { ok: false, retryAfterS: retryAfterS(Number(reply[1]), budget.perMinute / 60_000) };
  }

  async ping(): Promise<void> {
    await this.#run((c) => c.ping());
  }

  async close(): Promise<void> {
    const sub = this.#subscriber;
    this.#subscriber = undefined;
    await Promise.allSettled([sub?.then((s) => s.close()), this.#client.close()]);
  }

  /** One subscriber per store, made on the first watch; node-redis subscribes again by itself after a reconnect. */
  #subscribe(): Promise<RedisConnection> {
    this.#subscriber ??= (async () => {
      const sub = this.#client.duplicate();
      sub.on('error', () => {}); // the main client's error handler logs; this one reconnects with it
      await sub.connect();
      await sub.subscribe(this.#keys.channel, (id) => {
        for (const l of [...(this.#watchers.get(id) ?? [])]) l();
      });
      return sub;
    })().catch((err: unknown) => {
      this.#subscriber = undefined;
      throw err;
    });
    return this.#subscriber;
  }

  async #script(script: string, keys: string[], args: string[]): Promise<unknown> {
    let sha = this.#shas.get(script);
    if (!sha) this.#shas.set(script, (sha = createHash('sha1').update(script).digest('hex')));
    return this.#run(async (c) => {
      try {
        return await c.evalSha(sha, { keys, arguments: args });
      } catch (err) {
        // Not cached on this server yet (or it restarted): send the script itself once.
        if (!/NOSCRIPT/.test((err as Error).message)) throw err;
        return c.eval(script, { keys, arguments: args });
      }
    });
  }

  /** Runs commands with a deadline; any failure becomes a StoreUnavailableError that names the store and the fix. */
  async #run<T>(fn: (c: RedisConnection) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      return await Promise.race([fn(this.#client), deadline]);
    } catch (err) {
      const detail = (err as Error).message.split('\n')[0]!;
      throw new StoreUnavailableError(this.label, detail, storeFix(this.#where, detail));
    } finally {
      clearTimeout(timer);
    }
  }
}

export function storeFix(where: string, detail = ''): string {
  // A redirection on one connection: the endpoint is a cluster node although it refused CLUSTER INFO at start-up.
  if (/^(MOVED|ASK|CROSSSLOT)\b/.test(detail))
    return `Redis at ${where} is a Redis Cluster, but it refused the CLUSTER INFO command when the server started, so the server connected to one shard only: allow CLUSTER INFO for the server's Redis user, then restart the server.`;
  return `Check that Redis at ${where} is running and reachable from this server, and that CLOUDPC_MCP_REDIS_URL and its credentials are right; the server reconnects by itself, so try again once Redis answers.`;
}

/** A plan from its hash: the data, then the fields that change (state, decision), then notes. */
function planOf<P extends StoredPlan>(fields: Record<string, string> | undefined): P | undefined {
  if (!fields?.data) return undefined;
  const plan = JSON.parse(fields.data) as P;
  plan.state = fields.state as StoredPlan['state'];
  if (fields.decision) plan.decision = JSON.parse(fields.decision) as StoredPlan['decision'];
  for (const [k, v] of Object.entries(fields)) if (k.startsWith('note:')) (plan as Record<string, unknown>)[k.slice(5)] = JSON.parse(v);
  return plan;
}
