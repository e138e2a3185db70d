// Who approves a destructive retry, by policy and by what the client can do: never the model under "human".
import { describe, expect, it } from 'vitest';
import { approvalRoute } from '../../src/tools/retry/confirm.js';
import type { ConfirmPolicy } from '../../src/config/config.js';

const NONE = { form: false, url: false, app: false };
const FORM = { ...NONE, form: true };
const URL_ONLY = { ...NONE, url: true };
const APP = { ...NONE, app: true };
const ALL = { form: true, url: true, app: true };

describe('approvalRoute', () => {
  it.each<[ConfirmPolicy, typeof NONE, boolean, boolean | undefined, string]>([
    ['human', ALL, true, undefined, 'elicitation'],
    ['human', FORM, false, true, 'elicitation'],
    ['human', URL_ONLY, true, undefined, 'url'],
    ['human', { ...URL_ONLY, app: true }, true, undefined, 'url'],
    ['human', URL_ONLY, false, undefined, 'refuse'],
    ['human', APP, true, undefined, 'app'],
    ['human', APP, false, undefined, 'app'],
    ['human', NONE, true, undefined, 'page'],
    // The model's confirm: true is never an approval under "human".
    ['human', NONE, true, true, 'page'],
    ['human', NONE, false, true, 'refuse'],
    ['refuse', ALL, true, true, 'refuse'],
    ['refuse', NONE, true, undefined, 'refuse'],
    ['model', FORM, true, true, 'elicitation'],
    ['model', NONE, true, true, 'model'],
    ['model', NONE, true, undefined, 'confirmationRequired'],
    ['model', NONE, false, false, 'confirmationRequired'],
  ])('policy %s, client %j, page %s, confirm %s → %s', (policy, client, page, confirm, route) => {
    expect(approvalRoute(policy, client, page, confirm).kind).toBe(route);
  });

  it('says why it refuses and how to fix it', () => {
    const off = approvalRoute('human', NONE, false, true);
    expect(off.kind === 'refuse' && off.reason).toMatch(/CLOUDPC_MCP_APPROVAL_PAGE=off/);
    const refuse = approvalRoute('refuse', ALL, true, undefined);
    expect(refuse.kind === 'refuse' && refuse.reason).toMatch(/CLOUDPC_MCP_CONFIRM_POLICY=refuse/);
  });
});
