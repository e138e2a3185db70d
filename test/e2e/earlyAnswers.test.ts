// The command answers initialize and tools/list before the full server is loaded. Those answers must be exactly what
// the full server would have said, for every protocol version and in read-only mode, or clients would see two servers.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../../src/config/config.js';
import { createDeps } from '../../src/mcp/deps.js';
import { silentLogger } from '../../src/core/log.js';
import { createServer } from '../../src/mcp/server.js';
import path from 'node:path';
import { BIN, ROOT, baseEnv } from './harness.js';

type Msg = { id?: number; result?: unknown; error?: unknown };

async function fullServerAnswers(
  env: Record<string, string>,
  protocolVersion: string,
  capabilities: Record<string, unknown>,
): Promise<Map<number, Msg>> {
  const r = loadConfig([], env);
  const server = createServer({ deps: createDeps({ config: r.ok ? r.config : r.fallback, logger: silentLogger }) });
  const [client, serverSide] = InMemoryTransport.createLinkedPair();
  const answers = new Map<number, Msg>();
  client.onmessage = (m) => answers.set((m as Msg).id!, m as Msg);
  await server.connect(serverSide);
  await client.start();
  await client.send({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion, capabilities, clientInfo: { name: 't', version: '1' } },
  });
  await client.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  await client.send({ jsonrpc: '2.0', id: 4, method: 'prompts/list' });
  for (let i = 0; i < 200 && answers.size < 3; i++) await new Promise((r) => setTimeout(r, 5));
  await server.close();
  return answers;
}

async function commandAnswers(
  env: Record<string, string>,
  protocolVersion: string,
  capabilities: Record<string, unknown>,
  command: string[] = [BIN],
): Promise<{ answers: Map<number, Msg>; stdout: string }> {
  const child = spawn(process.execPath, command, { env: baseEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stdin.write(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion, capabilities, clientInfo: { name: 't', version: '1' } },
    }) + '\n',
  );
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) + '\n');
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'prompts/list' }) + '\n');
  // A call only the full server can answer: the early answers must not be followed by a second answer to 1 or 2.
  child.stdin.write(
    JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_cloud_pcs', arguments: { limit: 0 } } }) + '\n',
  );
  for (let i = 0; i < 1000 && !(out.includes('"id":3') && out.includes('"id":4')); i++) await new Promise((r) => setTimeout(r, 10));
  child.stdin.end();
  await new Promise((r) => child.on('exit', r));
  const answers = new Map<number, Msg>();
  for (const line of out.split('\n').filter(Boolean)) {
    const m = JSON.parse(line) as Msg;
    expect(answers.has(m.id!), `only one answer to id ${m.id}`).toBe(false);
    answers.set(m.id!, m);
  }
  return { answers, stdout: out };
}

// A host that renders MCP Apps views gets another tool list (view metadata, the view's app-only tool).
const VIEWS = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } };
const CLIENTS: [string, Record<string, unknown>][] = [
  ['plain', {}],
  ['views', VIEWS],
  ['views of another MIME type', { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html'] } } }],
];

describe('early answers', () => {
  it.each(
    [...SUPPORTED_PROTOCOL_VERSIONS, '1999-01-01'].flatMap((v) =>
      CLIENTS.flatMap(([name, caps]) => [[v, false, name, caps] as const, [v, true, name, caps] as const]),
    ),
  )(
    'protocol %s, read-only %s, %s client: initialize, tools/list and prompts/list equal the full server, each answered once',
    async (version, readOnly, _client, capabilities) => {
      const env: Record<string, string> = {
        CLOUDPC_MCP_ACCESS_TOKEN: 'early-answers-token',
        ...(readOnly ? { CLOUDPC_MCP_READ_ONLY: 'true' } : {}),
      };
      const [full, cmd] = await Promise.all([fullServerAnswers(env, version, capabilities), commandAnswers(env, version, capabilities)]);
      expect(cmd.answers.get(1)).toEqual(full.get(1));
      expect(cmd.answers.get(2)).toEqual(full.get(2));
      // Only a host that renders views is offered the view's app-only tool.
      expect(JSON.stringify(cmd.answers.get(2)).includes('decide_cloudpc_retry_plan')).toBe(capabilities === VIEWS && !readOnly);
      expect(cmd.answers.get(4)).toEqual(full.get(4));
      expect((cmd.answers.get(4)?.result as { prompts: unknown[] }).prompts.length).toBeGreaterThan(0);
      expect(cmd.answers.get(3)?.result ?? cmd.answers.get(3)?.error).toBeDefined();
    },
  );

  // An MCP client that starts the command with nothing but on/off flags is answered before the rest of the configuration
  // is read (src/bin.ts); any other command line is read whole first. Both must answer as the full server does.
  it.each([
    ['--read-only as a flag (answered before the configuration is read)', [BIN, '--read-only'], {}, true],
    ['--simulate and --read-only', [BIN, '--simulate', '--read-only'], {}, true],
    ['a flag with a value (the configuration is read first)', [BIN, '--log-level=warn'], { CLOUDPC_MCP_READ_ONLY: 'yes' }, true],
    ['a mistake in the command line (the configuration is read first)', [BIN, '--readonly'], {}, false],
    ['CLOUDPC_MCP_READ_ONLY=maybe (not yes or no: read first, not read-only)', [BIN], { CLOUDPC_MCP_READ_ONLY: 'maybe' }, false],
    ["dist/cloudpc-mcp.js, the command's former path", [path.join(ROOT, 'dist/cloudpc-mcp.js'), '--read-only'], {}, true],
  ] as const)("started with %s: the listings are the full server's", async (_name, command, extra, readOnly) => {
    const env = { CLOUDPC_MCP_ACCESS_TOKEN: 'early-answers-token', ...extra };
    const fullEnv = { ...env, ...(readOnly ? { CLOUDPC_MCP_READ_ONLY: 'true' } : {}) };
    for (const capabilities of [{}, VIEWS]) {
      const [full, cmd] = await Promise.all([
        fullServerAnswers(fullEnv, '2025-06-18', capabilities),
        commandAnswers(env, '2025-06-18', capabilities, [...command]),
      ]);
      expect(cmd.answers.get(1)).toEqual(full.get(1));
      expect(cmd.answers.get(2)).toEqual(full.get(2));
      const names = (cmd.answers.get(2)?.result as { tools: { name: string }[] }).tools.map((t) => t.name);
      expect(names.includes('retry_cloudpc_bulk_action')).toBe(!readOnly);
      expect(cmd.answers.get(4)).toEqual(full.get(4));
    }
  });
});
