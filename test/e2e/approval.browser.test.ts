// Real headless Chromium (Debian's chromium, started here) on the two views of a plan: the approval page a person
// opens from the link, and the MCP Apps view inside a minimal host built on the extension's host bridge. Each test
// clicks Approve and then checks that exactly the planned ids reached the simulator. Screenshots: test-artifacts/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import { LoggingMessageNotificationSchema, type CallToolResult, type ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { ROOT, baseEnv, connect, type Connected } from './harness.js';
import { linkIn, waitFor } from '../support/approval-browser.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWS = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } } as ClientCapabilities;
const available = existsSync(CHROMIUM);
if (!available) console.warn(`approval browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const sim = useSimulator({}, { resetEach: true });
let browser: BrowserContext;
let profile: string;
const opened: Connected[] = [];
const s = (r: CallToolResult) => r.structuredContent as Record<string, any>;
const posts = () => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/retry'));

async function server(extra: Record<string, string>, capabilities?: ClientCapabilities) {
  const c = await connect({ env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, ...extra }), ...(capabilities ? { capabilities } : {}) });
  const logs: string[] = [];
  c.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
  opened.push(c);
  return Object.assign(c, { logs });
}
const retry = async (c: Connected, args: Record<string, unknown>) => (await c.client.callTool({ name: 'retry_cloudpc_bulk_action', arguments: args }, undefined, { timeout: 120_000 })) as CallToolResult;

describe.skipIf(!available)('in a real browser', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    profile = mkdtempSync(path.join(tmpdir(), 'cloudpc-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1100, height: 760 } });
  });
  afterAll(async () => {
    for (const c of opened) await c.close();
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('the approval page: the person opens the link, sees the plan, clicks Approve; exactly the planned ids are sent', async () => {
    const c = await server({ CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '90' });
    const dry = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true });
    const plan = s(dry).plan;
    const waiting = retry(c, { planId: plan.id });
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

  it('the MCP Apps view in a host built on the extension\'s bridge: Approve calls the app-only tool; the retry then sends exactly the plan', async () => {
    const c = await server({}, VIEWS);
    const { tools } = await c.client.listTools();
    const resource = await c.client.readResource({ uri: 'ui://cloudpc-mcp/bulk-action.html' });
    const html = (resource.contents[0] as { text: string }).text;
    const dry = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true });
    const plan = s(dry).plan;
    const host = await build({ entryPoints: [path.join(ROOT, 'test/support/apps-host/host.ts')], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'error' });
    const page = await browser.newPage();
    await page.exposeFunction('hostCallTool', (params: { name: string; arguments?: Record<string, unknown> }) => c.client.callTool(params));
    await page.setContent(`<!doctype html><html><body style="margin:0;padding:12px;background:#fafafa"><script>${host.outputFiles[0]!.text}</script></body></html>`);
    await page.evaluate((start) => window.startHost(start), { html, tools, toolInput: { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true }, toolResult: dry, theme: 'light' as const });
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
    const r = await retry(c, { planId: plan.id });
    expect(s(r)).toMatchObject({ status: 'accepted', approval: { via: 'app' } });
    expect(sim.retries.map((x) => x.cloudPcIds)).toEqual([plan.cloudPcIds]);
    expect(posts().map((p) => p.body)).toEqual([{ cloudPcIds: plan.cloudPcIds }]);
    await page.close();
  });
});
