// The failure-class table holds device failure codes only, each from one of Graph's own lists as the official beta
// types publish them, and docs/failures.md names where each comes from. HTTP API error codes are not device failures.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyDeviceFailure, FAILURE_RULES } from '../../src/graph/failureClasses.js';
import { enumMembers } from '../support/graphBetaTypes.js';

// The status codes the reference examples show (docs/failures.md, "Where the codes come from").
const EXAMPLE_CODES = ['internalServerError', 'intuneEnrollFailed'];
const SOURCES: Record<string, string[]> = {
  cloudPcOnPremisesConnectionHealthCheckErrorType: enumMembers('CloudPcOnPremisesConnectionHealthCheckErrorType'),
  cloudPcResizeValidationCode: enumMembers('CloudPcResizeValidationCode'),
  'reference examples': EXAMPLE_CODES,
};
const codes = FAILURE_RULES.flatMap((r) => (r.codes ?? []).map((c) => [c, r.name] as const));
const docs = readFileSync(new URL('../../docs/failures.md', import.meta.url), 'utf8');
const sourcesSection = docs.slice(docs.indexOf('### Where the codes come from'), docs.indexOf('**Not device failure codes.**'));

describe('the failure-class table’s codes', () => {
  it.each(codes)('%s (%s) is in one of Graph’s device-failure lists', (code) => {
    const from = Object.entries(SOURCES)
      .filter(([, list]) => list.includes(code))
      .map(([name]) => name);
    expect(from, `${code} is in none of ${Object.keys(SOURCES).join(', ')}`).not.toEqual([]);
  });

  it.each(codes)('docs/failures.md says where %s comes from', (code) => {
    const row = sourcesSection.split('\n').find((l) => l.startsWith('|') && l.includes(`\`${code}\``));
    expect(row, `a source row naming ${code}`).toBeDefined();
    const named = Object.keys(SOURCES).find((s) => row!.includes(s === 'reference examples' ? 'reference examples' : `\`${s}\``));
    expect(named && SOURCES[named]!.includes(code), `the row for ${code} names a list that holds it`).toBe(true);
  });

  it.each(['itemNotFound', 'accessDenied', 'Forbidden', 'activityLimitReached', 'serviceNotAvailable', 'tooManyRequests'])(
    'HTTP API error code %s is not a device failure code: unknown, or Graph’s retriable hint',
    (code) => {
      expect(classifyDeviceFailure({ code }, 'reprovision')).toEqual({ class: 'unknown' });
      expect(classifyDeviceFailure({ code, retriable: true }, 'reprovision')).toMatchObject({ class: 'retryable', rule: 'graphRetriable' });
    },
  );
});
