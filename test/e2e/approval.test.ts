// Human approval of the exact plan, end to end: the built server over stdio with the SDK's real client, the simulator
// over loopback HTTP, and the approval page over real HTTP. Every path ends by checking what reached Graph.
import { afterAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import {
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  type CallToolResult,
  type ClientCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { baseEnv, connect, textOf, type Connected } from './harness.js';
import { decide, linkIn, openLink, request, waitFor } from '../support/approval-browser.js';

const VIEWS: ClientCapabilities = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } };
const sim = useSimulator({}, { resetEach: true });
const opened: Connected[] = [];

interface Session extends Connected {
  logs: string[];
}

async function server(extra: Record<string, string> = {}, capabilities?: ClientCapabilities): Promise<Session> {
  const c = await connect({
    env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, ...extra }),
    ...(capabilities ? { capabilities } : {}),
  });
  const logs: string[] = [];
  c.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
  opened.push(c);
  return Object.assign(c, { logs });
}
const retry = async (c: Connected, args: Record<string, unknown>, opts?: Parameters<Connected['client']['callTool']>[2]) =>
  (await c.client.callTool({ name: 'retry_cloudpc_bulk_action', arguments: args }, undefined, opts)) as CallToolResult;
const s = (r: CallToolResult) => r.structuredContent as Record<string, any>;
const posts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/retry'));
// erin's and frank's Cloud PCs failed in the simulator's reprovision.
const REPROVISION_FAILED = () =>
  sim.state.tenant.bulkActions
    .find((a) => a.id === DEMO_IDS.failedReprovision)!
    .runs.filter((r) => r.state === 'failed')
    .map((r) => r.cloudPcId);

async function dryRun(c: Connected): Promise<CallToolResult> {
  const r = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true });
  expect(s(r)).toMatchObject({ status: 'dryRun', plan: { state: 'pending', approvalNeeded: true } });
  return r;
}

function expectExactlyPlanSent(planIds: string[]): void {
  expect(sim.retries).toHaveLength(1);
  expect(posts()).toHaveLength(1);
  expect(posts()[0]!.body).toEqual({ cloudPcIds: planIds });
}

afterAll(async () => {
  for (const c of opened) await c.close();
});

describe('plans', () => {
  it('a plan of a non-destructive type runs without anyone approving it, and says so', async () => {
    const c = await server();
    const dry = await retry(c, { bulkActionId: DEMO_IDS.failedRestart, dryRun: true });
    expect(s(dry).plan).toMatchObject({ state: 'pending', approvalNeeded: false });
    const r = await retry(c, { bulkActionId: DEMO_IDS.failedRestart, planId: s(dry).plan.id });
    expect(s(r)).toMatchObject({ status: 'accepted', approval: { via: 'notNeeded' } });
    expectExactlyPlanSent(s(dry).plan.cloudPcIds);
  });

  it('the dry run names exactly the ids executing its plan sends, in its text and its top-level cloudPcIds', async () => {
    const c = await server();
    for (const bulkActionId of [DEMO_IDS.failedRestart, DEMO_IDS.failedReprovision]) {
      sim.reset();
      const dry = await retry(c, { bulkActionId, dryRun: true });
      const plan = s(dry).plan;
      expect(s(dry).target).toBe('allFailed');
      expect(s(dry).cloudPcIds).toEqual(plan.cloudPcIds);
      expect(plan.cloudPcIds.length).toBeGreaterThan(0);
      expect(textOf(dry)).toContain(
        `Executing plan ${plan.id} sends exactly these ${plan.cloudPcIds.length} Cloud PC ids: ${plan.cloudPcIds.join(', ')}.`,
      );
      expect(textOf(dry)).not.toMatch(/would send no ids/);
      // Short lines, not one paragraph.
      for (const line of textOf(dry).split('\n')) expect(line.length, line).toBeLessThan(400);
    }
    const restart = await retry(c, { bulkActionId: DEMO_IDS.failedRestart, dryRun: true });
    await retry(c, { bulkActionId: DEMO_IDS.failedRestart, planId: s(restart).planId });
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: s(restart).cloudPcIds }]);
  });

  it('a dry run makes a plan of the exact failed Cloud PCs, with names, users and reasons, and sends nothing', async () => {
    const c = await server();
    const r = await dryRun(c);
    const plan = s(r).plan;
    expect(s(r).planId).toBe(plan.id);
    expect([...plan.cloudPcIds].sort()).toEqual([...REPROVISION_FAILED()].sort());
    expect(plan.devices.map((d: any) => d.userPrincipalName).sort()).toEqual(['erin@contoso.com', 'frank@contoso.com']);
    expect(plan.devices.every((d: any) => d.detail || d.reason)).toBe(true);
    expect(plan.owner).toBe('the local user');
    expect(Date.parse(plan.expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(textOf(r)).toContain(`planId "${plan.id}"`);
    expect(posts()).toHaveLength(0);
  });

  it.each([
    [
      'an unknown plan',
      () => ({ bulkActionId: DEMO_IDS.failedReprovision, planId: 'plan-00000000000000000000000000000000' }),
      /is not known to this server/,
    ],
    [
      'a plan with other ids',
      (id: string) => ({ bulkActionId: DEMO_IDS.failedReprovision, planId: id, cloudPcIds: [DEMO_IDS.bobPc] }),
      /fixes the Cloud PCs/,
    ],
    [
      'a plan with a filter',
      (id: string) => ({ bulkActionId: DEMO_IDS.failedReprovision, planId: id, only: 'retryable' }),
      /fixes the Cloud PCs/,
    ],
    [
      'a plan of another bulk action',
      (id: string) => ({ planId: id, bulkActionId: DEMO_IDS.failedRestart }),
      new RegExp(`is for bulk action ${DEMO_IDS.failedReprovision}, not ${DEMO_IDS.failedRestart}`),
    ],
    [
      'a plan of another bulk action, as a dry run',
      (id: string) => ({ planId: id, bulkActionId: DEMO_IDS.failedRestart, dryRun: true }),
      /is for bulk action/,
    ],
    ['a planId without bulkActionId', (id: string) => ({ planId: id }), /bulkActionId/],
  ])('refuses %s and sends nothing', async (_what, args, message) => {
    const c = await server({}, { elicitation: { form: {} } });
    c.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirm: true } }));
    const planId = s(await dryRun(c)).planId;
    const r = await retry(c, args(planId));
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(message);
    expect(posts()).toHaveLength(0);
  });

  it('an expired plan is refused and nothing is sent', async () => {
    const c = await server({ CLOUDPC_MCP_PLAN_TTL_SECONDS: '1' });
    const planId = s(await dryRun(c)).planId;
    await new Promise((r) => setTimeout(r, 1_100));
    const r = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/has expired.*dry run/);
    expect(posts()).toHaveLength(0);
  });

  it('a changed failed set: nothing is sent, the difference is shown and a new plan offered, which then sends only what still failed', async () => {
    const c = await server({}, { elicitation: { form: {} } });
    c.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirm: true } }));
    const plan = s(await dryRun(c)).plan;
    const erin = sim.state.tenant.bulkActions
      .find((a) => a.id === DEMO_IDS.failedReprovision)!
      .runs.find((r) => r.cloudPcId === DEMO_IDS.erinPc)!;
    erin.state = 'done';
    const r = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(r)).toMatchObject({ status: 'planChanged', changes: { noLongerFailed: [DEMO_IDS.erinPc], newlyFailed: [] } });
    expect(textOf(r)).toMatch(/Not sent: the action changed since plan .* no longer failed/);
    expect(posts()).toHaveLength(0);
    const next = s(r).newPlanId as string;
    expect(next).not.toBe(plan.id);
    expect(s(r).plan.cloudPcIds).toEqual([DEMO_IDS.frankPc]);
    const sent = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: next });
    expect(s(sent).status).toBe('accepted');
    expectExactlyPlanSent([DEMO_IDS.frankPc]);
  });

  it('a plan is used once', async () => {
    const c = await server({}, { elicitation: { form: {} } });
    c.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirm: true } }));
    const planId = s(await dryRun(c)).planId;
    expect(s(await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId })).status).toBe('accepted');
    const again = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/was already sent at .* \(request-id [\w-]+\); a plan is sent once/);
    expect(sim.retries).toHaveLength(1);
  });
});

describe('form elicitation shows the plan', () => {
  it.each([
    ['accept', 'accepted'],
    ['decline', 'declined'],
    // A dismissed form is no decision: the result says cancelled, as its text does, and the plan stays open.
    ['cancel', 'cancelled'],
  ] as const)('%s → %s; only an accept sends, and exactly the plan', async (action, status) => {
    const asked: string[] = [];
    const c = await server({}, { elicitation: { form: {} } });
    c.client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return action === 'accept' ? { action, content: { confirm: true } } : { action };
    });
    const plan = s(await dryRun(c)).plan;
    const r = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(r).status).toBe(status);
    expect(asked[0]).toContain(plan.id);
    expect(asked[0]).toMatch(
      /exactly 2 Cloud PCs: CPC-erin-\w+, erin@contoso\.com \[[\w-]+\]; CPC-frank-\w+, frank@contoso\.com \[[\w-]+\]/,
    );
    if (action === 'accept') {
      expect(s(r).approval).toEqual({ via: 'elicitation', by: 'the local user' });
      expectExactlyPlanSent(plan.cloudPcIds);
      expect(c.stderr()).toMatch(
        new RegExp(`retry sent for an approved plan.*"planId":"${plan.id}".*"approvedVia":"elicitation","approvedBy":"the local user"`),
      );
    } else {
      expect(posts()).toHaveLength(0);
      expect(textOf(r)).toMatch(action === 'cancel' ? /cancelled/ : /declined/);
      expect(s(r).plan.state).toBe(action === 'cancel' ? 'pending' : 'declined');
    }
  });
});

describe('URL-mode elicitation', () => {
  it('the client opens the approval page; the person approves there; the call completes and exactly the plan is sent', async () => {
    const requests: { url: string; elicitationId: string; message: string }[] = [];
    const completed: string[] = [];
    const c = await server({ CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '60' }, { elicitation: { url: {} } });
    c.client.setNotificationHandler(ElicitationCompleteNotificationSchema, (n) => void completed.push(n.params.elicitationId));
    c.client.setRequestHandler(ElicitRequestSchema, async (req) => {
      if (req.params.mode !== 'url') throw new Error('expected a URL-mode elicitation');
      requests.push(req.params);
      const { url } = req.params;
      // The person consents; the client opens the page in the browser, where they approve.
      setTimeout(() => void openLink(url).then((page) => decide(page, 'approve')), 50);
      return { action: 'accept' };
    });
    const plan = s(await dryRun(c)).plan;
    const r = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(r)).toMatchObject({ status: 'accepted', approval: { via: 'url', by: 'the local user' } });
    expect(requests[0]).toMatchObject({ elicitationId: plan.id });
    expect(requests[0]!.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/approve/${plan.id}\\?token=`));
    expect(completed).toEqual([plan.id]);
    expectExactlyPlanSent(plan.cloudPcIds);
  });
});

describe('approval page (a client that cannot ask)', () => {
  it.each(['approve', 'decline'] as const)(
    '%s: the link goes to the log, never the result; the waiting call reports progress and ends with the decision',
    async (decision) => {
      const c = await server({ CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '60' });
      const plan = s(await dryRun(c)).plan;
      const progress: string[] = [];
      const pending = retry(
        c,
        { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id },
        { onprogress: (p) => void progress.push(p.message ?? ''), resetTimeoutOnProgress: true },
      );
      const link = await waitFor(() => linkIn(c.logs), 'the approval link in a log notification');
      expect(c.stderr()).toContain(link);
      if (decision === 'approve') await waitFor(() => (progress.length ? progress[0] : undefined), 'a progress notification while waiting');
      expect(progress.join()).toMatch(decision === 'approve' ? /Waiting for a person to approve or decline plan/ : /^/);
      const page = await openLink(link);
      expect(page.html).toContain(plan.id);
      expect(page.html).toContain('erin@contoso.com');
      const answer = await decide(page, decision);
      expect(answer.status).toBe(200);
      const r = await pending;
      expect(textOf(r)).not.toContain(link);
      expect(JSON.stringify(r)).not.toMatch(/token=/);
      if (decision === 'approve') {
        expect(s(r).approval).toEqual({ via: 'page', by: 'the local user' });
        expectExactlyPlanSent(plan.cloudPcIds);
      } else {
        expect(s(r).status).toBe('declined');
        expect(posts()).toHaveLength(0);
      }
    },
  );

  it('approval in the browser after the call stopped waiting: the next call with the planId sends the plan', async () => {
    const c = await server();
    const plan = s(await dryRun(c)).plan;
    const first = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(first).status).toBe('approvalPending');
    // The tests run with CLOUDPC_MCP_APPROVAL_PAGE=link: no browser was opened, and the answer says where the link went.
    expect(textOf(first)).toMatch(
      /waits for the user's approval\.\nWhere: on the approval page, whose one-time link is in the client's log and the server's stderr \(not shown to you\)/,
    );
    await decide(await openLink(linkIn(c.logs)!), 'approve');
    const r = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(r).approval?.via).toBe('page');
    expectExactlyPlanSent(plan.cloudPcIds);
  });

  it('dryRun: true with an approved planId sends nothing, shows the plan as executing it now would send it, and leaves it to execute', async () => {
    const c = await server();
    const plan = s(await dryRun(c)).plan;
    await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    await decide(await openLink(linkIn(c.logs)!), 'approve');
    const preview = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id, dryRun: true });
    expect(s(preview)).toMatchObject({ status: 'dryRun', planId: plan.id, cloudPcIds: plan.cloudPcIds, plan: { state: 'approved' } });
    expect(textOf(preview)).toMatch(/^Dry run, nothing sent\. Checked against the action's current state: the plan still holds\./);
    expect(posts()).toHaveLength(0);
    // The check is against Graph now: a planned PC that no longer failed shows up in the preview, and still nothing is sent.
    sim.state.tenant.bulkActions
      .find((a) => a.id === DEMO_IDS.failedReprovision)!
      .runs.find((r) => r.cloudPcId === DEMO_IDS.erinPc)!.state = 'done';
    const changed = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id, dryRun: true });
    expect(s(changed)).toMatchObject({ status: 'dryRun', cloudPcIds: [], changes: { noLongerFailed: [DEMO_IDS.erinPc] } });
    expect(textOf(changed)).toMatch(/no longer holds: 1 Cloud PC of the plan no longer failed/);
    expect(posts()).toHaveLength(0);
  });

  it('a used link says what happened to its plan: approved and not sent yet, then sent with the time and request id', async () => {
    const c = await server();
    const plan = s(await dryRun(c)).plan;
    await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    const link = linkIn(c.logs)!;
    const page = await openLink(link);
    const approved = await decide(page, 'approve');
    expect(approved.body).toContain('Approved — the assistant can now send it.');
    const reopened = await request(link);
    expect(reopened.status).toBe(410);
    expect(reopened.body).toContain('It has not been sent yet.');
    const sent = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(sent).plan.outcome).toMatchObject({ kind: 'sent', requestId: s(sent).requestId, cloudPcIds: plan.cloudPcIds });
    const after = await request(link);
    expect(after.body).toMatch(
      new RegExp(`approved and sent at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC, request id ${s(sent).requestId}`),
    );
    expect(after.body).not.toMatch(/not valid/);
    // The page itself (this browser's session) shows the ids sent.
    const again = await request(page.url, { headers: { cookie: page.cookie } });
    expect(again.body).toContain('<dt>Ids sent</dt>');
    for (const id of plan.cloudPcIds) expect(again.body).toContain(`<code>${id}</code>`);
  });

  it("a declined plan's link says declined", async () => {
    const c = await server();
    const plan = s(await dryRun(c)).plan;
    await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    const link = linkIn(c.logs)!;
    await decide(await openLink(link), 'decline');
    const reopened = await request(link);
    expect(reopened.body).toContain('This plan was declined: nothing was sent.');
  });

  it('the model-only client under "human" with the page turned off: refused with the reason, nothing sent', async () => {
    const c = await server({ CLOUDPC_MCP_APPROVAL_PAGE: 'off' });
    const r = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, confirm: true });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/Not sent: .*a person must approve it.*CLOUDPC_MCP_APPROVAL_PAGE=off/);
    expect(posts()).toHaveLength(0);
  });

  describe('security', () => {
    async function pending(): Promise<{ c: Session; planId: string; link: string }> {
      const c = await server();
      const planId = s(await dryRun(c)).planId;
      await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId });
      return { c, planId, link: linkIn(c.logs)! };
    }
    const notApproved = async (c: Session, planId: string) => {
      expect(s(await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId })).status).toBe('approvalPending');
      expect(posts()).toHaveLength(0);
    };

    it('refuses a foreign Origin and a missing anti-forgery token on the decision', async () => {
      const { c, planId, link } = await pending();
      const page = await openLink(link);
      for (const forge of [{ origin: 'https://evil.example' }, { origin: null }, { csrf: null }, { csrf: 'guessed' }]) {
        const r = await decide(page, 'approve', forge);
        expect(r.status, JSON.stringify(forge)).toBe(403);
      }
      await notApproved(c, planId);
    });

    it('refuses a foreign Host (DNS rebinding)', async () => {
      const { c, planId, link } = await pending();
      const url = new URL(link);
      const r = await request(link, { headers: { host: `evil.example:${url.port}` } });
      expect(r.status).toBe(403);
      const page = await openLink(link);
      expect((await decide(page, 'approve', { host: `rebind.example:${url.port}` })).status).toBe(403);
      await notApproved(c, planId);
    });

    it('refuses a reused or guessed link token, and the page without the link', async () => {
      const { c, planId, link } = await pending();
      const guessedFirst = await request(link.replace(/token=.*/, 'token=guessed-token-value'));
      expect(guessedFirst.status).toBe(403);
      expect(guessedFirst.body).toContain('Link not valid');
      await openLink(link);
      // Once used, the link says so (and what became of the plan), and grants nothing: no session for this browser.
      for (const again of [await request(link), await request(link.replace(/token=.*/, 'token=guessed-token-value'))]) {
        expect(again.status).toBe(410);
        expect(again.body).toContain('This link was already opened');
        expect(again.headers['set-cookie']).toBeUndefined();
      }
      expect((await request(link.replace(/\?token=.*/, ''))).status).toBe(403);
      await notApproved(c, planId);
    });

    it('sends a strict Content-Security-Policy and forbids framing', async () => {
      const { link } = await pending();
      const first = await request(link);
      const page = await request(new URL(first.headers.location!, link).toString(), {
        headers: { cookie: String(first.headers['set-cookie']![0]).split(';')[0]! },
      });
      expect(page.headers['content-security-policy']).toMatch(/default-src 'none'.*form-action 'self'; frame-ancestors 'none'/);
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(String(first.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Lax/);
    });
  });
});

describe('MCP Apps view: the app-only decision tool', () => {
  it('is not offered to a client without views, and cannot be called by it', async () => {
    const c = await server();
    expect((await c.client.listTools()).tools.map((t) => t.name)).not.toContain('decide_cloudpc_retry_plan');
    const planId = s(await dryRun(c)).planId;
    await expect(c.client.callTool({ name: 'decide_cloudpc_retry_plan', arguments: { planId, decision: 'approve' } })).rejects.toThrow(
      /Unknown tool/,
    );
  });

  it("refuses a call without the view's secret (the model), and approves with it (the view); the retry then sends the plan", async () => {
    const c = await server({}, VIEWS);
    const dry = await dryRun(c);
    const planId = s(dry).planId;
    const grant = (dry._meta as any)['cloudpc-mcp/approval'];
    expect(grant.planId).toBe(planId);
    expect(textOf(dry)).not.toContain(grant.appToken);
    expect(JSON.stringify(dry.structuredContent)).not.toContain(grant.appToken);
    const model = (await c.client.callTool({
      name: 'decide_cloudpc_retry_plan',
      arguments: { planId, decision: 'approve' },
    })) as CallToolResult;
    expect(model.isError).toBe(true);
    expect(textOf(model)).toMatch(/only the retry plan view/);
    const forged = (await c.client.callTool({
      name: 'decide_cloudpc_retry_plan',
      arguments: { planId, decision: 'approve', appToken: 'x'.repeat(32) },
    })) as CallToolResult;
    expect(forged.isError).toBe(true);
    const view = (await c.client.callTool({
      name: 'decide_cloudpc_retry_plan',
      arguments: { planId, decision: 'approve', appToken: grant.appToken },
    })) as CallToolResult;
    // Recorded as what it was, a call of the app-only tool, never as a person's click on the page.
    expect(s(view)).toMatchObject({ state: 'approved', plan: { decision: { via: 'appTool' } } });
    const r = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId });
    expect(s(r).approval).toEqual({
      via: 'appTool',
      by: "the local user (as the caller of decide_cloudpc_retry_plan with the view's secret)",
    });
    expect(c.stderr()).toMatch(new RegExp(`retry sent for an approved plan.*"planId":"${planId}".*"approvedVia":"appTool"`));
    expectExactlyPlanSent(s(dry).plan.cloudPcIds);
  });

  it('a retry from a host with views waits in the view: approval pending at once, with the secret for the view', async () => {
    const c = await server({ CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '60' }, VIEWS);
    const r = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision });
    expect(s(r).status).toBe('approvalPending');
    expect(textOf(r)).toMatch(/in the plan view shown with this result/);
    expect((r._meta as any)['cloudpc-mcp/approval'].planId).toBe(s(r).planId);
    expect(posts()).toHaveLength(0);
  });

  it('serves the view as a ui:// resource of the MCP App type, with the shared renderer inside', async () => {
    const c = await server({}, VIEWS);
    const { resources } = await c.client.listResources();
    expect(resources).toEqual([
      expect.objectContaining({ uri: 'ui://cloudpc-mcp/bulk-action.html', mimeType: 'text/html;profile=mcp-app' }),
    ]);
    const read = await c.client.readResource({ uri: 'ui://cloudpc-mcp/bulk-action.html' });
    const text = (read.contents[0] as { text: string }).text;
    expect(text).toMatch(/^<!doctype html>/);
    expect(text).toContain('decide_cloudpc_retry_plan');
    expect(text).toContain('chip-succeeded');
  });
});
