// What the README promises a newcomer: the two Quick start commands, every cloud, the version.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLOUDS } from '../../src/graph/clouds.js';
import { VERSION } from '../../src/core/version.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

describe('README', () => {
  it('documents every cloud with its Graph root and authority', () => {
    for (const c of Object.values(CLOUDS)) {
      expect(readme).toContain(c.graphRoot);
      expect(readme).toContain(c.authorityHost);
    }
  });

  it('keeps the Quick start to the two commands that CI and newcomers run', () => {
    const quick = readme.split('## Quick start')[1]!.split('##')[0]!;
    const block = quick.split('```sh')[1]!.split('```')[0]!.trim().split('\n');
    expect(block.map((l) => l.split('#')[0]!.trim())).toEqual(['npm ci && npm run demo', 'npm test']);
  });

  it('reports the package version', () => {
    expect(VERSION).toBe(pkg.version);
  });
});
