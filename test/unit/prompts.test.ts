// The prompt layer's pure parts: argument checks, and completion that must never sign anyone in.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/core/log.js';
import { argumentsProblem } from '../../src/prompts/definePrompt.js';
import { hoursValue, userPrincipalNameValue } from '../../src/prompts/checks.js';
import {
  bulkActionIds,
  MAX_COMPLETION_VALUES,
  NO_COMPLETION,
  staticValues,
  userPrincipalNames,
  type CompletionContext,
} from '../../src/prompts/complete.js';
import { ALL_PROMPTS, selectPrompts } from '../../src/prompts/index.js';
import { BulkActionCache } from '../../src/graph/bulkActions.js';
import type { ServerDeps } from '../../src/tools/context.js';

const prompt = (name: string) => ALL_PROMPTS.find((p) => p.name === name)!;

describe('prompt arguments', () => {
  it.each([
    ['retry_user_failed_cloud_pcs', { user: 'bob@contoso.com' }, undefined],
    ['retry_user_failed_cloud_pcs', {}, /needs the argument "user"/],
    ['retry_user_failed_cloud_pcs', { user: 'bob@contoso.com', bulkActionId: '8F1C2D3E-6A7B-4C8D-9E0F-A1B2C3D4E5F6' }, undefined],
    ['retry_user_failed_cloud_pcs', { user: 'bob@contoso.com', bulkActionId: '8f1c2d3e' }, /must be a bulk action id/],
    ['triage_failed_bulk_actions', {}, undefined],
    ['triage_failed_bulk_actions', { actionType: 'RESTART' }, undefined],
    ['triage_failed_bulk_actions', { actionType: 'reboot' }, /actionType must be one of: restart, reprovision/],
    ['check_retry_outcome', { bulkActionId: '8f1c2d3e-6a7b-4c8d-9e0f-a1b2c3d4e5f6', extra: 'x' }, /has no argument "extra"/],
  ] as const)('%s %j', (name, args, problem) => {
    const got = argumentsProblem(prompt(name), args);
    if (problem) expect(got).toMatch(problem);
    else expect(got).toBeUndefined();
  });

  it.each([
    ['24', true],
    ['1', true],
    ['168', true],
    ['0', false],
    ['169', false],
    ['1.5', false],
    ['-1', false],
    ['a day', false],
  ])('hours %s', (v, ok) => expect(hoursValue(v) === undefined).toBe(ok));

  it.each([
    ['bob@contoso.com', true],
    [' bob@contoso.com ', true],
    ['bob', false],
    ['bob@', false],
    ['bob @contoso.com', false],
    ['a@b@c', false],
    ['bob@contoso.com\n', true],
    ['bob\u0000@contoso.com', false],
  ])('user %j', (v, ok) => expect(userPrincipalNameValue(v) === undefined).toBe(ok));

  it('a read-only server offers no prompt that leads to a retry', () => {
    expect(selectPrompts(true).map((p) => p.kind)).not.toContain('retry');
    expect(selectPrompts(false)).toHaveLength(ALL_PROMPTS.length);
  });
});

describe('completion', () => {
  /** Deps whose sign-in would need a person: the provider has no silent token, and Graph must not be touched. */
  function signedOutDeps(): { deps: ServerDeps; asked: string[] } {
    const asked: string[] = [];
    const r = loadConfig([], {});
    const config = r.ok ? r.config : r.fallback;
    const provider = {
      method: 'devicecode',
      description: 'device code (test)',
      delegated: true,
      async getToken() {
        asked.push('getToken');
        throw new Error('a sign-in prompt would start here');
      },
      async getTokenSilently() {
        asked.push('getTokenSilently');
        return undefined;
      },
    };
    const deps = {
      config,
      logger: silentLogger,
      simulated: false,
      bulkActionCache: new BulkActionCache(),
      tokens: () => provider,
      graph: () => {
        asked.push('graph');
        throw new Error('Graph must not be read');
      },
    } as unknown as ServerDeps;
    return { deps, asked };
  }

  it('reads Graph only with a token no person has to give: signed out, it offers nothing and starts no sign-in', async () => {
    const { deps, asked } = signedOutDeps();
    const ctx: CompletionContext = { deps, signal: new AbortController().signal, arguments: {} };
    expect(await bulkActionIds({ failedOnly: true })('', ctx)).toEqual(NO_COMPLETION);
    expect(await userPrincipalNames('b', ctx)).toEqual(NO_COMPLETION);
    expect(asked).toEqual(['getTokenSilently', 'getTokenSilently']);
  });

  it('caps an answer at the protocol limit and says how many there are', async () => {
    const values = Array.from({ length: 150 }, (_, i) => `v${String(i).padStart(3, '0')}`);
    const c = await staticValues(values)('V', { deps: signedOutDeps().deps, signal: new AbortController().signal, arguments: {} });
    expect(c.values).toHaveLength(MAX_COMPLETION_VALUES);
    expect(c).toMatchObject({ total: 150, hasMore: true });
  });
});
