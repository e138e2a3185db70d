// The commands the README and the docs show must work as written from a clone after the Quick start: the command is
// spelled `npx cloudpc-mcp …` (bare `cloudpc-mcp` does not exist there; test/e2e/terminal.test.ts runs the npx form),
// and every flag and command shown is one the command line accepts.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/config/commandLine.js';

const PAGES = [
  'README.md',
  'SECURITY.md',
  ...readdirSync(new URL('../../docs', import.meta.url))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Commands as a reader would copy them: lines of sh code blocks, and inline code spans. Output samples are skipped. */
function commandsIn(page: string): string[] {
  const text = readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8');
  const blocks = [...text.matchAll(/```(sh|bash|shell)\n([\s\S]*?)```/g)].flatMap((m) => m[2]!.split('\n'));
  const prose = text.replace(/```[\s\S]*?```/g, '');
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  return [...blocks, ...spans].map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
}

describe.each(PAGES)('%s', (page) => {
  const commands = commandsIn(page);

  it('never shows a bare `cloudpc-mcp …` command, which a clone does not have', () => {
    expect(commands.filter((c) => /(^|&&\s*|;\s*)cloudpc-mcp\s/.test(c))).toEqual([]);
  });

  it('shows only flags and commands that the command line accepts', () => {
    const shown = commands.flatMap((c) => [...c.matchAll(/npx cloudpc-mcp((?:\s+[^\s|&;<>]+)*)/g)].map((m) => m[1]!.trim()));
    // `npx cloudpc-mcp …` stands for any command.
    const refused = shown
      .filter((args) => args !== '…')
      .map((args) => [args, parseCommandLine(args ? args.split(/\s+/) : []).problems] as const)
      .filter(([, p]) => p.length);
    expect(refused).toEqual([]);
  });
});
