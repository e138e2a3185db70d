// Build step (bundled by scripts/build.mjs, then run): records what the real server answers to initialize and
// tools/list and prompts/list (full and read-only), so the stdio command can give those answers before loading the server.
import { mkdirSync, writeFileSync } from 'node:fs';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../src/config/config.ts';
import { createDeps } from '../src/mcp/deps.ts';
import { createServer } from '../src/mcp/server.ts';
import { silentLogger } from '../src/core/log.ts';
import { UI_EXTENSION, VIEW_MIME_TYPE } from '../src/core/mcpApps.ts';

async function record(env, capabilities = {}) {
  const r = loadConfig([], env);
  if (!r.ok) throw new Error('default configuration should be valid');
  const server = createServer({ deps: createDeps({ config: r.config, logger: silentLogger }) });
  const [client, serverSide] = InMemoryTransport.createLinkedPair();
  const answers = new Map();
  client.onmessage = (m) => answers.set(m.id, m);
  await server.connect(serverSide);
  await client.start();
  await client.send({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: SUPPORTED_PROTOCOL_VERSIONS[0], capabilities, clientInfo: { name: 'build', version: '0' } },
  });
  await client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await client.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  await client.send({ jsonrpc: '2.0', id: 3, method: 'prompts/list' });
  for (let i = 0; i < 100 && answers.size < 3; i++) await new Promise((r) => setTimeout(r, 5));
  await server.close();
  const init = answers.get(1)?.result;
  const list = answers.get(2)?.result;
  const prompts = answers.get(3)?.result;
  if (!init || !list || !prompts) throw new Error('the server did not answer initialize, tools/list and prompts/list');
  const { protocolVersion: _v, ...initialize } = init;
  return { initialize, tools: list.tools, prompts: prompts.prompts };
}

const views = { extensions: { [UI_EXTENSION]: { mimeTypes: [VIEW_MIME_TYPE] } } };
const full = await record({});
const readOnly = await record({ CLOUDPC_MCP_READ_ONLY: 'true' });
const fullApp = await record({}, views);
const readOnlyApp = await record({ CLOUDPC_MCP_READ_ONLY: 'true' }, views);
// One file per answer, so the command reads only what the client it serves asks for (a client that renders no views
// never reads the listings for those that do).
const dir = process.argv[2];
mkdirSync(dir, { recursive: true });
const files = {
  initialize: { protocolVersions: [...SUPPORTED_PROTOCOL_VERSIONS], initialize: full.initialize },
  'tools.full': full.tools,
  'tools.readOnly': readOnly.tools,
  'tools.fullApp': fullApp.tools,
  'tools.readOnlyApp': readOnlyApp.tools,
  'prompts.full': full.prompts,
  'prompts.readOnly': readOnly.prompts,
};
for (const [name, value] of Object.entries(files)) writeFileSync(`${dir}/${name}.json`, JSON.stringify(value));
