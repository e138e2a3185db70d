// Everything a local sign-in test needs on 127.0.0.1: the Entra stand-in, the Graph simulator accepting the
// stand-in's tokens, a proxy trap where the internet would be, and a private config directory; plus the server's
// environment.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startSimulator, type Simulator } from '../../../src/simulator/index.js';
import { baseEnv, connect, textOf, type Connected } from '../../e2e/harness.js';
import { authorityEnv, startEntraStandIn, type EntraStandIn } from './standIn.js';
import { startProxyTrap, type ProxyTrap } from './proxyTrap.js';

export interface World {
  entra: EntraStandIn;
  sim: Simulator;
  trap: ProxyTrap;
  /** The user's home and config directory for this world. */
  home: string;
  env(extra?: Record<string, string>): Record<string, string>;
  start(extra?: Record<string, string>): Promise<Server>;
  /** Every output the user or a log reader could see must be free of these. */
  secrets(): string[];
  close(): Promise<void>;
}

export interface Server extends Connected {
  /** Anything the client could not read as an MCP message (a stray line on stdout would land here). */
  protocolErrors: Error[];
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult & { text: string }>;
}

export async function startWorld(): Promise<World> {
  const entra = await startEntraStandIn();
  const sim = await startSimulator({ token: entra.delegatedToken, appToken: entra.appToken });
  const trap = await startProxyTrap();
  const home = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcp-home-'));
  const servers: Server[] = [];
  const env = (extra: Record<string, string> = {}) =>
    baseEnv({
      HOME: home,
      CLOUDPC_MCP_CONFIG_DIR: path.join(home, 'config'),
      CLOUDPC_MCP_AUTH: 'devicecode',
      CLOUDPC_MCP_GRAPH_URL: sim.url,
      // NODE_EXTRA_CA_CERTS is read at process start: the server trusts the stand-in's certificate, and nothing else new.
      ...authorityEnv(entra),
      HTTPS_PROXY: trap.url,
      HTTP_PROXY: trap.url,
      NO_PROXY: '127.0.0.1,localhost',
      ...extra,
    });
  return {
    entra,
    sim,
    trap,
    home,
    env,
    async start(extra = {}) {
      const c = await connect({ env: env(extra) });
      const protocolErrors: Error[] = [];
      c.client.onerror = (err) => protocolErrors.push(err);
      const server: Server = {
        ...c,
        protocolErrors,
        async call(name, args = {}) {
          const r = (await c.client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as CallToolResult;
          return { ...r, text: textOf(r) };
        },
      };
      servers.push(server);
      return server;
    },
    secrets: () => entra.secretsIssued(),
    async close() {
      await Promise.all(servers.map((s) => s.close().catch(() => {})));
      await Promise.all([entra.close(), sim.close(), trap.close()]);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The user code in a sign-in prompt ("… and enter the code ABCD1234 …"). */
export function userCodeIn(text: string): string {
  const m = /enter the code ([A-Z0-9]+)/.exec(text);
  if (!m) throw new Error(`no device code in: ${text}`);
  return m[1]!;
}

export function expectNoSecrets(world: World, ...outputs: string[]): void {
  const all = outputs.join('\n');
  for (const s of world.secrets()) {
    if (all.includes(s)) throw new Error(`a secret issued by the Entra stand-in appeared in the output (${s.slice(0, 6)}…)`);
  }
}

/**
 * A stand-in for the user's browser, for BROWSER (which xdg-open honours where no desktop is detected): it opens the
 * sign-in page at the stand-in, which signs the user in at once, and follows the redirect back to MSAL's loopback
 * listener. Each URL it was given is appended to `opened`.
 */
export function fakeBrowser(dir: string): { env: string; opened: () => string[] } {
  const script = path.join(dir, 'fake-browser.mjs');
  const log = path.join(dir, 'opened.txt');
  writeFileSync(
    script,
    [
      "import { appendFileSync } from 'node:fs';",
      'const url = process.argv[2];',
      `appendFileSync(${JSON.stringify(log)}, url + '\\n');`,
      "const page = await fetch(url, { redirect: 'manual' });",
      // MSAL listens on 127.0.0.1 but names the redirect URI localhost, which may resolve to ::1 first. MSAL may
      // close its listener before the page has been read; a browser would not mind, and xdg-open would run a
      // failing BROWSER a second time.
      "await fetch(page.headers.get('location').replace('//localhost:', '//127.0.0.1:')).then((r) => r.text()).catch(() => {});",
    ].join('\n'),
  );
  return {
    env: `${process.execPath} ${script}`,
    opened: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
  };
}
