// The project carries its own facts (docs/graph.md and the other docs, with citations): nothing in src/, docs/, test/
// or the top-level pages points at notes outside the repository, which a reader of the repository cannot open.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SKIP = new Set(['node_modules', 'tooling', 'dist', 'build']);
// Built from parts so this file does not match itself.
const POINTERS = [
  new RegExp(['graph', 'facts'].join('-'), 'i'),
  new RegExp(String.raw`\.\./` + 'shared' + String.raw`\b`),
  new RegExp(String.raw`(?:^|[\s("'\x60])/work/`),
  new RegExp('shared' + String.raw`/reference\b`),
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return SKIP.has(name) ? [] : files(full);
    return /\.(ts|mts|mjs|js|md|json|yml|html|css)$/.test(name) ? [full] : [];
  });
}

describe('no pointer outside the repository', () => {
  const scanned = [
    ...['src', 'docs', 'test'].flatMap((d) => files(path.join(ROOT, d))),
    path.join(ROOT, 'README.md'),
    path.join(ROOT, 'SECURITY.md'),
  ];

  it('scans the sources, docs and tests', () => {
    expect(scanned.length).toBeGreaterThan(100);
  });

  it('no file names a notes file or folder outside the repository', () => {
    const found = scanned.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          POINTERS.some((p) => p.test(line)) ? [`${path.relative(ROOT, f)}:${i + 1}: ${line.trim().slice(0, 120)}`] : [],
        ),
    );
    expect(found).toEqual([]);
  });
});

describe('docs/graph.md, the project’s own record of Graph', () => {
  const graph = readFileSync(path.join(ROOT, 'docs/graph.md'), 'utf8');

  it('names the history names of every action-type record, and says which have none', async () => {
    const { ACTION_TYPE_RECORDS } = await import('../../src/core/actionTypes.js');
    const section = graph.slice(graph.indexOf('### History names'), graph.indexOf('## The action status report'));
    for (const r of ACTION_TYPE_RECORDS) {
      const row = section.split('\n').find((l) => l.startsWith('|') && new RegExp(`(^\\| |, )${r.type}(,| \\|)`).test(l));
      expect(row, `a row for ${r.type}`).toBeDefined();
      if (r.historyNames.length === 0) expect(row, r.type).toContain('none known');
      else expect(row!.split('|')[2]!.trim().startsWith(`\`${r.historyNames[0]}\``), `${r.type} first name`).toBe(true);
      for (const n of r.historyNames) expect(row, `${r.type}: ${n}`).toContain(`\`${n}\``);
    }
  });
});
