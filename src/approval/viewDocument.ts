// The MCP Apps view as one HTML document: the shared style sheet, a root element, and the view script bundled by
// scripts/build.mjs (which defines __CLOUDPC_VIEW_SCRIPT__). Tests that import the sources read the built script.
import { readFileSync } from 'node:fs';
import { VIEW_CSS } from './render.js';

declare const __CLOUDPC_VIEW_SCRIPT__: string | undefined;

let doc: string | undefined;

function viewScript(): string {
  if (typeof __CLOUDPC_VIEW_SCRIPT__ === 'string') return __CLOUDPC_VIEW_SCRIPT__;
  try {
    return readFileSync(new URL('../../build/dev/view.js', import.meta.url), 'utf8');
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
