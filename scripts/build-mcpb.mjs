// npm run mcpb: the Claude Desktop extension bundle (build/mcpb/cloudpc-mcp.mcpb), made with the official
// @anthropic-ai/mcpb CLI. The bundle runs the same server as the npm package: dist/ as built, plus the production
// dependencies installed from the lock file. It carries no native module (the OS keychain add-on is no dependency),
// so one bundle runs on macOS, Windows and Linux alike.
//   node scripts/build-mcpb.mjs [output.mcpb]     (after npm run build; npm run mcpb does both)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => path.join(root, ...p);
const out = path.resolve(process.argv[2] ?? at('build', 'mcpb', 'cloudpc-mcp.mcpb'));

function fail(message) {
  process.stderr.write(`build-mcpb: ${message}\n`);
  process.exit(1);
}

const pkg = JSON.parse(readFileSync(at('package.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(at('mcpb', 'manifest.json'), 'utf8'));
if (manifest.version !== pkg.version)
  fail(`mcpb/manifest.json has version ${manifest.version}, package.json ${pkg.version}: make them equal.`);
if (!existsSync(at('dist', 'early-answers', 'tools.full.json'))) fail('dist/ is not built: run npm run build first (npm run mcpb does).');

// Staged in a folder of its own, so two builds (a developer's and the test's) never share one.
const stage = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcpb-stage-'));
process.on('exit', () => rmSync(stage, { recursive: true, force: true }));
cpSync(at('dist'), path.join(stage, 'dist'), { recursive: true });
for (const f of ['package.json', 'package-lock.json', 'LICENSE']) cpSync(at(f), path.join(stage, f));

// Production dependencies exactly as locked. No install scripts and no optional dependencies: a native module would
// be built for this machine's OS only. The sign-in is kept in the private token cache file, as without the add-on.
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
execFileSync(
  npm,
  ['ci', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
  {
    cwd: stage,
    stdio: ['ignore', 'inherit', 'inherit'],
    shell: process.platform === 'win32',
  },
);

// The tools as the server lists them (recorded by the build from the server itself), so the listing never goes stale.
const tools = JSON.parse(readFileSync(at('dist', 'early-answers', 'tools.full.json'), 'utf8'));
manifest.tools = tools.map((t) => ({ name: t.name, description: t.description }));
writeFileSync(path.join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

// The official CLI, through the command its package.json declares (the package exports no ./package.json: found from
// its main entry).
let mcpbPkg = path.dirname(fileURLToPath(import.meta.resolve('@anthropic-ai/mcpb')));
while (!existsSync(path.join(mcpbPkg, 'package.json'))) mcpbPkg = path.dirname(mcpbPkg);
const mcpbCli = path.join(mcpbPkg, JSON.parse(readFileSync(path.join(mcpbPkg, 'package.json'), 'utf8')).bin);
const mcpb = (...args) => execFileSync(process.execPath, [mcpbCli, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
mcpb('validate', path.join(stage, 'manifest.json'));
mkdirSync(path.dirname(out), { recursive: true });
rmSync(out, { force: true });
mcpb('pack', stage, out);

const bytes = readFileSync(out);
process.stdout.write(
  `build-mcpb: ${path.relative(root, out)} (${(bytes.length / 1048576).toFixed(1)} MiB, sha256 ${createHash('sha256').update(bytes).digest('hex')})\n`,
);
