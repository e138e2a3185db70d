// The approval page in the person's browser, said truthfully and opened without leaking the one-time link: the built
// stdio server, with CLOUDPC_MCP_APPROVAL_PAGE=browser, opens the page through the real `open` package and its
// xdg-open; the "browser" is a stand-in (BROWSER, which xdg-open honours) that holds still while the test reads the
// machine's process list. No desktop session: the answer says no browser was opened, and where the link is.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoggingMessageNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { baseEnv, connect, textOf, type Connected } from './harness.js';
import { linkIn, waitFor } from '../support/approval-browser.js';

let sim: Simulator;
let dir: string;
const opened: Connected[] = [];
const s = (r: CallToolResult) => r.structuredContent as Record<string, any>;

beforeAll(async () => {
  sim = await startSimulator();
  dir = mkdtempSync(path.join(tmpdir(), 'cpc-opener-'));
});
afterAll(async () => {
  for (const c of opened) await c.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Commands xdg-open would ask before BROWSER (a desktop's MIME defaults), made to know nothing, as on a bare machine. */
function bareDesktopPath(): string {
  const bin = path.join(dir, 'bin');
  execFileSync('mkdir', ['-p', bin]);
  for (const cmd of ['xdg-mime', 'mimeopen', 'xprop', 'gio', 'run-mailcap', 'x-www-browser', 'www-browser']) {
    writeFileSync(path.join(bin, cmd), '#!/bin/sh\nexit 1\n');
    chmodSync(path.join(bin, cmd), 0o755);
  }
  return `${bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`;
}

/** The person's browser: records what it was handed, says it is running, and waits until the test lets it go. */
function standInBrowser(): { command: string; running: string; args: string } {
  const script = path.join(dir, 'browser.mjs');
  const running = path.join(dir, 'browser-running');
  const args = path.join(dir, 'browser-args.txt');
  writeFileSync(
    script,
    [
      "import { existsSync, writeFileSync } from 'node:fs';",
      `writeFileSync(${JSON.stringify(args)}, process.argv[2]);`,
      `writeFileSync(${JSON.stringify(running)}, 'yes');`,
      `while (existsSync(${JSON.stringify(running)})) await new Promise((r) => setTimeout(r, 20));`,
    ].join('\n'),
  );
  return { command: `${process.execPath} ${script}`, running, args };
}

async function server(env: Record<string, string>): Promise<Connected & { logs: string[] }> {
  const c = await connect({
    env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_APPROVAL_PAGE: 'browser', ...env }),
  });
  const logs: string[] = [];
  c.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
  opened.push(c);
  return Object.assign(c, { logs });
}

const retry = async (c: Connected, args: Record<string, unknown>) =>
  (await c.client.callTool({ name: 'retry_cloudpc_bulk_action', arguments: args })) as CallToolResult;

describe('opening the approval page in a browser', () => {
  it('hands the browser a private 0600 file that redirects to the link: the link is on no command line while it opens', async () => {
    const browser = standInBrowser();
    const configDir = path.join(dir, 'config');
    const c = await server({ DISPLAY: ':99', BROWSER: browser.command, PATH: bareDesktopPath(), CLOUDPC_MCP_CONFIG_DIR: configDir });
    const dry = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true });
    const call = retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: s(dry).planId });
    await waitFor(() => (existsSync(browser.running) ? true : undefined), 'the browser stand-in to start');
    // Every command line on the machine, while xdg-open and the browser run.
    const processes = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    const handed = readFileSync(browser.args, 'utf8');
    expect(handed).toMatch(/^file:\/\//);
    expect(processes).toContain(handed);
    const file = fileURLToPath(handed);
    const link = /url=([^"]+)"/.exec(readFileSync(file, 'utf8'))![1]!.replace(/&amp;/g, '&');
    const token = new URL(link).searchParams.get('token')!;
    expect(token.length).toBeGreaterThan(20);
    expect(processes).not.toContain(token);
    expect(processes).not.toContain('token=');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(path.dirname(file)).toBe(path.join(configDir, 'approval'));
    rmSync(browser.running);
    const r = await call;
    // The opener exited with status 0: only now does the answer say a browser opened.
    expect(textOf(r)).toContain('on the approval page opened in their browser');
    expect(c.logs.join('\n')).toMatch(/A browser window was opened to approve or decline retry plan/);
    expect(linkIn(c.logs)).toBe(link);
  });

  it('no desktop session: says no browser was opened, why, and where the link is', async () => {
    const c = await server({ PATH: bareDesktopPath(), CLOUDPC_MCP_CONFIG_DIR: path.join(dir, 'config2') });
    const dry = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, dryRun: true });
    const r = await retry(c, { bulkActionId: DEMO_IDS.failedReprovision, planId: s(dry).planId });
    expect(s(r).status).toBe('approvalPending');
    expect(textOf(r)).toContain(
      "whose one-time link is in the client's log and the server's stderr (not shown to you); no browser was opened, because there is no desktop session",
    );
    expect(textOf(r)).not.toMatch(/opened in their browser|was opened there/);
    await waitFor(() => linkIn(c.logs), 'the link in the log');
    expect(c.logs.join('\n')).toMatch(/No browser was opened \(there is no desktop session .*\)\. Open this link to approve or decline/);
    expect(c.stderr()).not.toMatch(/A browser window was opened/);
    expect(existsSync(path.join(dir, 'config2', 'approval'))).toBe(false);
  });
});

describe('private files', () => {
  it('a certificate file other accounts can read gets a warning at start-up naming the file and chmod 600; a 0600 one none', async () => {
    const pem = path.join(dir, 'app.pem');
    writeFileSync(pem, 'not read here', { mode: 0o644 });
    chmodSync(pem, 0o644);
    // The start-up warnings are logged as the full server loads, right after the client's tools/list (src/bin.ts).
    const started = (c: Connected) => waitFor(() => (/ready on stdio/.test(c.stderr()) ? true : undefined), 'the server to load');
    const loose = await server({ AZURE_CLIENT_CERTIFICATE_PATH: pem });
    await loose.client.listTools();
    await started(loose);
    expect(loose.stderr()).toContain(`The certificate file ${pem} (mode 644) can be read by other accounts on this machine`);
    expect(loose.stderr()).toContain(`Run: chmod 600 ${pem}`);
    chmodSync(pem, 0o600);
    const tight = await server({ AZURE_CLIENT_CERTIFICATE_PATH: pem });
    await tight.client.listTools();
    await started(tight);
    expect(tight.stderr()).not.toContain('can be read by other accounts');
  });
});
