#!/usr/bin/env node
// The full-length fault soak (npm test runs a 600-call form of the same test):
//   node scripts/soak.mjs [--calls 5000] [--concurrency 16] [--seed 5000]
// Builds, runs test/e2e/soak.test.ts with those settings, and prints what was measured. Traffic stays on 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
};
const calls = arg('calls', '5000');
const concurrency = arg('concurrency', '16');
const seed = arg('seed', '5000');

const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const dir = mkdtempSync(path.join(tmpdir(), 'cloudpc-mcp-soak-'));
const reportFile = path.join(dir, 'soak.json');
const vitest = spawnSync(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/e2e/soak.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SOAK_CALLS: calls, SOAK_CONCURRENCY: concurrency, SOAK_SEED: seed, SOAK_REPORT: reportFile },
});

try {
  const r = JSON.parse(readFileSync(reportFile, 'utf8'));
  const mb = (kb) => (kb === undefined ? '?' : `${(kb / 1024).toFixed(1)} MB`);
  console.log(`\nsoak: ${r.ended}/${r.calls} calls ended in ${(r.ms / 1000).toFixed(1)} s, ${concurrency} in flight, seed ${seed}`);
  for (const [k, v] of Object.entries(r.outcomes)) console.log(`  ${String(v).padStart(6)}  ${k}`);
  console.log(
    `  faults fired: ${r.faultsFired}; retries applied by the simulator: ${r.retriesApplied}; Graph requests: ${r.graphRequests}`,
  );
  console.log(
    `  server RSS: ${mb(r.server.baseline?.rssKb)} after warm-up → ${mb(r.server.after?.rssKb)} after; fds ${r.server.baseline?.fds} → ${r.server.after?.fds}`,
  );
  console.log(`  simulator connections: ${r.simulatorConnections.opened} opened, ${r.simulatorConnections.open} open at the end`);
  console.log(`  violations: ${r.violations.length ? r.violations.join('\n    ') : 'none'}`);
} catch {
  console.log('soak: no report was written (see the test output above).');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(vitest.status ?? 1);
