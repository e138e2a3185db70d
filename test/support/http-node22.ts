// The test-only Node 22 tool chain in test/tooling/node22 (installed by `npm test`'s pretest or `npm ci --prefix test/tooling/node22`):
// its own Node binary from the npm registry, the MCP conformance suite and the MCP Inspector, which need Node 22.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../e2e/harness.js';

const TOOLS = path.join(ROOT, 'test/tooling/node22/node_modules');

export const NODE22 = path.join(TOOLS, 'node/bin/node');
export const CONFORMANCE_CLI = path.join(TOOLS, '@modelcontextprotocol/conformance/dist/index.js');
export const INSPECTOR_CLI = path.join(TOOLS, '@modelcontextprotocol/inspector/clients/launcher/build/index.js');

/** Fails with the fix rather than with ENOENT when the tools were never installed. */
export function requireNode22Tools(): void {
  for (const p of [NODE22, CONFORMANCE_CLI, INSPECTOR_CLI]) {
    if (!existsSync(p))
      throw new Error(`${p} is missing: run \`npm run tooling:node22\` (or \`npm ci --prefix test/tooling/node22\`) once.`);
  }
}
