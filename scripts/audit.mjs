#!/usr/bin/env node
// Supply-chain gate: no known high or critical advisory in what ships: the runtime dependencies, and the packages the
// bundle in dist/ carries (devDependencies that src/ imports, which esbuild copies in), with everything they pull.
//   node scripts/audit.mjs            fails (exit 1) on a high/critical advisory; when the advisory service cannot be
//                                     reached (some registry mirrors answer its POST with 405) it says so plainly,
//                                     starting with UNREACHABLE_MARK (.ci/run repeats such lines beside its last line)
//   node scripts/audit.mjs --require  also fails (exit 2) when the advisory service cannot be reached
// It is a script rather than a test because its answer depends on a remote service, not on this code.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const required = process.argv.includes('--require') || process.env.AUDIT_REQUIRED === '1';
/** How the line saying nothing was checked starts; .ci/run looks for it. */
const UNREACHABLE_MARK = 'npm audit: NOT CHECKED';

const { stdout } = await new Promise((resolve) => {
  // npm audit exits non-zero both for findings and for service errors; the JSON tells them apart.
  // The whole tree: the bundled packages are devDependencies, so --omit=dev would skip them. Findings are filtered below.
  execFile('npm', ['audit', '--audit-level=high', '--json'], { maxBuffer: 64 * 1024 * 1024 }, (_err, out, err) =>
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
  const why = report?.statusCode
    ? `HTTP ${report.statusCode} from ${report.uri ?? 'the registry'}`
    : (report?.message ?? 'no readable answer');
  const text =
    `${UNREACHABLE_MARK}: the advisory service could not be reached (${why}), so no dependency was checked for known ` +
    `advisories. ${required ? 'Failing, as --require (or AUDIT_REQUIRED=1) asks.' : 'Run `node scripts/audit.mjs --require` where the registry answers audits (or set AUDIT_REQUIRED=1) to make this a failure.'}`;
  console.log(text);
  // GitHub Actions shows this as an annotation on the run's summary page, where a line deep in the log would be missed.
  if (process.env.GITHUB_ACTIONS === 'true') console.log(`::warning title=npm audit not checked::${text}`);
  process.exit(required ? 2 : 0);
}

/** Names of every package that ships: runtime dependencies, bundled ones, and all they depend on (per the lock file). */
function shippedPackages() {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
  const imported = new Set();
  for (const e of readdirSync('src', { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts')) continue;
    const text = readFileSync(path.join(e.parentPath, e.name), 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*'([^.'][^']*)'/g)) {
      imported.add(
        m[1]
          .split('/')
          .slice(0, m[1].startsWith('@') ? 2 : 1)
          .join('/'),
      );
    }
  }
  const queue = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
    ...Object.keys(pkg.devDependencies ?? {}).filter((n) => imported.has(n)),
  ];
  const shipped = new Set();
  while (queue.length) {
    const name = queue.pop();
    if (shipped.has(name)) continue;
    shipped.add(name);
    // Any copy of the package in the tree (nested ones too): by name is what the advisories are keyed by.
    for (const [where, entry] of Object.entries(lock.packages ?? {})) {
      if (where !== `node_modules/${name}` && !where.endsWith(`/node_modules/${name}`)) continue;
      queue.push(...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}));
    }
  }
  return shipped;
}

const shipped = shippedPackages();
const serious = Object.entries(report.vulnerabilities ?? {}).filter(
  ([name, v]) => (v.severity === 'high' || v.severity === 'critical') && shipped.has(name),
);
if (serious.length) {
  console.error(
    `npm audit: ${serious.length} shipped dependenc${serious.length === 1 ? 'y has' : 'ies have'} high or critical advisories:`,
  );
  for (const [name, v] of serious) {
    const titles = (v.via ?? []).filter((x) => typeof x === 'object').map((x) => `${x.title} (${x.url})`);
    console.error(
      `- ${name} ${v.range ?? ''}: ${v.severity}${titles.length ? `: ${titles.join('; ')}` : ` via ${(v.via ?? []).join(', ')}`}${v.fixAvailable ? ' [fix available]' : ''}`,
    );
  }
  process.exit(1);
}
console.log(
  `npm audit: no high or critical advisories in the ${shipped.size} shipped packages (whole tree: ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low).`,
);
