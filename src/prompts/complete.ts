// Argument completion (completion/complete): values that fit what the user has typed so far. Graph-backed sources only
// read when a token is at hand without a person (completion must never open a browser or print a device code), and
// the caller turns any failure into an empty list: a suggestion is never worth an error in the client.
import { isAuthTokenProvider } from '../auth/statusReport.js';
import type { ServerDeps } from '../tools/context.js';
import { cloudPcUsers, recentBulkActions, type RecentBulkAction } from './lookups.js';

/** The protocol's cap on values in one answer. */
export const MAX_COMPLETION_VALUES = 100;

export interface CompletionContext {
  deps: ServerDeps;
  /** Aborted when the client cancels or the completion deadline passes. */
  signal: AbortSignal;
  /** Arguments the user already filled in (the request's context.arguments). */
  arguments: Readonly<Record<string, string>>;
}

// A type, not an interface: the SDK's result type has an index signature, which only type aliases satisfy.
export type Completion = {
  values: string[];
  total?: number;
  hasMore?: boolean;
};

export type CompletionSource = (typed: string, ctx: CompletionContext) => Promise<Completion>;

export const NO_COMPLETION: Completion = { values: [], total: 0, hasMore: false };

/** At most the protocol's cap; `more` when Graph had more than was read, so the total is not known. */
function fit(values: string[], more: boolean): Completion {
  const hasMore = more || values.length > MAX_COMPLETION_VALUES;
  return { values: values.slice(0, MAX_COMPLETION_VALUES), ...(more ? {} : { total: values.length }), hasMore };
}

const startsWith = (value: string, typed: string) => value.toLowerCase().startsWith(typed.trim().toLowerCase());

/** A fixed list, matched by prefix, case-insensitively. */
export function staticValues(values: readonly string[]): CompletionSource {
  return async (typed) =>
    fit(
      values.filter((v) => startsWith(v, typed)),
      false,
    );
}

/** Reads only when no person is needed for a token: a cached or refreshable sign-in, a static token, the simulator. */
function fromGraph(source: CompletionSource): CompletionSource {
  return async (typed, ctx) => {
    const tokens = ctx.deps.tokens();
    if (isAuthTokenProvider(tokens) && (await tokens.getTokenSilently(ctx.signal)) === undefined) return NO_COMPLETION;
    return source(typed, ctx);
  };
}

/** Failed, or possibly failed: Graph's `failed` means all devices failed, so a mix shows only in the counts. */
function mayHaveFailures(a: RecentBulkAction): boolean {
  if (a.status === 'failed') return true;
  return a.failedCount === undefined ? a.status !== 'succeeded' : a.failedCount > 0;
}

/**
 * Bulk action ids, newest first, matched by id prefix, type prefix or a part of the display name. With a `user`
 * argument already filled in, only actions that include that user's Cloud PCs (where both lists are known).
 */
export function bulkActionIds(opts: { failedOnly: boolean }): CompletionSource {
  return fromGraph(async (typed, ctx) => {
    const graph = ctx.deps.graph();
    const { items, more } = await recentBulkActions(graph, ctx.signal);
    let actions = opts.failedOnly ? items.filter(mayHaveFailures) : items;
    const user = ctx.arguments.user?.trim().toLowerCase();
    if (user) {
      const pcs = await cloudPcUsers(graph, ctx.signal);
      const theirs = new Set(pcs.items.filter((p) => p.userPrincipalName?.toLowerCase() === user).map((p) => p.id.toLowerCase()));
      // A user not among the Cloud PCs read, or an action whose device list Graph left out, rules nothing out.
      if (theirs.size) actions = actions.filter((a) => !a.cloudPcIds.length || a.cloudPcIds.some((id) => theirs.has(id.toLowerCase())));
    }
    const t = typed.trim().toLowerCase();
    const matches = actions.filter(
      (a) => a.id.toLowerCase().startsWith(t) || startsWith(a.actionType, t) || (t !== '' && a.displayName.toLowerCase().includes(t)),
    );
    return fit(
      matches.map((a) => a.id),
      more,
    );
  });
}

/** The sign-in names of Cloud PC users, matched by prefix, each once, sorted. */
export const userPrincipalNames: CompletionSource = fromGraph(async (typed, ctx) => {
  const { items, more } = await cloudPcUsers(ctx.deps.graph(), ctx.signal);
  const seen = new Map<string, string>();
  for (const p of items)
    if (p.userPrincipalName && !seen.has(p.userPrincipalName.toLowerCase()))
      seen.set(p.userPrincipalName.toLowerCase(), p.userPrincipalName);
  const names = [...seen.values()].filter((n) => startsWith(n, typed)).sort((a, b) => a.localeCompare(b));
  return fit(names, more);
});
