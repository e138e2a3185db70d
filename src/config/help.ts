// `--help` and the configuration table of the docs, both from the settings table.
import { COMMANDS } from './commandLine.js';
import { SETTINGS } from './settings.js';

export function helpText(): string {
  const rows = SETTINGS.map((s) => `  ${(s.flag ?? '').padEnd(24)} ${s.env.padEnd(34)} ${s.doc} Default: ${s.def}.`);
  return [
    'cloudpc-mcp: an MCP server (stdio, or Streamable HTTP with --transport http) that retries Windows 365 Cloud PC bulk actions through Microsoft Graph.',
    '',
    `Usage: cloudpc-mcp [${COMMANDS.join('|')}] [options]`,
    '',
    '  flag                     environment variable               meaning',
    ...rows,
    '  -h, --help               show this help',
    '  -v, --version            print the version',
  ].join('\n');
}

/** The Markdown table the configuration docs carry; a test fails when the docs differ from it. */
export function settingsMarkdownTable(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| flag | environment variable | default | meaning |',
    '|---|---|---|---|',
    ...SETTINGS.map((s) => `| ${s.flag ? `\`${s.flag}\`` : ''} | \`${s.env}\` | ${cell(s.def)} | ${cell(s.doc)} |`),
  ].join('\n');
}
