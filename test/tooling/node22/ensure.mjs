// Installs this test-only sub-package (Node 22 from the npm registry, the MCP conformance suite, the MCP Inspector)
// when it is missing or differs from its lock file; otherwise does nothing and prints nothing. Run by `npm test`'s
// pretest, so a fresh clone needs only `npm ci && npm test`. It is a separate package so its node binary never lands
// in the root's node_modules/.bin, where it would replace Node 20 for every npm script.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const dir = path.dirname(fileURLToPath(import.meta.url));
const lock = JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
const wanted = Object.keys(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies);

function installed(name) {
  const pkg = path.join(dir, 'node_modules', name, 'package.json');
  return existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')).version : undefined;
}

const stale = wanted.filter((name) => installed(name) !== lock.packages[`node_modules/${name}`]?.version);
// The node package fetches its platform binary in an install script; without it the package is an empty shell.
if (!existsSync(path.join(dir, 'node_modules/node/bin/node'))) stale.push('node (binary)');

if (stale.length) {
  process.stderr.write(`test/tooling/node22: installing (${stale.join(', ')})…\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
