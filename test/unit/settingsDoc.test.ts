// The settings table drives the flags, --help and the configuration docs: none of them may drift from it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { helpText, settingsMarkdownTable } from '../../src/config/help.js';

import { SETTINGS } from '../../src/config/settings.js';

const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

describe('settings table', () => {
  it('is exactly the table in docs/configuration.md (run `npm run docs:settings` after changing a setting)', () => {
    const between = doc.split('<!-- settings:start -->')[1]?.split('<!-- settings:end -->')[0]?.trim();
    expect(between).toBe(settingsMarkdownTable());
  });

  it('names each setting once', () => {
    const envs = SETTINGS.map((s) => s.env);
    const flags = SETTINGS.flatMap((s) => (s.flag ? [s.flag] : []));
    expect(new Set(envs).size).toBe(envs.length);
    expect(new Set(flags).size).toBe(flags.length);
  });

  it('--help lists every flag and variable with its default', () => {
    const help = helpText();
    for (const s of SETTINGS) {
      const line = help.split('\n').find((l) => l.includes(` ${s.env} `));
      expect(line, s.env).toBeDefined();
      if (s.flag) expect(line).toContain(s.flag);
      expect(line).toContain(`Default: ${s.def}.`);
    }
  });

  it.each(SETTINGS.filter((s) => s.flag).map((s) => [s.flag!, s]))('%s is a flag the command line accepts', (flag, s) => {
    const value = s.boolean ? [] : [s.int ? String(s.int.default) : 'x'];
    const r = loadConfig([flag, ...value], {});
    const unknown = (r.ok ? [] : r.problems).filter((p) => p.setting === 'command line');
    expect(unknown).toEqual([]);
  });

  it.each(SETTINGS.filter((s) => s.int).map((s) => [s.env, s]))(
    '%s: its default is what the server uses, and its bounds are enforced',
    (env, s) => {
      const fine = loadConfig([], { [env]: String(s.int!.default) });
      const below = loadConfig([], { [env]: String(s.int!.min - 1) });
      const above = loadConfig([], { [env]: String(s.int!.max + 1) });
      expect(fine.ok ? [] : fine.problems.filter((p) => p.setting.startsWith(env))).toEqual([]);
      for (const bad of [below, above]) {
        const problems = bad.ok ? [] : bad.problems.filter((p) => p.setting.startsWith(env));
        expect(problems[0]?.message).toMatch(new RegExp(`from ${s.int!.min} to ${s.int!.max}; default is ${s.int!.default}`));
      }
    },
  );
});
