// What ships: the lock file pins every dependency, `npm pack` holds only what the package needs (read from package.json's
// `bin` and `files`, so the switch to a bundled bin changes nothing here), and the packed tarball installs into an empty
// folder and runs: --help, and --simulate answering MCP tools/list. The install uses the registry for dependencies
// (--prefer-offline: the local npm cache answers when it can).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../support/hardening-stdio.js';
import { ROOT, baseEnv } from './harness.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string> | string;
  files: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const bins = typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : pkg.bin;

/** npm as a user runs it: without the npm_* variables of the `npm test` that started vitest. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_')) env[k] = v;
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

const npm = (args: string[], cwd = ROOT) => run('npm', args, { cwd, env: npmEnv(), maxBuffer: 64 * 1024 * 1024 });

const temp: string[] = [];
afterAll(() => {
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

describe('the lock file', () => {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    lockfileVersion: number;
    packages: Record<
      string,
      {
        version?: string;
        resolved?: string;
        integrity?: string;
        link?: boolean;
        dependencies?: Record<string, string>;
        optionalDependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      }
    >;
  };
  const declared = { ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.devDependencies };

  it('is version 3 and records exactly the dependencies package.json declares', () => {
    expect(lock.lockfileVersion).toBe(3);
    const root = lock.packages['']!;
    // npm lists optional dependencies under both keys of the lock's root entry.
    expect(root.dependencies ?? {}).toEqual({ ...pkg.dependencies, ...pkg.optionalDependencies });
    expect(root.optionalDependencies ?? {}).toEqual(pkg.optionalDependencies ?? {});
    expect(root.devDependencies ?? {}).toEqual(pkg.devDependencies ?? {});
  });

  it('pins every dependency to one version, with an integrity hash, from the registry only', () => {
    for (const name of Object.keys(declared)) {
      expect(lock.packages[`node_modules/${name}`]?.version, name).toMatch(/^\d+\.\d+\.\d+/);
    }
    const loose = Object.entries(lock.packages)
      .filter(([p, e]) => p !== '' && !e.link)
      // `resolved` is left out of lock files written with omit-lockfile-registry-resolved; when present it must be the registry.
      .filter(([, e]) => !e.integrity?.startsWith('sha512-') || (e.resolved !== undefined && !e.resolved.startsWith('https://registry.npmjs.org/')))
      .map(([p, e]) => `${p} (${e.resolved ?? 'no resolved'})`);
    expect(loose).toEqual([]);
  });

  it('satisfies package.json, as npm itself checks it', async () => {
    await expect(npm(['ls', '--package-lock-only', '--all', '--offline'])).resolves.toBeTruthy();
  }, 60_000);
});

describe('npm pack', () => {
  let listed: string[] = [];

  it('holds only the build, the README, the example config, package.json and a licence', async () => {
    const { stdout } = await npm(['pack', '--dry-run', '--json', '--ignore-scripts', '--offline']);
    listed = (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path);
    const allowed = (f: string) =>
      ['package.json', 'README.md', 'mcp.json.example'].includes(f) ||
      /^LICEN[CS]E(\.(md|txt))?$/i.test(f) ||
      pkg.files.some((entry) => entry.replace(/\/$/, '') === f || f.startsWith(entry.replace(/\/$/, '') + '/'));
    expect(listed.filter((f) => !allowed(f))).toEqual([]);
    const forbidden = listed.filter(
      (f) =>
        /^(src|test|tests|\.ci|\.github|scripts|bench|tools|coverage)\//.test(f) ||
        /(^|\/)node_modules\//.test(f) ||
        (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) ||
        /(^|\/)\.(env|npmrc|git)/.test(f) ||
        /\.(pem|key|pfx|p12|tgz|log)$/i.test(f) ||
        /(^|\/)id_(rsa|ed25519)/.test(f),
    );
    expect(forbidden).toEqual([]);
    for (const file of Object.values(bins)) expect(listed).toContain(path.posix.normalize(file));
  }, 60_000);

  it('carries no local paths (as source maps would), no private keys and no tokens', () => {
    expect(listed.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const f of listed) {
      const text = readFileSync(path.join(ROOT, f), 'utf8');
      if (text.includes(ROOT)) problems.push(`${f}: contains the build machine's path ${ROOT}`);
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) problems.push(`${f}: a private key`);
      if (/\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/.test(text)) problems.push(`${f}: a JWT`);
      if (/\.map$/.test(f) && /"sources"\s*:\s*\[[^\]]*"(\/|[A-Za-z]:\\)/.test(text)) problems.push(`${f}: absolute source paths`);
    }
    expect(problems).toEqual([]);
    for (const file of Object.values(bins)) expect(readFileSync(path.join(ROOT, file), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('installs from the tarball into an empty folder and runs: --help, and --simulate answering tools/list', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcp-pack-'));
    temp.push(dir);
    const { stdout } = await npm(['pack', '--ignore-scripts', '--offline', '--json', '--pack-destination', dir]);
    const tarball = path.join(dir, (JSON.parse(stdout) as [{ filename: string }])[0].filename);
    expect(statSync(tarball).size).toBeGreaterThan(0);
    const app = path.join(dir, 'app');
    await run('mkdir', ['-p', app]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'pack-check', version: '1.0.0', private: true }));
    await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', tarball], app);

    for (const name of Object.keys(bins)) {
      const bin = path.join(app, 'node_modules', '.bin', name);
      expect(existsSync(bin), `${name} is linked into node_modules/.bin`).toBe(true);
      const help = await run(bin, ['--help'], { env: baseEnv(), cwd: app });
      expect(help.stdout).toMatch(/CLOUDPC_MCP_GRAPH_URL/);

      const p = new ServerProcess({ env: baseEnv(), command: { file: bin, args: ['--simulate'] } });
      try {
        await p.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pack', version: '1' } } });
        await p.response(1, 30_000);
        await p.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
        await p.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
        const list = (await p.response(2, 30_000)).result as { tools: { name: string }[] };
        expect(list.tools.map((t) => t.name)).toContain('retry_cloudpc_bulk_action');
        await p.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_cloudpc_bulk_actions', arguments: { status: 'failed' } } });
        const call = (await p.response(3, 30_000)).result as { isError?: boolean; structuredContent: { simulated: boolean } };
        expect(call.isError).toBeFalsy();
        expect(call.structuredContent.simulated).toBe(true);
      } finally {
        p.endInput();
        expect((await p.waitForExit(10_000)).code).toBe(0);
      }
      expect(p.describeViolations()).toBe('');
    }
  }, 180_000);
});
