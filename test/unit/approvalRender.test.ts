// The one renderer of the approval page and the MCP Apps view: every value escaped, the plan and its buttons shown
// only while the plan is pending, and results of both tools understood.
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderView, summaryOf, type ViewModel } from '../../src/approval/viewHtml.js';
import { modelFromResult } from '../../src/approval/viewModel.js';

const model = (over: Partial<ViewModel> = {}): ViewModel => ({
  bulkActionId: 'ba-1',
  actionType: 'reprovision',
  displayName: 'Nightly <b>rebuild</b>',
  summary: { succeeded: 4, failed: 2, inProgress: 0, pending: 0, notSupported: 1 },
  devices: [{ cloudPcId: 'pc-1', name: '<img src=x onerror=alert(1)>', userPrincipalName: 'erin@contoso.com', state: 'failed', reason: 'Subnet "full" & more', retryClass: 'fixFirst' }],
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

  it('shows the summary bar, every device with user, state, reason and retry class, and sortable columns', () => {
    const html = renderView(model(), { decide: 'none', now: 1_000_000 });
    for (const label of ['4</strong> succeeded', '2</strong> failed', '0</strong> in progress', '0</strong> pending', '1</strong> not supported']) expect(html).toContain(label);
    expect(html).toContain('erin@contoso.com');
    expect(html).toContain('fixFirst');
    expect(html.match(/data-sort="/g)).toHaveLength(5);
  });

  it("shows the person who approves what a fix-first failure needs, and what the action does", () => {
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
    expect(renderView(approved, { decide: "form", now: 1_000_000 })).not.toMatch(/name="decision"/);
    expect(renderView(model(), { decide: 'form', now: 3_000_000 })).toMatch(/plan-expired/);
    expect(renderView(model(), { decide: 'form', now: 3_000_000 })).not.toMatch(/<form/);
  });
});

describe('modelFromResult', () => {
  it('reads a get_cloudpc_bulk_action result', () => {
    const m = modelFromResult({
      bulkAction: { id: 'ba', displayName: 'd', actionType: 'restart', status: 'failed', summary: { successfulCount: 5, failedCount: 3, inProgressCount: 0, pendingCount: 0, notSupportedCount: 0 } },
      devices: [{ cloudPcId: 'pc', state: 'failed', detail: 'Not running' }],
    });
    expect(m).toMatchObject({ status: 'failed', summary: { succeeded: 5, failed: 3 }, devices: [{ cloudPcId: 'pc', reason: 'Not running' }] });
    expect(m?.plan).toBeUndefined();
  });

  it('reads a retry result with a plan, and says what happened', () => {
    const m = modelFromResult({
      status: 'approvalPending', bulkActionId: 'ba', actionType: 'reprovision', displayName: 'd',
      plan: { id: 'plan-1', state: 'pending', expiresAt: 'x', approvalNeeded: true, owner: 'o', devices: [{ cloudPcId: 'pc', state: 'failed', reason: 'r', retryClass: 'retryable' }] },
    });
    expect(m).toMatchObject({ plan: { id: 'plan-1', state: 'pending' }, devices: [{ retryClass: 'retryable' }], summary: summaryOf([{ cloudPcId: 'pc', state: 'failed' }]) });
    expect(m?.notice).toMatch(/Waiting for your approval/);
  });

  it('ignores what it does not know', () => {
    expect(modelFromResult(undefined)).toBeUndefined();
    expect(modelFromResult({ cloudPcs: [] })).toBeUndefined();
  });
});
