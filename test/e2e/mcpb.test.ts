// The Claude Desktop extension bundle: `npm run mcpb` builds it with the official @anthropic-ai/mcpb CLI; the official
// validator accepts its manifest; unpacked, it holds the same server (dist/ plus production dependencies only); and it
// starts the way Claude Desktop starts it: the manifest's mcp_config with ${__dirname} and the user's settings filled in
// by the package's own getMcpConfigForManifest (the code Claude Desktop uses), `node` being Claude Desktop's Node.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import { getMcpConfigForManifest, type McpbManifestAny } from '@anthropic-ai/mcpb';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SETTINGS } from '../../src/config/settings.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { ROOT, baseEnv, textOf } from './harness.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const work = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcpb-'));
const bundle = path.join(work, 'cloudpc-mcp.mcpb');
const unpacked = path.join(work, 'unpacked');
let manifest: McpbManifestAny;
const sim = useSimulator();

/** The official CLI, as `npx mcpb` runs it. */
const mcpb = (...args: string[]) =>
  run('npm', ['exec', '--no', '--', 'mcpb', ...args], {
    cwd: ROOT,
    env: { ...process.env, npm_config_update_notifier: 'false' },
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );

beforeAll(async () => {
  // dist/ is built by npm test's pretest; the script packs it with the production dependencies from the lock file.
  await run(process.execPath, [path.join(ROOT, 'scripts/build-mcpb.mjs'), bundle], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  const unpack = await mcpb('unpack', bundle, unpacked);
  expect(unpack.code, unpack.out).toBe(0);
  manifest = JSON.parse(readFileSync(path.join(unpacked, 'manifest.json'), 'utf8')) as McpbManifestAny;
}, 180_000);
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
});

/** Starts the unpacked bundle as Claude Desktop would, with these user settings, and connects the SDK's client. */
async function startAsClaudeDesktop(userConfig: Record<string, string | boolean>, extraEnv: Record<string, string> = {}) {
  const cfg = await getMcpConfigForManifest({ manifest, extensionPath: unpacked, systemDirs: {}, userConfig, pathSeparator: path.sep });
  expect(cfg?.command).toBe('node');
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: cfg!.args ?? [],
    env: { ...baseEnv(extraEnv), ...cfg!.env },
    cwd: work,
    stderr: 'pipe',
  });
  const client = new Client({ name: 'claude-desktop-stand-in', version: '1.0.0' });
  await client.connect(transport);
  return { client, env: cfg!.env ?? {} };
}

describe('the .mcpb bundle', () => {
  it('has a manifest the official validator accepts (and the validator refuses a broken one)', async () => {
    const ok = await mcpb('validate', path.join(unpacked, 'manifest.json'));
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/Manifest schema validation passes/);

    const broken = path.join(work, 'broken.json');
    const { server: _server, ...noServer } = manifest as Record<string, unknown>;
    writeFileSync(broken, JSON.stringify(noServer));
    expect((await mcpb('validate', broken)).code).not.toBe(0);
  });

  it('is the package version, runs dist/cloudpc-mcp.cjs with node, and lists the tools the server lists', () => {
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.server).toMatchObject({
      type: 'node',
      entry_point: 'dist/cloudpc-mcp.cjs',
      mcp_config: { command: 'node', args: ['${__dirname}/dist/cloudpc-mcp.cjs'] },
    });
    const listed = JSON.parse(readFileSync(path.join(ROOT, 'dist/early-answers/tools.full.json'), 'utf8')) as { name: string }[];
    expect(manifest.tools?.map((t) => t.name)).toEqual(listed.map((t) => t.name));
  });

  it("maps the user settings tenant, cloud and read-only to the server's environment variables, with defaults", () => {
    const env = manifest.server.mcp_config.env ?? {};
    expect(env).toEqual({
      AZURE_TENANT_ID: '${user_config.tenant_id}',
      CLOUDPC_MCP_CLOUD: '${user_config.cloud}',
      CLOUDPC_MCP_READ_ONLY: '${user_config.read_only}',
    });
    const known = new Set(SETTINGS.map((s) => s.env));
    for (const name of Object.keys(env)) expect(known.has(name), `${name} is a setting`).toBe(true);
    // Every setting has a default: an unset one would reach the server as the literal "${user_config.…}".
    for (const [key, opt] of Object.entries(manifest.user_config ?? {})) expect(opt.default, key).toBeDefined();
  });

  it('holds the built server and production dependencies only', () => {
    expect(readFileSync(path.join(unpacked, 'dist/cloudpc-mcp.cjs'), 'utf8')).toBe(
      readFileSync(path.join(ROOT, 'dist/cloudpc-mcp.cjs'), 'utf8'),
    );
    expect(existsSync(path.join(unpacked, 'dist/early-answers/initialize.json'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(unpacked, 'package.json'), 'utf8')).type).toBe('module');
    for (const name of Object.keys(pkg.dependencies))
      expect(existsSync(path.join(unpacked, 'node_modules', name, 'package.json')), name).toBe(true);
    for (const name of Object.keys(pkg.devDependencies))
      expect(existsSync(path.join(unpacked, 'node_modules', name)), `${name} (dev)`).toBe(false);
    for (const dir of ['src', 'test', 'scripts', '.git']) expect(existsSync(path.join(unpacked, dir)), dir).toBe(false);
  });

  it('starts as Claude Desktop starts it: handshake, tools/list and a tool call against the simulator', async () => {
    const { client, env } = await startAsClaudeDesktop({}, { CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token });
    try {
      // Defaults: no tenant (sign in with any work account), the global cloud, the retry tool offered.
      expect(env).toEqual({ AZURE_TENANT_ID: '', CLOUDPC_MCP_CLOUD: 'global', CLOUDPC_MCP_READ_ONLY: 'false' });
      expect(client.getServerVersion()).toMatchObject({ name: 'cloudpc-mcp', version: pkg.version });
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('retry_cloudpc_bulk_action');
      const r = (await client.callTool({
        name: 'get_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedRestart },
      })) as CallToolResult;
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(textOf(r)).toMatch(/carol@contoso\.com/);
    } finally {
      await client.close();
    }
  });

  it('passes the user settings through: read-only hides the retry tool, a bad tenant is reported with its setting', async () => {
    const ro = await startAsClaudeDesktop({ read_only: true, cloud: 'usgov', tenant_id: 'contoso.onmicrosoft.us' });
    try {
      expect(ro.env).toEqual({ AZURE_TENANT_ID: 'contoso.onmicrosoft.us', CLOUDPC_MCP_CLOUD: 'usgov', CLOUDPC_MCP_READ_ONLY: 'true' });
      const names = (await ro.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('list_cloudpc_bulk_actions');
      expect(names).not.toContain('retry_cloudpc_bulk_action');
    } finally {
      await ro.client.close();
    }
    const bad = await startAsClaudeDesktop({ tenant_id: 'not a tenant' });
    try {
      const r = (await bad.client.callTool({ name: 'list_cloudpc_bulk_actions', arguments: {} })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/AZURE_TENANT_ID/);
    } finally {
      await bad.client.close();
    }
  });
});
