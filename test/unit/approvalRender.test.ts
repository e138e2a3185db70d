// The one renderer of the approval page and the MCP Apps view: every value escaped, the plan and its buttons shown
// only while the plan is pending, and results of both tools understood.
import { describe, expect, it } from 'vitest';
import { escapeHtml, planStateOf, renderView, type ViewModel } from '../../src/approval/viewHtml.js';
import { modelFromResult } from '../../src/approval/viewModel.js';

const model = (over: Partial<ViewModel> = {}): ViewModel => ({
  bulkActionId: 'ba-1',
  actionType: 'reprovision',
  displayName: 'Nightly <b>rebuild</b>',
  summary: { succeeded: 4, failed: 2, inProgress: 0, pending: 0, notSupported: 1 },
  devices: [
    {
      cloudPcId: 'pc-1',
      name: '<img src=x onerror=alert(1)>',
      userPrincipalName: 'erin@contoso.com',
      state: 'failed',
      reason: 'Subnet "full" & more',
      retryClass: 'fixFirst',
    },
  ],
  plan: { id: 'plan-1', state: 'pending', expiresAt: new Date(2_000_000).toISOString(), approvalNeeded: true, owner: 'the local user' },
  ...over,
});

describe('renderView', () => {
  it('escapes every value from Graph or the model', () => {
    const html = renderView(model(), { decide: 'buttons', now: 1_000_000 });
    expect(html).not.toMatch(/<img|<b>/);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Subnet &quot;full&quot; &amp; more');
    expect(escapeHtml(`'"<>&`)).toBe('&#39;&quot;&lt;&gt;&amp;');
  });

  // The person deciding reads what this type's retry does to the PCs (the action-type record), not a generic warning.
  it.each([
    [
      'reprovision',
      "Retrying this reprovision rebuilds each Cloud PC from its provisioning policy; the user's data and apps on it are lost.",
    ],
    ['restart', 'Retrying this restart restarts each Cloud PC; its user is signed out.'],
    ['futureType', 'Retrying this futureType acts on each Cloud PC again in a way this version of cloudpc-mcp does not know'],
  ])('warns, for a pending %s plan, with what its retry does', (actionType, words) => {
    const html = renderView(model({ actionType }), { decide: 'buttons', now: 1_000_000 });
    expect(html).toContain(`<p class="warning">${escapeHtml(words)}`);
    expect(
      renderView(model({ actionType, plan: { ...model().plan!, state: 'approved' } }), { decide: 'none', now: 1_000_000 }),
    ).not.toContain('class="warning"');
  });

  it("shows the action's own counts, the plan's count apart (2 of 7), every device with its fields, and sortable columns", () => {
    const html = renderView(model({ devices: [model().devices[0]!, { cloudPcId: 'pc-2', state: 'failed' }] }), {
      decide: 'none',
      now: 1_000_000,
    });
    for (const label of [
      '4</strong> succeeded',
      '2</strong> failed',
      '0</strong> in progress',
      '0</strong> pending',
      '1</strong> not supported',
    ])
      expect(html).toContain(label);
    expect(html).toContain('The whole action (when the plan was made)');
    expect(html).toContain('<dd class="plan-count">2 of 7 Cloud PCs</dd>');
    expect(html).toContain('erin@contoso.com');
    // Classes in words for people, not the code.
    expect(html).toContain('fix first');
    expect(html).not.toContain('>fixFirst<');
    expect(html.match(/data-sort="/g)).toHaveLength(5);
  });

  it('counts the plan alone when the action\'s counts are unknown, and says "1 Cloud PC"', () => {
    const html = renderView(model({ summary: undefined }), { decide: 'none', now: 1_000_000 });
    expect(html).toContain('<dd class="plan-count">1 Cloud PC</dd>');
    expect(html).not.toContain('class="summary"');
  });

  it('writes out bidi controls and other invisible characters from Graph names, with the id beside the name', () => {
    const html = renderView(
      model({ displayName: 'night\u202Efdp.exe', devices: [{ cloudPcId: 'pc-1', name: 'erin\u200B-pc\u2066', state: 'failed' }] }),
      { decide: 'none', now: 1_000_000 },
    );
    expect(html).toContain('night⟨U+202E⟩fdp.exe');
    expect(html).toContain('erin⟨U+200B⟩-pc⟨U+2066⟩<div class="id">pc-1</div>');
    expect(html).not.toMatch(/[\u202E\u200B\u2066]/);
  });

  it('shows what became of a sent plan: when, the request id and the ids sent; no buttons', () => {
    const sent = model({
      plan: {
        ...model().plan!,
        state: 'used',
        outcome: { kind: 'sent', at: '2026-12-06T10:00:00.000Z', requestId: 'req-9', cloudPcIds: ['pc-1'] },
      },
    });
    const html = renderView(sent, { decide: 'buttons', now: 1_000_000 });
    expect(html).toContain('<dt>Sent</dt><dd>2026-12-06 10:00:00 UTC, request id <code>req-9</code></dd>');
    expect(html).toContain('<dt>Ids sent</dt><dd class="ids"><code>pc-1</code></dd>');
    expect(html).toContain('plan-sent');
    expect(html).not.toMatch(/data-decision/);
    // How it was decided, in words: a call of the view's tool is never shown as a page click.
    const viaTool = renderView(model({ plan: { ...sent.plan!, decision: { via: 'appTool', by: 'erin', at: 'x' } } }), {
      decide: 'none',
      now: 1_000_000,
    });
    expect(viaTool).toContain('<dt>Decided</dt><dd>with the plan view&#39;s approve tool, by erin</dd>');
    expect(viaTool).not.toMatch(/appTool|approval page/);
  });

  it('planStateOf: sent, changed, expired (pending or approved past expiry), else the state', () => {
    const p = model().plan!;
    expect(planStateOf({ ...p, outcome: { kind: 'sent', at: 'x' } }, 0)).toBe('sent');
    expect(planStateOf({ ...p, outcome: { kind: 'changed', at: 'x' } }, 0)).toBe('changed');
    expect(planStateOf(p, 3_000_000)).toBe('expired');
    expect(planStateOf({ ...p, state: 'approved' }, 3_000_000)).toBe('expired');
    expect(planStateOf({ ...p, state: 'declined' }, 3_000_000)).toBe('declined');
    expect(planStateOf(p, 1_000_000)).toBe('pending');
  });

  it('a view with neither the approve tool nor a sign-in page says where the person decides, with no buttons', () => {
    const html = renderView(model(), { decide: 'elsewhere', now: 1_000_000 });
    expect(html).toContain("its one-time link is in your client's log");
    expect(html).not.toMatch(/<button[^>]*(data-decision|data-open-approval)/);
  });

  it('view without the approve tool: one button that opens the approval page, no decision buttons', () => {
    const html = renderView(model(), { decide: 'page', now: 1_000_000 });
    expect(html).toContain('data-open-approval="1"');
    expect(html).not.toMatch(/data-decision/);
  });

  it('shows the person who approves what a fix-first failure needs, and what the action does', () => {
    const html = renderView(
      model({
        devices: [{ ...model().devices[0]!, fix: 'Add free IP addresses to subnet <snet-1>, then retry.' }],
        plan: { ...model().plan!, actionDetails: 'restore point 2026-11-27T08:00:00Z, time range before' },
      }),
      { decide: 'form', csrf: 't', formAction: '/approve/plan-1', now: 1_000_000 },
    );
    expect(html).toContain('<div class="fix">Add free IP addresses to subnet &lt;snet-1&gt;, then retry.</div>');
    expect(html).toContain('<dt>Action</dt><dd>restore point 2026-11-27T08:00:00Z, time range before</dd>');
  });

  it('page: a POST form with the anti-forgery token; view: buttons; none once decided or expired', () => {
    const form = renderView(model(), { decide: 'form', csrf: 'tok"en', formAction: '/approve/plan-1', now: 1_000_000 });
    expect(form).toContain('<form class="decide" method="post" action="/approve/plan-1">');
    expect(form).toContain('name="csrf" value="tok&quot;en"');
    expect(form).toMatch(/name="decision" value="approve"/);
    expect(renderView(model(), { decide: 'buttons', now: 1_000_000 })).toMatch(/data-decision="approve"/);
    const approved = model({ plan: { ...model().plan!, state: 'approved', decision: { via: 'page', by: 'the local user', at: 'x' } } });
    expect(renderView(approved, { decide: 'form', now: 1_000_000 })).not.toMatch(/name="decision"/);
    expect(renderView(model(), { decide: 'form', now: 3_000_000 })).toMatch(/plan-expired/);
    expect(renderView(model(), { decide: 'form', now: 3_000_000 })).not.toMatch(/<form/);
  });
});

describe('modelFromResult', () => {
  it('reads a get_cloudpc_bulk_action result', () => {
    const m = modelFromResult({
      bulkAction: {
        id: 'ba',
        displayName: 'd',
        actionType: 'restart',
        status: 'failed',
        summary: { successfulCount: 5, failedCount: 3, inProgressCount: 0, pendingCount: 0, notSupportedCount: 0 },
      },
      devices: [{ cloudPcId: 'pc', state: 'failed', detail: 'Not running' }],
    });
    expect(m).toMatchObject({
      status: 'failed',
      summary: { succeeded: 5, failed: 3 },
      devices: [{ cloudPcId: 'pc', reason: 'Not running' }],
    });
    expect(m?.plan).toBeUndefined();
  });

  it('reads a retry result with a plan, and says what happened', () => {
    const m = modelFromResult({
      status: 'approvalPending',
      bulkActionId: 'ba',
      actionType: 'reprovision',
      displayName: 'd',
      plan: {
        id: 'plan-1',
        state: 'pending',
        expiresAt: 'x',
        approvalNeeded: true,
        owner: 'o',
        devices: [{ cloudPcId: 'pc', state: 'failed', reason: 'r', retryClass: 'retryable' }],
      },
    });
    expect(m).toMatchObject({ plan: { id: 'plan-1', state: 'pending' }, devices: [{ retryClass: 'retryable' }] });
    // No action counts in the result: none are made up from the plan's devices.
    expect(m?.summary).toBeUndefined();
    expect(m?.notice).toMatch(/Waiting for your approval/);
  });

  it('a sent plan: the notice says when and with which request id; never what the assistant should call', () => {
    const m = modelFromResult({
      status: 'accepted',
      bulkActionId: 'ba',
      actionType: 'reprovision',
      displayName: 'd',
      approvalUrl: undefined,
      plan: {
        id: 'plan-1',
        state: 'used',
        expiresAt: 'x',
        approvalNeeded: true,
        owner: 'o',
        actionCounts: { succeeded: 4, failed: 2 },
        devices: [{ cloudPcId: 'pc', state: 'failed' }],
        outcome: { kind: 'sent', at: '2026-12-06T10:00:00.000Z', requestId: 'req-1', cloudPcIds: ['pc'] },
      },
    });
    expect(m?.notice).toBe('Sent at 2026-12-06 10:00:00 UTC, request id req-1: the retry of 1 Cloud PC runs in Microsoft Graph now.');
    expect(m?.summary).toEqual({ succeeded: 4, failed: 2 });
    for (const status of [
      'accepted',
      'dryRun',
      'declined',
      'cancelled',
      'nothingToRetry',
      'approvalPending',
      'planChanged',
      'confirmationRequired',
    ]) {
      expect(modelFromResult({ status, bulkActionId: 'ba' })?.notice ?? '').not.toMatch(/retry_cloudpc|planId|call /);
    }
  });

  it('ignores what it does not know', () => {
    expect(modelFromResult(undefined)).toBeUndefined();
    expect(modelFromResult({ cloudPcs: [] })).toBeUndefined();
  });
});
