// What the README and the docs state must be what the code does: every link leads somewhere, every script and setting
// they name exists, and the lists they give (tools, prompts, audit outcomes, /healthz, approved install scripts) are
// the code's own. The settings table and the shown commands have tests of their own (settingsDoc, docsCommands).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config/settings.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { retryOutput } from '../../src/tools/retry/resultShape.js';
import { ALL_PROMPTS } from '../../src/prompts/index.js';

const ROOT = new URL('../../', import.meta.url);
const PAGES = [
  'README.md',
  'SECURITY.md',
  ...readdirSync(new URL('docs', ROOT))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (page: string) => readFileSync(new URL(page, ROOT), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; allowScripts: Record<string, boolean> };

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(page: string): Set<string> {
  const text = read(page).replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));
}

describe('README', () => {
  it('stays short: at most about 200 lines, the rest in docs/', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(200);
  });

  it('lists every tool the model is offered, with its kind', () => {
    const rows = [...read('README.md').matchAll(/^\| `(\w+)` \| (read-only|destructive|write) \|/gm)].map((m) => [m[1], m[2]]);
    // The view's app-only decision tool is hidden from the model: it is not a tool an admin asks for.
    const offered = ALL_TOOLS.filter((t) => !(t.visibility && !t.visibility.includes('model'))).map((t) => [
      t.name,
      t.kind === 'read' ? 'read-only' : t.kind,
    ]);
    expect(rows).toEqual(offered);
  });
});

describe.each(PAGES)('%s', (page) => {
  const text = read(page);
  const prose = text.replace(/```[\s\S]*?```/g, '');

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const [, target] of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:)/.test(target!)) continue;
      const [file, anchor] = target!.split('#');
      const resolved = file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), file)) : page;
      if (!existsSync(new URL(resolved, ROOT))) broken.push(`${target}: no file ${resolved}`);
      else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor))
        broken.push(`${target}: no heading #${anchor} in ${resolved}`);
    }
    expect(broken).toEqual([]);
  });

  it('names only npm scripts that exist', () => {
    const named = [...text.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(named.filter((s) => !(s in pkg.scripts))).toEqual([]);
  });

  it("names only the server's own settings", () => {
    const known = new Set(SETTINGS.map((s) => s.env));
    const named = [...new Set([...text.matchAll(/\bCLOUDPC_MCP_[A-Z0-9_]+/g)].map((m) => m[0]))];
    expect(named.filter((n) => !known.has(n))).toEqual([]);
  });

  it('shows /healthz answering with its version', () => {
    for (const [body] of text.matchAll(/\{"status":"(ok|draining)"[^}]*\}/g)) expect(body, body).toMatch(/"version":/);
  });
});

describe('lists the docs give', () => {
  it('docs/remote.md names every audit outcome there is', () => {
    const statuses = (retryOutput.status as unknown as { options: string[] }).options;
    const section = read('docs/remote.md').split('## Audit and logs')[1]!.split('\n## ')[0]!;
    const named = new Set([...section.matchAll(/`(\w+)`/g)].map((m) => m[1]!));
    expect([...statuses, 'ok', 'error', 'refused'].filter((o) => !named.has(o))).toEqual([]);
  });

  it('docs/clients.md lists exactly the prompts', () => {
    const section = read('docs/clients.md').split('## Prompts')[1]!;
    const rows = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual(ALL_PROMPTS.map((p) => p.name));
  });

  it('docs/sign-in.md explains every install script package.json allows or denies', () => {
    const paragraph = read('docs/sign-in.md').split('`allowScripts`')[1]!.split('\n\n')[0]!;
    expect(Object.keys(pkg.allowScripts).filter((name) => !paragraph.includes(`\`${name}\``))).toEqual([]);
  });
});
