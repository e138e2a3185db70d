// Retry plans: what a person approves is what is sent, once, by its owner, before it expires.
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import {
  failedSetChange,
  planProblem,
  PlanStore,
  sameOwner,
  secretMatches,
  type Plan,
  type PlanInput,
  type PlanOwner,
} from '../../src/tools/retry/plans.js';

const LOCAL: PlanOwner = { kind: 'local' };
const ALICE: PlanOwner = { kind: 'entra', tid: 'T1', oid: 'A1', upn: 'alice@contoso.com' };
const ALICE_LOWER: PlanOwner = { kind: 'entra', tid: 't1', oid: 'a1' };
const BOB_SAME_TENANT: PlanOwner = { kind: 'entra', tid: 'T1', oid: 'B2' };
const ALICE_OTHER_TENANT: PlanOwner = { kind: 'entra', tid: 'T9', oid: 'A1' };

function input(owner: PlanOwner = LOCAL, ids = ['pc-1', 'pc-2']): PlanInput {
  return {
    bulkActionId: 'ba-1',
    actionType: 'reprovision',
    displayName: 'Reprovision',
    destructive: true,
    target: 'allFailed',
    cloudPcIds: ids,
    devices: ids.map((cloudPcId) => ({ cloudPcId, state: 'failed' })),
    owner,
  };
}

function clockStore(ttlMs = 1000) {
  let t = 1_000_000;
  const store = new PlanStore({ ttlMs, now: () => t });
  return { store, advance: (ms: number) => (t += ms) };
}

describe('planProblem', () => {
  const plan = (state: Plan['state'], owner: PlanOwner = ALICE): Plan => ({
    ...input(owner),
    id: 'plan-x',
    createdAt: 0,
    expiresAt: 100,
    state,
    appToken: 'a',
  });
  it.each<[string, Plan | undefined, PlanOwner, number, string | undefined]>([
    ['unknown plan', undefined, ALICE, 0, 'unknown'],
    ['pending, owner, in time', plan('pending'), ALICE, 99, undefined],
    ['approved, owner, in time', plan('approved'), ALICE, 99, undefined],
    ['ids compared case-insensitively', plan('pending'), ALICE_LOWER, 99, undefined],
    ['expired at the instant of expiry', plan('pending'), ALICE, 100, 'expired'],
    ['already used', plan('used'), ALICE, 0, 'used'],
    ['another user of the same tenant', plan('pending'), BOB_SAME_TENANT, 0, 'foreign'],
    ['the same object id in another tenant', plan('pending'), ALICE_OTHER_TENANT, 0, 'foreign'],
    ['a local caller for a remote plan', plan('pending'), LOCAL, 0, 'foreign'],
    ['a remote caller for a local plan', plan('pending', LOCAL), ALICE, 0, 'foreign'],
    ['another user learns nothing of a used plan', plan('used'), BOB_SAME_TENANT, 0, 'foreign'],
  ])('%s', (_what, p, caller, now, expected) => {
    expect(planProblem(p, caller, now)).toBe(expected);
  });

  it('sameOwner: local is only ever the local user', () => {
    expect(sameOwner(LOCAL, LOCAL)).toBe(true);
    expect(sameOwner(ALICE, ALICE_LOWER)).toBe(true);
    expect(sameOwner(ALICE, LOCAL)).toBe(false);
  });
});

describe('failedSetChange', () => {
  const all = { target: 'allFailed' as const, cloudPcIds: ['A', 'B'], actionType: 'reprovision' };
  const sel = { ...all, target: 'selected' as const };
  it.each<[string, typeof all | typeof sel, string[], string, ReturnType<typeof failedSetChange>]>([
    ['unchanged (case-insensitive)', all, ['a', 'b'], 'reprovision', undefined],
    ['a planned PC no longer failed', all, ['A'], 'reprovision', { noLongerFailed: ['B'], newlyFailed: [] }],
    ['all failed: a PC failed since', all, ['A', 'B', 'C'], 'reprovision', { noLongerFailed: [], newlyFailed: ['C'] }],
    ['selected: other failures do not matter', sel, ['A', 'B', 'C'], 'reprovision', undefined],
    ['selected: a chosen PC no longer failed', sel, ['A', 'C'], 'reprovision', { noLongerFailed: ['B'], newlyFailed: [] }],
    [
      'the action type changed',
      all,
      ['A', 'B'],
      'restore',
      { noLongerFailed: [], newlyFailed: [], typeChanged: { from: 'reprovision', to: 'restore' } },
    ],
  ])('%s', (_what, plan, now, type, expected) => {
    expect(failedSetChange(plan, now, type)).toEqual(expected);
  });
});

// The store's behaviour (decide once, use once, expiry, waiting) is the contract in store.contract.test.ts.
describe('PlanStore', () => {
  it('creates a pending plan with an unguessable id and app secret, expiring after the TTL', async () => {
    const { store } = clockStore(15 * 60_000);
    const a = await store.create(input());
    const b = await store.create(input());
    expect(a.id).toMatch(/^plan-[0-9a-f]{32}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.state).toBe('pending');
    expect(a.expiresAt - a.createdAt).toBe(15 * 60_000);
    expect(a.appToken).toMatch(/^[\w-]{32}$/);
    expect(a.appToken).not.toBe(b.appToken);
  });

  it('in memory, is bounded: the oldest plan is dropped first', async () => {
    const t = 1_000_000;
    const store = new PlanStore({ ttlMs: 1000, store: new MemoryStore({ now: () => t, maxPlans: 3 }), now: () => t });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await store.create(input())).id);
    expect(await store.get(ids[0]!)).toBeUndefined();
    expect(await store.get(ids[3]!)).toBeDefined();
  });

  it('secretMatches compares exactly, and never matches a missing secret', () => {
    expect(secretMatches('abc', 'abc')).toBe(true);
    expect(secretMatches('abd', 'abc')).toBe(false);
    expect(secretMatches('ab', 'abc')).toBe(false);
    expect(secretMatches(undefined, 'abc')).toBe(false);
    expect(secretMatches('', undefined)).toBe(false);
  });
});
