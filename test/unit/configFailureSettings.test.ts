// The settings issue 11 adds: the reason-lookup cap and the simulator's variants.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';

const parse = (argv: string[], env: Record<string, string> = {}) => loadConfig(argv, env);
const problems = (argv: string[], env: Record<string, string> = {}) => {
  const r = parse(argv, env);
  return r.ok ? [] : r.problems.map((p) => `${p.setting}: ${p.message}`);
};

describe('CLOUDPC_MCP_MAX_REASON_LOOKUPS', () => {
  it('defaults to 100 and takes a flag or the environment', () => {
    const c = (argv: string[], env?: Record<string, string>) => {
      const r = parse(argv, env);
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return r.config.maxReasonLookups;
    };
    expect(c([])).toBe(100);
    expect(c(['--max-reason-lookups', '0'])).toBe(0);
    expect(c([], { CLOUDPC_MCP_MAX_REASON_LOOKUPS: '2000' })).toBe(2000);
  });

  it.each(['-1', '10001', '1.5', 'lots'])('refuses %s, naming the range', (v) => {
    expect(problems([`--max-reason-lookups=${v}`]).join()).toMatch(
      /CLOUDPC_MCP_MAX_REASON_LOOKUPS.*whole number from 0 to 10000; default is 100/,
    );
  });
});

describe('CLOUDPC_MCP_SIMULATE_VARIANTS', () => {
  it('switches variants on with --simulate, without repeats', () => {
    const r = parse(['--simulate', '--simulate-variants', 'thinListItems, wrappedEntities,thinListItems']);
    expect(r.ok && r.config.simulateVariants).toEqual(['thinListItems', 'wrappedEntities']);
    const env = parse([], { CLOUDPC_MCP_SIMULATE: 'true', CLOUDPC_MCP_SIMULATE_VARIANTS: 'batchThrottling' });
    expect(env.ok && env.config.simulateVariants).toEqual(['batchThrottling']);
    expect(parse([]).ok && (parse([]) as { config: { simulateVariants: string[] } }).config.simulateVariants).toEqual([]);
  });

  it('refuses an unknown name, listing the known ones', () => {
    expect(problems(['--simulate', '--simulate-variants', 'thinListItems,thin']).join()).toMatch(
      /not simulator variants: "thin"; known: thinListItems, wrappedEntities/,
    );
  });

  it('refuses variants without --simulate: they change nothing on a real tenant', () => {
    expect(problems(['--simulate-variants', 'thinListItems']).join()).toMatch(/embedded simulator only; add --simulate/);
  });
});
