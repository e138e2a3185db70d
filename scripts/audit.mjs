#!/usr/bin/env node
// Supply-chain gate: no known high or critical advisory in the production dependencies.
//   node scripts/audit.mjs            fails (exit 1) on a high/critical advisory; warns when the advisory service
//                                     cannot be reached (some registry mirrors answer its POST with 405)
//   node scripts/audit.mjs --require  also fails (exit 2) when the advisory service cannot be reached
// It is a script rather than a test because its answer depends on a remote service, not on this code.
import { execFile } from 'node:child_process';

const required = process.argv.includes('--require') || process.env.AUDIT_REQUIRED === '1';

const { stdout } = await new Promise((resolve) => {
  // npm audit exits non-zero both for findings and for service errors; the JSON tells them apart.
  execFile('npm', ['audit', '--audit-level=high', '--omit=dev', '--json'], { maxBuffer: 64 * 1024 * 1024 }, (_err, out, err) =>
    resolve({ stdout: out, stderr: err }),
  );
});

let report;
try {
  report = JSON.parse(stdout);
} catch {
  report = undefined;
}

const counts = report?.metadata?.vulnerabilities;
if (!counts) {
  const why = report?.statusCode ? `HTTP ${report.statusCode} from ${report.uri ?? 'the registry'}` : (report?.message ?? 'no readable answer');
  console.warn(`npm audit: the advisory service could not be used (${why}); dependencies were NOT checked.`);
  process.exit(required ? 2 : 0);
}

const serious = Object.entries(report.vulnerabilities ?? {}).filter(([, v]) => v.severity === 'high' || v.severity === 'critical');
if (serious.length) {
  console.error(`npm audit: ${serious.length} production dependenc${serious.length === 1 ? 'y has' : 'ies have'} high or critical advisories:`);
  for (const [name, v] of serious) {
    const titles = (v.via ?? []).filter((x) => typeof x === 'object').map((x) => `${x.title} (${x.url})`);
    console.error(`- ${name} ${v.range ?? ''}: ${v.severity}${titles.length ? `: ${titles.join('; ')}` : ` via ${(v.via ?? []).join(', ')}`}${v.fixAvailable ? ' [fix available]' : ''}`);
  }
  process.exit(1);
}
const total = report.metadata.dependencies?.prod ?? report.metadata.dependencies?.total ?? '?';
console.log(`npm audit: no high or critical advisories (${total} production dependencies; ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low).`);
