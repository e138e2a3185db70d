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
  const c = await connect({ env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, ...extra }), ...(capabilities ? { capabilities } : {}) });
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
const REPROVISION_FAILED = () => sim.state.tenant.bulkActions.find((a) => a.id === DEMO_IDS.failedReprovision)!.runs.filter((r) => r.state === 'failed').map((r) => r.cloudPcId);

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
    const r = await retry(c, { planId: s(dry).plan.id });
    expect(s(r)).toMatchObject({ status: 'accepted', approval: { via: 'notNeeded' } });
    expectExactlyPlanSent(s(dry).plan.cloudPcIds);
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
    ['an unknown plan', () => ({ planId: 'plan-00000000000000000000000000000000' }), /is not known to this server/],
    ['a plan with other ids', (id: string) => ({ planId: id, cloudPcIds: [DEMO_IDS.bobPc] }), /fixes the bulk action and the Cloud PCs/],
    ['a plan of another bulk action', (id: string) => ({ planId: id, bulkActionId: DEMO_IDS.failedRestart }), /fixes the bulk action/],
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
    const r = await retry(c, { planId });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/has expired.*dry run/);
    expect(posts()).toHaveLength(0);
  });

  it('a changed failed set: nothing is sent, the difference is shown and a new plan offered, which then sends only what still failed', async () => {
    const c = await server({}, { elicitation: { form: {} } });
    c.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirm: true } }));
    const plan = s(await dryRun(c)).plan;
    const erin = sim.state.tenant.bulkActions.find((a) => a.id === DEMO_IDS.failedReprovision)!.runs.find((r) => r.cloudPcId === DEMO_IDS.erinPc)!;
    erin.state = 'done';
    const r = await retry(c, { planId: plan.id });
    expect(s(r)).toMatchObject({ status: 'planChanged', changes: { noLongerFailed: [DEMO_IDS.erinPc], newlyFailed: [] } });
    expect(textOf(r)).toMatch(/Not sent: the action changed since plan .* no longer failed/);
    expect(posts()).toHaveLength(0);
    const next = s(r).newPlanId as string;
    expect(next).not.toBe(plan.id);
    expect(s(r).plan.cloudPcIds).toEqual([DEMO_IDS.frankPc]);
    const sent = await retry(c, { planId: next });
    expect(s(sent).status).toBe('accepted');
    expectExactlyPlanSent([DEMO_IDS.frankPc]);
  });

  it('a plan is used once', async () => {
    const c = await server({}, { elicitation: { form: {} } });
    c.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirm: true } }));
    const planId = s(await dryRun(c)).planId;
    expect(s(await retry(c, { planId })).status).toBe('accepted');
    const again = await retry(c, { planId });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/already executed/);
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
    const r = await retry(c, { planId: plan.id });
    expect(s(r).status).toBe(status);
    expect(asked[0]).toContain(plan.id);
    expect(asked[0]).toMatch(/exactly 2 Cloud PCs: CPC-erin-\w+, erin@contoso\.com; CPC-frank-\w+, frank@contoso\.com/);
    if (action === 'accept') {
      expect(s(r).approval).toEqual({ via: 'elicitation', by: 'the local user' });
      expectExactlyPlanSent(plan.cloudPcIds);
      expect(c.stderr()).toMatch(new RegExp(`retry sent for an approved plan.*"planId":"${plan.id}".*"approvedVia":"elicitation","approvedBy":"the local user"`));
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
      // The person consents; the client opens the page in the browser, where they approve.
      setTimeout(() => void openLink(req.params.url).then((page) => decide(page, 'approve')), 50);
      return { action: 'accept' };
    });
    const plan = s(await dryRun(c)).plan;
    const r = await retry(c, { planId: plan.id });
    expect(s(r)).toMatchObject({ status: 'accepted', approval: { via: 'url', by: 'the local user' } });
    expect(requests[0]).toMatchObject({ elicitationId: plan.id });
    expect(requests[0]!.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/approve/${plan.id}\\?token=`));
    expect(completed).toEqual([plan.id]);
    expectExactlyPlanSent(plan.cloudPcIds);
  });
});

describe('approval page (a client that cannot ask)', () => {
  it.each(['approve', 'decline'] as const)('%s: the link goes to the log, never the result; the waiting call reports progress and ends with the decision', async (decision) => {
    const c = await server({ CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '60' });
    const plan = s(await dryRun(c)).plan;
    const progress: string[] = [];
    const pending = retry(c, { planId: plan.id }, { onprogress: (p) => void progress.push(p.message ?? ''), resetTimeoutOnProgress: true });
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
  });

  it('approval in the browser after the call stopped waiting: the next call with the planId sends the plan', async () => {
    const c = await server();
    const plan = s(await dryRun(c)).plan;
    const first = await retry(c, { planId: plan.id });
    expect(s(first).status).toBe('approvalPending');
    // The tests run with CLOUDPC_MCP_APPROVAL_PAGE=link: no browser was opened, and the answer says where the link went.
    expect(textOf(first)).toMatch(/waiting for the user's approval on the approval page, whose one-time link was sent to the client's log and the server's stderr \(not to you\)/);
    await decide(await openLink(linkIn(c.logs)!), 'approve');
    const r = await retry(c, { planId: plan.id });
    expect(s(r).approval?.via).toBe('page');
    expectExactlyPlanSent(plan.cloudPcIds);
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
      await retry(c, { planId });
      return { c, planId, link: linkIn(c.logs)! };
    }
    const notApproved = async (c: Session, planId: string) => {
      expect(s(await retry(c, { planId })).status).toBe('approvalPending');
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
      await openLink(link);
      expect((await request(link)).status).toBe(403);
      expect((await request(link.replace(/token=.*/, 'token=guessed-token-value'))).status).toBe(403);
      expect((await request(link.replace(/\?token=.*/, ''))).status).toBe(403);
      await notApproved(c, planId);
    });

    it('sends a strict Content-Security-Policy and forbids framing', async () => {
      const { link } = await pending();
      const first = await request(link);
      const page = await request(new URL(first.headers.location!, link).toString(), { headers: { cookie: String(first.headers['set-cookie']![0]).split(';')[0]! } });
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
    await expect(c.client.callTool({ name: 'decide_cloudpc_retry_plan', arguments: { planId, decision: 'approve' } })).rejects.toThrow(/Unknown tool/);
  });

  it('refuses a call without the view\'s secret (the model), and approves with it (the view); the retry then sends the plan', async () => {
    const c = await server({}, VIEWS);
    const dry = await dryRun(c);
    const planId = s(dry).planId;
    const grant = (dry._meta as any)['cloudpc-mcp/approval'];
    expect(grant.planId).toBe(planId);
    expect(textOf(dry)).not.toContain(grant.appToken);
    expect(JSON.stringify(dry.structuredContent)).not.toContain(grant.appToken);
    const model = (await c.client.callTool({ name: 'decide_cloudpc_retry_plan', arguments: { planId, decision: 'approve' } })) as CallToolResult;
    expect(model.isError).toBe(true);
    expect(textOf(model)).toMatch(/only the retry plan view/);
    const forged = (await c.client.callTool({ name: 'decide_cloudpc_retry_plan', arguments: { planId, decision: 'approve', appToken: 'x'.repeat(32) } })) as CallToolResult;
    expect(forged.isError).toBe(true);
    const view = (await c.client.callTool({ name: 'decide_cloudpc_retry_plan', arguments: { planId, decision: 'approve', appToken: grant.appToken } })) as CallToolResult;
    expect(s(view)).toMatchObject({ state: 'approved', plan: { decision: { via: 'app' } } });
    const r = await retry(c, { planId });
    expect(s(r).approval).toEqual({ via: 'app', by: 'the local user' });
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
    expect(resources).toEqual([expect.objectContaining({ uri: 'ui://cloudpc-mcp/bulk-action.html', mimeType: 'text/html;profile=mcp-app' })]);
    const read = await c.client.readResource({ uri: 'ui://cloudpc-mcp/bulk-action.html' });
    const text = (read.contents[0] as { text: string }).text;
    expect(text).toMatch(/^<!doctype html>/);
    expect(text).toContain('decide_cloudpc_retry_plan');
    expect(text).toContain('chip-succeeded');
  });
});
