// The MCP Apps view as one HTML document: the shared style sheet, a root element, and the view script bundled by
// scripts/build.mjs into dist/view.js. It is read from disk the first time a host asks for the view, not loaded with
// the server: most sessions never render it. Tests that import the sources read build/dev/view.js.
import { readFileSync } from 'node:fs';
import { VIEW_CSS } from './viewHtml.js';

/** Where the bundled server finds the view script, relative to its own chunk (scripts/build.mjs defines it). */
declare const __CLOUDPC_VIEW_PATH__: string | undefined;

let doc: string | undefined;

function viewScript(): string {
  const where = typeof __CLOUDPC_VIEW_PATH__ === 'string' ? __CLOUDPC_VIEW_PATH__ : '../../build/dev/view.js';
  try {
    return readFileSync(new URL(where, import.meta.url), 'utf8');
  } catch {
    return "document.getElementById('app').textContent='The view script is not built: run npm run build.';";
  }
}

export function viewDocument(): string {
  // A literal "</script" inside the script would end the element early.
  doc ??=
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>Bulk action</title><style>${VIEW_CSS}</style></head><body><main id="app"><p class="empty">Waiting for the result…</p></main>` +
    `<script>${viewScript().replace(/<\/script/gi, '<\\/script')}</script></body></html>`;
  return doc;
}
