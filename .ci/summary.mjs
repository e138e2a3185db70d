// Sums the vitest JSON reports of .ci/run's runs. One line per run (worded so it never looks like the total), then
// the total as the last line, "N passed, N failed". A run without a readable report counts as one failure. Exit 1
// when anything failed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const [dir, ...names] = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const name of names) {
  const file = path.join(dir, `${name}.json`);
  const read = (ext) =>
    existsSync(path.join(dir, `${name}.${ext}`)) ? readFileSync(path.join(dir, `${name}.${ext}`), 'utf8').trim() : '?';
  const seconds = `${read('seconds')} s`;
  const label = `${name} (Node ${read('version')})`;
  let r;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    console.log(`${label}: no test report (the run crashed before vitest wrote it); counted as 1 failure, ${seconds}`);
    failed += 1;
    continue;
  }
  // A file that fails to load has no failed test but is a failure all the same.
  const broken = (r.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
  const f = r.numFailedTests + broken;
  passed += r.numPassedTests;
  failed += f;
  console.log(`${label}: passed ${r.numPassedTests}, failed ${f}${r.numPendingTests ? `, skipped ${r.numPendingTests}` : ''}, ${seconds}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
