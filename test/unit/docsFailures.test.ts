// docs/failures.md and docs/simulator.md are what admins and test authors read: they must name every rule and code of
// the classification table and every simulator variant, so the docs cannot fall behind the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAILURE_RULES } from '../../src/graph/failureClasses.js';
import { VARIANT_NAMES } from '../../src/simulator/index.js';

const failures = readFileSync(new URL('../../docs/failures.md', import.meta.url), 'utf8');
const simulator = readFileSync(new URL('../../docs/simulator.md', import.meta.url), 'utf8');

describe('docs/failures.md', () => {
  it.each(FAILURE_RULES.map((r) => [r.name, r]))('documents rule %s with its class and every code', (name, r) => {
    const row = failures.split('\n').find((l) => l.startsWith('|') && l.includes(`(\`${name}\`)`));
    expect(row, `a table row for ${name}`).toBeDefined();
    expect(row).toContain(r.class === 'fixFirst' ? '| fix first |' : '| retryable |');
    for (const code of r.codes ?? []) expect(row).toContain(`\`${code}\``);
  });

  it('documents the arguments and statuses the retry tool takes and answers', () => {
    for (const s of [
      'only: "retryable"',
      'includeNotFailed: true',
      'status: "nothingToRetry"',
      'CLOUDPC_MCP_MAX_REASON_LOOKUPS',
      'graphRetriable',
    ]) {
      expect(failures).toContain(s);
    }
  });
});

describe('docs/simulator.md', () => {
  it.each(VARIANT_NAMES)('documents variant %s', (v) => {
    expect(simulator).toContain(`| \`${v}\` |`);
  });
});
