// npm run docs:settings: writes the settings table (src/config/settings.ts) into docs/configuration.md, between the
// markers. test/unit/settingsDoc.test.ts fails whenever the two differ, and names this command.
import { readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const out = await build({
  entryPoints: [new URL('src/config/help.ts', root).pathname],
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'error',
});
const { settingsMarkdownTable } = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
const file = new URL('docs/configuration.md', root);
const doc = readFileSync(file, 'utf8');
const [head, rest] = doc.split('<!-- settings:start -->');
const tail = rest.split('<!-- settings:end -->')[1];
writeFileSync(file, `${head}<!-- settings:start -->\n${settingsMarkdownTable()}\n<!-- settings:end -->${tail}`);
