// What ships: the lock file pins every dependency, `npm pack` holds the bundle only (dist/ as esbuild wrote it, no
// compiler output), package.json's runtime dependencies are exactly what the bundle leaves external, and the packed
// tarball installs globally into an empty prefix and runs: --help, a real MCP client against the simulator over loopback
// HTTP, and --simulate. The install uses the registry for dependencies (--prefer-offline: the local npm cache answers
// when it can).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator, DEMO_IDS } from '../../src/simulator/index.js';
import { ServerProcess, connectTapped } from '../support/hardening-stdio.js';
import { npmEnv } from '../support/npm.js';
import { ROOT, baseEnv, textOf } from './harness.js';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string> | string;
  files: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const bins = typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : pkg.bin;
// The install weight users accept for an MCP server: package folders a global install pulls, nested ones counted.
const MAX_INSTALLED_PACKAGES = 70;

/** Every package folder under a node_modules tree, nested node_modules included, with its install-time scripts. */
function packageFolders(modules: string): { name: string; dir: string; scripts: Record<string, string> }[] {
  if (!existsSync(modules)) return [];
  return readdirSync(modules, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .flatMap((e) => (e.name.startsWith('@') ? readdirSync(path.join(modules, e.name)).map((n) => `${e.name}/${n}`) : [e.name]))
    .flatMap((name) => {
      const dir = path.join(modules, name);
      const manifest = path.join(dir, 'package.json');
      if (!existsSync(manifest)) return [];
      const { scripts = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> };
      return [{ name, dir, scripts }, ...packageFolders(path.join(dir, 'node_modules'))];
    });
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
    // Some npm versions also list optional dependencies under the root entry's `dependencies`, others do not.
    const optional = pkg.optionalDependencies ?? {};
    const rootDeps = Object.fromEntries(Object.entries(root.dependencies ?? {}).filter(([n, v]) => optional[n] !== v));
    expect(rootDeps).toEqual(pkg.dependencies ?? {});
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
      .filter(
        ([, e]) =>
          !e.integrity?.startsWith('sha512-') || (e.resolved !== undefined && !e.resolved.startsWith('https://registry.npmjs.org/')),
      )
      .map(([p, e]) => `${p} (${e.resolved ?? 'no resolved'})`);
    expect(loose).toEqual([]);
  });

  it('satisfies package.json, as npm itself checks it', async () => {
    await expect(npm(['ls', '--package-lock-only', '--all', '--offline'])).resolves.toBeTruthy();
  }, 60_000);
});

/** Every file under dir, as paths relative to ROOT with forward slashes. */
function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** What `npm pack` would put in the tarball. */
async function packList(): Promise<string[]> {
  const { stdout } = await npm(['pack', '--dry-run', '--json', '--ignore-scripts', '--offline']);
  return (JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path).sort();
}

/** The package name of an import specifier: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

describe('npm pack', () => {
  let listed: string[] = [];

  it('holds only the build, the README, the example config, package.json and a licence', async () => {
    listed = await packList();
    const allowed = (f: string) =>
      ['package.json', 'README.md', 'mcp.json.example'].includes(f) ||
      /^LICEN[CS]E(\.(md|txt))?$/i.test(f) ||
      pkg.files.some((entry) => entry.replace(/\/$/, '') === f || f.startsWith(entry.replace(/\/$/, '') + '/'));
    expect(listed.filter((f) => !allowed(f))).toEqual([]);
    const forbidden = listed.filter(
      (f) =>
        /^(src|test|tests|\.ci|\.github|scripts|bench|tools|coverage|build)\//.test(f) ||
        /(^|\/)node_modules\//.test(f) ||
        (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) ||
        /(^|\/)\.(env|npmrc|git)/.test(f) ||
        /\.(pem|key|pfx|p12|tgz|log|mcpb)$/i.test(f) ||
        /(^|\/)id_(rsa|ed25519)/.test(f),
    );
    expect(forbidden).toEqual([]);
    for (const file of Object.values(bins)) expect(listed).toContain(path.posix.normalize(file));
  }, 60_000);

  it('ships the bundle only: the command, the server it loads, the simulator and the demo, their shared chunks, the view script and the early answers, no compiler output', () => {
    expect(listed.length).toBeGreaterThan(0);
    const dist = listed.filter((f) => f.startsWith('dist/'));
    // esbuild's output and nothing else: no declarations, source maps or per-module files a compiler would leave.
    const bundleFile =
      /^dist\/((cloudpc-mcp|server|simulator|demo|view)\.js|cloudpc-mcp\.cjs|early-answers\/[\w.]+\.json|chunks\/[\w-]+\.js)$/;
    expect(dist.filter((f) => !bundleFile.test(f))).toEqual([]);
    expect(dist).toEqual(
      expect.arrayContaining([
        'dist/cloudpc-mcp.cjs',
        'dist/cloudpc-mcp.js',
        'dist/server.js',
        'dist/simulator.js',
        'dist/demo.js',
        'dist/view.js',
        'dist/early-answers/initialize.json',
        'dist/early-answers/tools.full.json',
      ]),
    );
    // The tarball holds what the build wrote, all of it: a stale file in dist/ would ship, a missing chunk would break.
    expect(dist).toEqual(filesUnder('dist'));
  });

  it('declares as runtime dependencies exactly what the bundle leaves external; the rest are devDependencies', () => {
    // Recorded by scripts/build.mjs from esbuild's metafile of the shipped bundles.
    const externals = JSON.parse(readFileSync(path.join(ROOT, 'build/dev/bundle-externals.json'), 'utf8')) as string[];
    expect(Object.keys(pkg.dependencies ?? {}).sort()).toEqual([...new Set(externals.map(packageOf))].sort());
    // Optional ones, and the OS keychain add-on a user installs beside the server, are loaded by name at run time.
    const bundled = listed
      .filter((f) => /\.c?js$/.test(f))
      .map((f) => readFileSync(path.join(ROOT, f), 'utf8'))
      .join('\n');
    for (const name of [...Object.keys(pkg.optionalDependencies ?? {}), '@azure/identity-cache-persistence'])
      expect(bundled, name).toContain(`"${name}"`);
    // The add-on's chain (keytar and its binary download) stays out of every install that does not ask for it.
    expect(Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })).not.toContain('@azure/identity-cache-persistence');
  });

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
});

describe('a global install of the packed tarball', () => {
  let prefix = '';
  let tarball = '';
  const installedBin = (name: string) => path.join(prefix, 'bin', name);
  const installedModules = () => path.join(prefix, 'lib', 'node_modules', pkg.name, 'node_modules');

  it('installs into an empty prefix from the local tarball, pulling none of the bundled packages', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcp-pack-'));
    temp.push(dir);
    const { stdout } = await npm(['pack', '--ignore-scripts', '--offline', '--json', '--pack-destination', dir]);
    tarball = path.join(dir, (JSON.parse(stdout) as [{ filename: string }])[0].filename);
    expect(statSync(tarball).size).toBeGreaterThan(0);
    prefix = path.join(dir, 'prefix');
    // As a user runs `npm i -g cloudpc-mcp`, into a prefix of its own so nothing on the machine changes.
    await npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], dir);
    for (const name of Object.keys(bins)) expect(existsSync(installedBin(name)), `${name} is linked into the prefix's bin`).toBe(true);

    const present = (name: string) => existsSync(path.join(installedModules(), name, 'package.json'));
    for (const name of Object.keys(pkg.dependencies ?? {})) expect(present(name), `${name} is installed`).toBe(true);
    // The bundle carries these; a runtime dependency on any would pull it (and, for the SDK, web frameworks) again.
    for (const name of ['@modelcontextprotocol/sdk', 'zod', 'undici', 'jose', 'express', 'hono', 'ajv']) {
      expect(present(name), `${name} must not be installed`).toBe(false);
    }
  }, 240_000);

  it(`pulls at most ${MAX_INSTALLED_PACKAGES} package folders, nested ones counted, and none with an install script package.json does not allow`, () => {
    expect(prefix, 'the install step ran').not.toBe('');
    const installed = packageFolders(path.join(prefix, 'lib', 'node_modules'));
    expect(installed.map((p) => p.name)).toContain(pkg.name);
    expect(installed.length, installed.map((p) => p.name).join(', ')).toBeLessThanOrEqual(MAX_INSTALLED_PACKAGES);
    // npm runs these at install time (and node-gyp for a binding.gyp without one): code, often a binary download,
    // that no lock file integrity covers. Only what package.json's allowScripts approves may have one.
    const allowed = new Set(
      Object.entries(pkg.allowScripts ?? {})
        .filter(([, ok]) => ok)
        .map(([name]) => name),
    );
    const scripted = installed
      .filter((p) => ['preinstall', 'install', 'postinstall'].some((k) => p.scripts[k]) || existsSync(path.join(p.dir, 'binding.gyp')))
      .map((p) => p.name);
    expect(scripted.filter((name) => !allowed.has(name))).toEqual([]);
  });

  it('runs the installed command: --help', async () => {
    expect(prefix, 'the install step ran').not.toBe('');
    for (const name of Object.keys(bins)) {
      const help = await run(installedBin(name), ['--help'], { env: baseEnv(), cwd: prefix });
      expect(help.stdout).toMatch(/CLOUDPC_MCP_GRAPH_URL/);
    }
  });

  it('serves a real MCP client over stdio against the simulator: handshake and a tool call', async () => {
    expect(prefix, 'the install step ran').not.toBe('');
    const sim = await startSimulator();
    try {
      for (const name of Object.keys(bins)) {
        const s = await connectTapped({
          env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token }),
          command: { file: installedBin(name), args: [] },
        });
        try {
          expect(s.client.getServerVersion()?.name).toBe('cloudpc-mcp');
          const r = (await s.client.callTool({ name: 'get_cloudpc_bulk_action', arguments: { bulkActionId: DEMO_IDS.failedRestart } })) as {
            isError?: boolean;
            content: unknown;
          };
          expect(r.isError, textOf(r)).toBeFalsy();
          expect(textOf(r)).toMatch(/bob@contoso\.com/);
          expect(sim.requests.some((q) => q.path.includes(DEMO_IDS.failedRestart))).toBe(true);
          // The MCP Apps view is read from the installed package's files, not from the build tree.
          const view = await s.client.readResource({ uri: 'ui://cloudpc-mcp/bulk-action.html' });
          const html = (view.contents[0] as { text?: string }).text ?? '';
          expect(html).toMatch(/<script>[\s\S]{10000,}<\/script>/);
          expect(html).not.toMatch(/view script is not built/);
        } finally {
          expect((await s.close()).code).toBe(0);
        }
        expect(s.proc.describeViolations()).toBe('');
      }
    } finally {
      await sim.close();
    }
  }, 60_000);

  it('finds the OS keychain add-on installed beside it (npm install -g @azure/identity-cache-persistence) and keeps the sign-in there', async () => {
    expect(prefix, 'the install step ran').not.toBe('');
    // A stand-in for the published add-on at the place `npm install -g` puts it, written against the same plug-in
    // context. (The real one's keytar downloads its binary from GitHub at install time, which no test here may do.)
    const addOn = path.join(prefix, 'lib', 'node_modules', '@azure', 'identity-cache-persistence');
    const store = path.join(path.dirname(tarball), 'stand-in-keychain.json');
    mkdirSync(addOn, { recursive: true });
    writeFileSync(
      path.join(addOn, 'package.json'),
      JSON.stringify({ name: '@azure/identity-cache-persistence', version: '1.2.0', main: 'index.js' }),
    );
    writeFileSync(
      path.join(addOn, 'index.js'),
      `const fs = require('node:fs');
exports.cachePersistencePlugin = (context) => context.cachePluginControl.setPersistence(async () => {
  const persistence = { load: async () => (fs.existsSync(${JSON.stringify(store)}) ? fs.readFileSync(${JSON.stringify(store)}, 'utf8') : null),
    save: async (text) => fs.writeFileSync(${JSON.stringify(store)}, text), delete: async () => true };
  return { persistence, beforeCacheAccess: async () => {}, afterCacheAccess: async () => {} };
});`,
    );
    try {
      const configDir = path.join(path.dirname(tarball), 'config-keychain');
      const s = await connectTapped({
        // A delegated sign-in nobody completes: the status reads where it would be kept, and nothing leaves the machine.
        env: baseEnv({ CLOUDPC_MCP_AUTH: 'devicecode', AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9', CLOUDPC_MCP_CONFIG_DIR: configDir }),
        command: { file: installedBin(pkg.name), args: [] },
      });
      try {
        const r = (await s.client.callTool({ name: 'auth_status', arguments: {} })) as {
          structuredContent?: { tokenCache?: unknown };
          content: unknown;
        };
        expect(r.structuredContent?.tokenCache, textOf(r)).toMatchObject({
          setting: 'auto',
          tokenCache: 'os-store',
          summary: expect.stringMatching(/^Tokens are kept encrypted in /),
        });
      } finally {
        await s.close();
      }
      expect(existsSync(path.join(configDir, 'token-cache-cloudpc-mcp.json'))).toBe(false);
    } finally {
      rmSync(addOn, { recursive: true, force: true });
    }
  }, 60_000);

  it('runs the npx way clients start it (`npx -y cloudpc-mcp`), here from the tarball', async () => {
    expect(tarball, 'the install step ran').not.toBe('');
    // `npx -y <name>` installs the package and runs the bin named like it: the same with --package pointing at the tarball.
    const { stdout } = await npm(
      ['exec', '--yes', '--prefer-offline', `--package=${tarball}`, '--', pkg.name, '--version'],
      path.dirname(tarball),
    );
    expect(stdout.trim()).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  }, 120_000);

  it('runs --simulate: tools/list and a call answered by the embedded simulator', async () => {
    expect(prefix, 'the install step ran').not.toBe('');
    for (const name of Object.keys(bins)) {
      const p = new ServerProcess({ env: baseEnv(), command: { file: installedBin(name), args: ['--simulate'] } });
      try {
        await p.send({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pack', version: '1' } },
        });
        await p.response(1, 30_000);
        await p.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
        await p.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
        const list = (await p.response(2, 30_000)).result as { tools: { name: string }[] };
        expect(list.tools.map((t) => t.name)).toContain('retry_cloudpc_bulk_action');
        await p.send({
          jsonrpc: '2.0',
          id: 3,
          method: 'tools/call',
          params: { name: 'list_cloudpc_bulk_actions', arguments: { status: 'failed' } },
        });
        const call = (await p.response(3, 30_000)).result as { isError?: boolean; structuredContent: { simulated: boolean } };
        expect(call.isError).toBeFalsy();
        expect(call.structuredContent.simulated).toBe(true);
      } finally {
        p.endInput();
        expect((await p.waitForExit(10_000)).code).toBe(0);
      }
      expect(p.describeViolations()).toBe('');
    }
  }, 60_000);
});
