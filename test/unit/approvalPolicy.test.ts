// Who approves a destructive retry, by policy and by what the client can do: never the model under "human".
import { describe, expect, it } from 'vitest';
import { approvalRoute } from '../../src/tools/retry/confirm.js';
import type { ConfirmPolicy } from '../../src/config/config.js';
import { clientAbilities, listingKind } from '../../src/mcp/view.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';

const NONE = { form: false, url: false, app: false, appApproval: false };
const FORM = { ...NONE, form: true };
const URL_ONLY = { ...NONE, url: true };
// A host that renders views and to which the server hands the view's secret (stdio: it declared MCP Apps support).
const APP = { ...NONE, app: true, appApproval: true };
// Remote mode without CLOUDPC_MCP_REMOTE_APP_APPROVAL: views rendered, but no approve tool and no secret.
const VIEWS_ONLY = { ...NONE, app: true };
const ALL = { form: true, url: true, app: true, appApproval: true };

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
    // A view without the secret never approves: its Approve opens the page.
    ['human', VIEWS_ONLY, true, undefined, 'page'],
    ['human', VIEWS_ONLY, false, undefined, 'refuse'],
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

describe('who gets the view and who gets its approve tool and secret', () => {
  const declared = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } } as ClientCapabilities;
  it.each<[string, ClientCapabilities | undefined, boolean, boolean, string]>([
    ['stdio, a client that declared MCP Apps support', declared, false, false, 'viewsWithAppTools'],
    ['stdio, a client that did not', {}, false, false, 'plain'],
    ['stdio, the remote setting changes nothing', {}, false, true, 'plain'],
    ['remote mode, default', undefined, true, false, 'views'],
    ['remote mode, CLOUDPC_MCP_REMOTE_APP_APPROVAL on', undefined, true, true, 'viewsWithAppTools'],
  ])('%s', (_, caps, stateless, setting, kind) => {
    const client = clientAbilities(caps, stateless, setting);
    expect(listingKind(client)).toBe(kind);
    expect(client.appApproval).toBe(kind === 'viewsWithAppTools');
    // Remote mode without the setting: a plan goes to the sign-in page, never to a tool call.
    if (stateless && !setting) expect(approvalRoute('human', client, true, true).kind).toBe('page');
  });
});
