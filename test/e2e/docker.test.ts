// The Dockerfile, replayed without a container daemon: its instructions are read from the file and carried out in
// temporary folders (the build stage's COPY and RUN steps: a clean install from the lock file, the build, the prune to
// production dependencies; the final stage's COPY --from=build), then the final stage's CMD is started with its ENV in
// remote mode against the simulator: /healthz, the HEALTHCHECK command, and one tool call over Streamable HTTP.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SETTINGS } from '../../src/config/settings.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { baseEnv, ROOT, textOf } from './harness.js';
import { httpEnv, runToExit, startHttpServer, type HttpServerProcess, type ServerCommand } from '../support/http-server.js';
import { npmEnv } from '../support/npm.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name?: string;
  steps: Instruction[];
}

/** The Dockerfile's stages, each a list of instructions (comments dropped, continuation lines joined). */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line)!;
    if (op!.toUpperCase() === 'FROM') stages.push({ name: /\bAS\s+(\S+)$/i.exec(args!)?.[1], steps: [] });
    else stages.at(-1)?.steps.push({ op: op!.toUpperCase(), args: args! });
  }
  return stages;
}

/** `ENV a=1 b=2` → { a: '1', b: '2' } (the form this Dockerfile uses). */
const envOf = (stage: Stage) =>
  Object.fromEntries(
    stage.steps.filter((s) => s.op === 'ENV').flatMap((s) => s.args.split(/\s+/).map((kv) => kv.split('=', 2) as [string, string])),
  );
const only = (stage: Stage, op: string) => stage.steps.filter((s) => s.op === op);

/** A copy of the build context as .dockerignore filters it: never a local node_modules. */
function copyFromContext(src: string, dest: string): void {
  cpSync(path.join(ROOT, src), dest, { recursive: true, filter: (f) => !f.split(path.sep).includes('node_modules') });
}

/** Carries out COPY: `COPY a b ./dir/` from the context, or `COPY --from=stage a ./b` from an earlier stage's folder. */
function replayCopy(args: string, workdir: string, stageDirs: Map<string, string>): void {
  const parts = args.split(/\s+/);
  const from = parts[0]!.startsWith('--from=') ? stageDirs.get(parts.shift()!.slice('--from='.length)) : undefined;
  const dest = parts.pop()!;
  for (const src of parts) {
    const target = dest.endsWith('/') ? path.join(workdir, dest, path.basename(src)) : path.join(workdir, dest);
    mkdirSync(path.dirname(target), { recursive: true });
    if (from) cpSync(path.join(from, path.relative('/app', src)), target, { recursive: true });
    else copyFromContext(src, target);
  }
}

const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const build = stages[0]!;
const final = stages.at(-1)!;
const cmd = JSON.parse(only(final, 'CMD')[0]!.args) as string[];
const work = mkdtempSync(path.join(tmpdir(), 'cloudpc-docker-'));
const dirs = new Map<string, string>();
const sim = useSimulator();
let server: HttpServerProcess;
/** The final stage's CMD with Node as `node`, in the final stage's folder (its WORKDIR). */
let command: ServerCommand;

beforeAll(async () => {
  for (const [i, stage] of stages.entries()) {
    const dir = path.join(work, stage.name ?? `stage-${i}`);
    mkdirSync(dir, { recursive: true });
    dirs.set(stage.name ?? String(i), dir);
    for (const step of stage.steps) {
      if (step.op === 'COPY') replayCopy(step.args, dir, dirs);
      // RUN as the image would, with the stage's ENV; npm answers from the local cache where it can.
      if (step.op === 'RUN')
        await run('sh', ['-c', step.args], {
          cwd: dir,
          env: npmEnv({ npm_config_prefer_offline: 'true', ...envOf(stage) }),
          maxBuffer: 64 * 1024 * 1024,
        });
    }
  }
  expect(cmd[0]).toBe('node');
  command = { file: process.execPath, args: cmd.slice(1), cwd: dirs.get(String(stages.length - 1))! };
  // The image's ENV, but on loopback without Entra: there is no tenant here to sign callers in (the Entra default is
  // checked on its own below). Port 0 picks a free one.
  server = await startHttpServer(
    httpEnv({
      ...envOf(final),
      CLOUDPC_MCP_HOST: '127.0.0.1',
      CLOUDPC_MCP_PORT: '0',
      CLOUDPC_MCP_HTTP_AUTH: 'none',
      CLOUDPC_MCP_GRAPH_URL: sim.url,
      CLOUDPC_MCP_ACCESS_TOKEN: sim.token,
    }),
    [],
    command,
  );
}, 300_000);
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the Dockerfile', () => {
  it('builds in one stage from a clean install of the lock file and runs as non-root in another', () => {
    expect(stages).toHaveLength(2);
    expect(only(build, 'RUN').map((s) => s.args)).toEqual([
      expect.stringMatching(/^npm ci\b/),
      expect.stringMatching(/^npm run build && npm prune --omit=dev\b/),
    ]);
    expect(only(final, 'COPY').every((s) => s.args.startsWith(`--from=${build.name} `))).toBe(true);
    expect(only(final, 'USER').map((s) => s.args)).toEqual(['node']);
    expect(cmd).toEqual(['node', 'dist/cloudpc-mcp.cjs', '--transport', 'http']);
    expect(envOf(final)).toMatchObject({ CLOUDPC_MCP_HOST: '0.0.0.0', CLOUDPC_MCP_HTTP_AUTH: 'entra' });
  });

  it('keeps local installs, builds and the Git history out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['**/node_modules', 'dist', 'build', '.git', 'test']) expect(ignored).toContain(entry);
  });

  it('ships the bundle with production dependencies only', () => {
    const app = command.cwd;
    expect(readdirSync(app).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    expect(existsSync(path.join(app, 'dist/cloudpc-mcp.cjs'))).toBe(true);
    for (const name of Object.keys(pkg.dependencies))
      expect(existsSync(path.join(app, 'node_modules', name, 'package.json')), name).toBe(true);
    for (const name of Object.keys(pkg.devDependencies))
      expect(existsSync(path.join(app, 'node_modules', name, 'package.json')), `${name} (dev)`).toBe(false);
  });

  it('serves remote mode: /healthz, the HEALTHCHECK command, and a tool call over Streamable HTTP', async () => {
    const health = await fetch(`${server.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', version: pkg.version });

    const check = JSON.parse(only(final, 'HEALTHCHECK')[0]!.args.replace(/^.*?CMD\s+/, '')) as string[];
    expect(check[0]).toBe('node');
    const probe = await run(process.execPath, check.slice(1), { env: baseEnv({ CLOUDPC_MCP_PORT: String(server.port) }) }).then(
      () => 0,
      (e: { code?: number }) => e.code ?? 1,
    );
    expect(probe).toBe(0);

    const client = new Client({ name: 'cloudpc-mcp-docker-test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    try {
      const r = (await client.callTool({
        name: 'get_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedRestart },
      })) as CallToolResult;
      expect(r.isError, textOf(r)).toBeFalsy();
      expect(textOf(r)).toMatch(/bob@contoso\.com/);
    } finally {
      await client.close();
    }
  });

  it("refuses to start with the image's Entra default until the tenant and app are configured, naming what is missing", async () => {
    const r = await runToExit(baseEnv({ ...envOf(final), CLOUDPC_MCP_TRANSPORT: 'http', CLOUDPC_MCP_PORT: '0' }), [], command);
    expect(r.code).toBe(2);
    for (const setting of ['CLOUDPC_MCP_PUBLIC_URL', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'])
      expect(r.stderr).toContain(`- ${setting}`);
    expect(r.stdout).toBe('');
  });

  it('is documented under "Container" in docs/remote.md with settings the server reads and the port it exposes', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/remote.md'), 'utf8');
    const section = doc.split(/^## Container$/m)[1]!.split(/^## /m)[0]!;
    const known = new Set(SETTINGS.map((x) => x.env));
    const named = [...section.matchAll(/-e ([A-Z_]+)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThanOrEqual(4);
    for (const n of named) expect(known.has(n), n).toBe(true);
    const port = only(final, 'EXPOSE')[0]!.args;
    expect(section).toContain(`-p ${port}:${port}`);
    expect(section).toContain(`--target-port ${port}`);
  });
});
