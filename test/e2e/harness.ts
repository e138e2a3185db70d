// Spawns the built command (package.json bin) and talks to it through the SDK's real stdio client.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The command users run (package.json bin: the bundled build), so every end-to-end test covers what ships.
export const BIN = path.join(ROOT, JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).bin['cloudpc-mcp']);

/**
 * A minimal environment: nothing from the developer's shell (Azure variables, tokens) leaks into a test. The approval
 * page never opens a browser in a test, and a retry waiting for it answers at once unless a test asks it to wait.
 */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    CLOUDPC_MCP_LOG_LEVEL: 'debug',
    CLOUDPC_MCP_APPROVAL_PAGE: 'link',
    CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '0',
    ...extra,
  };
}

export interface Connected {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

export async function connect(opts: {
  env: Record<string, string>;
  args?: string[];
  capabilities?: ClientCapabilities;
}): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, ...(opts.args ?? [])],
    env: opts.env,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const client = new Client({ name: 'cloudpc-mcp-e2e', version: '1.0.0' }, { capabilities: opts.capabilities ?? {} });
  await client.connect(transport);
  return {
    client,
    stderr: () => err,
    close: () => client.close(),
  };
}

export function textOf(result: { content?: unknown }): string {
  const content = (result.content ?? []) as { type: string; text?: string }[];
  return content
    .filter((c) => c.type === 'text')
    .map((c) => c.text ?? '')
    .join('\n');
}
