// Real headless Chromium (Debian's chromium, started here) on the two views of a plan: the approval page a person
// opens from the link, and the MCP Apps view inside a minimal host built on the extension's host bridge. Each test
// clicks Approve and then checks that exactly the planned ids reached the simulator. Both are also read at 420 px (a
// chat column) and 720 px: nothing wider than the window, every column's cell on screen. Screenshots: test-artifacts/
// (gitignored), kept for a person to look at.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  LoggingMessageNotificationSchema,
  type CallToolRequest,
  type CallToolResult,
  type ClientCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { ROOT, baseEnv, connect, textOf, type Connected } from './harness.js';
import { linkIn, waitFor } from '../support/approval-browser.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Frame, Page } from 'playwright-core';
import { entraServerEnv, startEntraStandIn } from '../support/entra/standIn.js';
import { httpEnv, startHttpServer } from '../support/http-server.js';
import { CHROMIUM, CHROMIUM_FLAGS, chromiumAvailable } from '../support/chromium.js';

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const VIEWS = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } } as ClientCapabilities;
const available = chromiumAvailable;
if (!available) console.warn(`approval browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const WIDTHS = [420, 720] as const;
let sim: Simulator;
let browser: BrowserContext;
let profile: string;
const opened: Connected[] = [];
const s = (r: CallToolResult) => r.structuredContent as Record<string, any>;
const posts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/retry'));

async function server(extra: Record<string, string>, capabilities?: ClientCapabilities) {
  const c = await connect({
    env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, ...extra }),
    ...(capabilities ? { capabilities } : {}),
  });
  const logs: string[] = [];
  c.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
  opened.push(c);
  return Object.assign(c, { logs });
}
const retry = async (c: Connected, args: Record<string, unknown>) =>
  (await c.client.callTool({ name: 'retry_cloudpc_bulk_action', arguments: args }, undefined, { timeout: 120_000 })) as CallToolResult;

/** What does not fit a window of this width: the document's scroll width, elements past the edges, cells off screen. */
async function fit(target: Page | Frame): Promise<{
  width: number;
  scrollWidth: number;
  outside: string[];
  cells: number;
  cellsOff: string[];
  columns: number;
  columnsOff: string[];
}> {
  return target.evaluate(() => {
    const width = window.innerWidth;
    const off = (el: Element) => {
      const b = el.getBoundingClientRect();
      return b.width > 0 && (b.right > width + 0.5 || b.left < -0.5);
    };
    const name = (el: Element) => `${el.tagName.toLowerCase()}.${el.className}:${(el.textContent ?? '').slice(0, 30)}`;
    const cells = [...document.querySelectorAll('table.devices td')].filter((td) => (td.textContent ?? '').trim());
    const hidden = (el: Element) => {
      const b = el.getBoundingClientRect();
      return b.width === 0 || b.height === 0 || getComputedStyle(el).visibility === 'hidden' || off(el);
    };
    const columns = [...document.querySelectorAll('button.sort')];
    return {
      width,
      scrollWidth: document.documentElement.scrollWidth,
      outside: [...document.querySelectorAll('body *')].filter(off).map(name),
      cells: cells.length,
      cellsOff: cells.filter(hidden).map(name),
      columns: columns.length,
      columnsOff: columns.filter(hidden).map(name),
    };
  });
}

function expectFits(f: Awaited<ReturnType<typeof fit>>, width: number): void {
  expect(f.width).toBe(width);
  expect(f.scrollWidth, 'document wider than the window').toBeLessThanOrEqual(width);
  expect(f.outside).toEqual([]);
  expect(f.cells).toBeGreaterThan(0);
  expect(f.cellsOff).toEqual([]);
  expect(f.columns).toBe(5);
  expect(f.columnsOff).toEqual([]);
}

/** Names from Graph that are long, unbroken and carry a right-to-left override: the worst a tenant can send. */
function hostileNames(): void {
  const action = sim.state.tenant.bulkActions.find((a) => a.id === DEMO_IDS.failedReprovision)!;
  action.displayName = `Reprovision \u202Eexe.txt ${'Developers-West-Europe-'.repeat(4)}`;
  const erin = sim.state.tenant.cloudPcs.find((p) => p.id === DEMO_IDS.erinPc)!;
  erin.displayName = `CPC-erin-\u202E${'x'.repeat(60)}`;
  erin.managedDeviceName = erin.displayName;
}

let hostBundle: string | undefined;

/** A host page of this width with the view in it, handed a tool result; the view's tool calls go to `call`. */
async function hostPage(
  width: number,
  o: { html: string; tools: Tool[]; toolResult: CallToolResult; call: (p: CallToolRequest['params']) => Promise<unknown> },
): Promise<{ page: Page; frame: Frame }> {
  hostBundle ??= (
    await build({
      entryPoints: [path.join(ROOT, 'test/support/apps-host/host.ts')],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      logLevel: 'error',
    })
  ).outputFiles[0]!.text;
  const page = await browser.newPage();
  await page.setViewportSize({ width, height: 900 });
  await page.exposeFunction('hostCallTool', o.call);
  await page.setContent(`<!doctype html><html><body style="margin:0;background:#fafafa"><script>${hostBundle}</script></body></html>`);
  await page.evaluate((start) => window.startHost(start), {
    html: o.html,
    tools: o.tools,
    toolInput: {},
    toolResult: o.toolResult,
    theme: 'light' as const,
    width,
  });
  await page.frameLocator('iframe').locator('main header').waitFor();
  const frame = page.frames().find((f) => f !== page.mainFrame())!;
  return { page, frame };
}

describe.skipIf(!available)('in a real browser', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    sim = await startSimulator();
    profile = mkdtempSync(path.join(tmpdir(), 'cloudpc-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1100, height: 760 },
    });
  });
  afterAll(async () => {
    for (const c of opened) await c.close();
    await browser?.close();
    await sim?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });
  beforeEach(() => sim.reset());

  it('the approval page: the person opens the link, sees the plan, clicks Approve; exactly the planned ids are sent', async () => {
    const c = await server({ CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '90' });
    const dry = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true });
    const plan = s(dry).plan;
    const waiting = retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    const link = await waitFor(() => linkIn(c.logs), 'the approval link');
    const page = await browser.newPage();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(link);
    // The token is gone from the address once the page is open.
    expect(page.url()).not.toContain('token=');
    await expect(page.locator('h1').textContent()).resolves.toContain('reprovision bulk action');
    expect(await page.locator('table.devices tbody tr').count()).toBe(plan.cloudPcIds.length);
    await page.locator('button.sort[data-sort="user"]').click();
    expect(await page.locator('table.devices tbody tr td.user').allTextContents()).toEqual(['erin@contoso.com', 'frank@contoso.com']);
    await page.locator('button.sort[data-sort="user"]').click();
    expect(await page.locator('table.devices tbody tr td.user').allTextContents()).toEqual(['frank@contoso.com', 'erin@contoso.com']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'approval-page.png'), fullPage: true });
    await page.locator('button.approve').click();
    await page.waitForLoadState();
    await page.waitForSelector('.plan-approved');
    const r = await waiting;
    expect(s(r)).toMatchObject({ status: 'accepted', approval: { via: 'page' } });
    expect(sim.retries.map((x) => x.cloudPcIds)).toEqual([plan.cloudPcIds]);
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: plan.cloudPcIds }]);
    await page.close();
  });

  it("the MCP Apps view in a host built on the extension's bridge: Approve calls the app-only tool; the retry then sends exactly the plan", async () => {
    const c = await server({}, VIEWS);
    const { tools } = await c.client.listTools();
    const resource = await c.client.readResource({ uri: 'ui://cloudpc-mcp/bulk-action.html' });
    const html = (resource.contents[0] as { text: string }).text;
    const dry = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true });
    const plan = s(dry).plan;
    const host = await build({
      entryPoints: [path.join(ROOT, 'test/support/apps-host/host.ts')],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      logLevel: 'error',
    });
    const page = await browser.newPage();
    await page.exposeFunction('hostCallTool', (params: { name: string; arguments?: Record<string, unknown> }) => c.client.callTool(params));
    await page.setContent(
      `<!doctype html><html><body style="margin:0;padding:12px;background:#fafafa"><script>${host.outputFiles[0]!.text}</script></body></html>`,
    );
    await page.evaluate((start) => window.startHost(start), {
      html,
      tools,
      toolInput: { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true },
      toolResult: dry,
      theme: 'light' as const,
    });
    const view = page.frameLocator('iframe');
    await view.locator('button.approve').waitFor();
    expect(await view.locator('table.devices tbody tr').count()).toBe(plan.cloudPcIds.length);
    await expect(view.locator('.summary').textContent()).resolves.toMatch(/2 failed/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'mcp-app-view.png'), fullPage: true });
    await view.locator('button.approve').click();
    await view.locator('.plan-approved').waitFor();
    expect(await page.evaluate(() => window.hostLog)).toEqual(['tools/call decide_cloudpc_retry_plan']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'mcp-app-view-approved.png'), fullPage: true });
    expect(posts()).toHaveLength(0);
    const r = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: plan.id });
    expect(s(r)).toMatchObject({ status: 'accepted', approval: { via: 'appTool' } });
    expect(sim.retries.map((x) => x.cloudPcIds)).toEqual([plan.cloudPcIds]);
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: plan.cloudPcIds }]);
    await page.close();
  });

  it('the approval page at 420 and 720 px: rows become cards, nothing wider than the window, hostile names written out', async () => {
    hostileNames();
    const c = await server({});
    const dry = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true });
    expect(textOf(dry)).toContain('⟨U+202E⟩');
    expect(textOf(dry)).not.toContain('\u202E');
    await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: s(dry).planId });
    const page = await browser.newPage();
    await page.goto(linkIn(c.logs)!);
    const body = (await page.locator('main').textContent())!;
    expect(body).toContain('Reprovision ⟨U+202E⟩exe.txt');
    expect(body).not.toContain('\u202E');
    // The action's own counts, and the plan's apart from them.
    expect(await page.locator('.plan-count').textContent()).toMatch(/^2 of \d+ Cloud PCs$/);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      expectFits(await fit(page), width);
      await page.screenshot({ path: path.join(ARTIFACTS, `approval-page-${width}.png`), fullPage: true });
    }
    // Narrow: each device is a card (its cells stacked), wide: a table row.
    await page.setViewportSize({ width: 420, height: 900 });
    expect(
      await page
        .locator('table.devices tbody tr')
        .first()
        .evaluate((tr) => getComputedStyle(tr).display),
    ).toBe('block');
    await page.setViewportSize({ width: 720, height: 900 });
    expect(
      await page
        .locator('table.devices tbody tr')
        .first()
        .evaluate((tr) => getComputedStyle(tr).display),
    ).toBe('table-row');
    await page.close();
  });

  it("remote mode's view at 420 and 720 px: Approve asks the host to open the sign-in approval page; no secret, no approve tool", async () => {
    hostileNames();
    const entra = await startEntraStandIn();
    const remoteSim = await startSimulator({ token: entra.delegatedToken, appToken: entra.appToken });
    const http = await startHttpServer(httpEnv({ ...entraServerEnv(entra, remoteSim.url), CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '0' }));
    const client = new Client({ name: 'view-host', version: '1' });
    try {
      const token = await entra.mint({ oid: '11111111-aaaa-4bbb-8ccc-0000000000a1', upn: 'alice@contoso.com' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
      );
      const { tools } = await client.listTools();
      const html = ((await client.readResource({ uri: 'ui://cloudpc-mcp/bulk-action.html' })).contents[0] as { text: string }).text;
      const dry = (await client.callTool({
        name: 'retry_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true },
      })) as CallToolResult;
      expect(dry._meta?.['cloudpc-mcp/approval']).toBeUndefined();
      for (const width of WIDTHS) {
        const { page, frame } = await hostPage(width, { html, tools, toolResult: dry, call: (p) => client.callTool(p) });
        const view = page.frameLocator('iframe');
        await view.locator('button[data-open-approval]').waitFor();
        expect(await view.locator('button[data-decision]').count()).toBe(0);
        expectFits(await fit(frame), width);
        await page.screenshot({ path: path.join(ARTIFACTS, `mcp-app-view-remote-${width}.png`), fullPage: true });
        await view.locator('button[data-open-approval]').click();
        await view.locator('.notice', { hasText: 'The approval page opened in your browser' }).waitFor();
        expect(await page.evaluate(() => window.hostLog)).toEqual([`ui/open-link ${s(dry).approvalUrl}`]);
        // The person's text, not the assistant's: no tool names, no planId instructions.
        expect(await view.locator('main').textContent()).not.toMatch(/retry_cloudpc|decide_cloudpc|call /);
        await page.close();
      }
      expect(remoteSim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/retry'))).toEqual([]);
    } finally {
      await client.close().catch(() => {});
      await http.stop();
      await remoteSim.close();
      await entra.close();
    }
  });

  it('the view after Approve and after the retry was sent: the person reads "Approved" and then when, which request id and which ids were sent', async () => {
    const c = await server({}, VIEWS);
    const { tools } = await c.client.listTools();
    const html = ((await c.client.readResource({ uri: 'ui://cloudpc-mcp/bulk-action.html' })).contents[0] as { text: string }).text;
    const dry = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true });
    const first = await hostPage(720, { html, tools, toolResult: dry, call: (p) => c.client.callTool(p) });
    const view = first.page.frameLocator('iframe');
    await view.locator('button.approve').click();
    await view.locator('.notice', { hasText: 'Approved — the assistant can now send it.' }).waitFor();
    expect(await view.locator('main').textContent()).not.toMatch(/retry_cloudpc|planId/);
    await first.page.close();
    const sent = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: s(dry).planId });
    for (const width of WIDTHS) {
      const { page, frame } = await hostPage(width, { html, tools, toolResult: sent, call: (p) => c.client.callTool(p) });
      const v = page.frameLocator('iframe');
      await v.locator('.notice', { hasText: `request id ${s(sent).requestId}` }).waitFor();
      expect(await v.locator('.notice').textContent()).toMatch(
        /^Sent at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, request id [\w-]+: the retry of 2 Cloud PCs runs in Microsoft Graph now\.$/,
      );
      expect(await v.locator('.ids code').allTextContents()).toEqual(s(dry).plan.cloudPcIds);
      expect(await v.locator('main').textContent()).not.toContain('No devices to show');
      expectFits(await fit(frame), width);
      await page.screenshot({ path: path.join(ARTIFACTS, `mcp-app-view-sent-${width}.png`), fullPage: true });
      await page.close();
    }
  });
});
