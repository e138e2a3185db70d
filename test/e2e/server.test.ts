// Process-level behaviour: stdout purity, secrets, configuration mistakes, --simulate, shutdown.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS, startSimulator } from '../../src/simulator/index.js';
import { useSimulator } from '../support/simulator.js';
import { BIN, baseEnv, connect, textOf } from './harness.js';

const sim = useSimulator();

/** Raw JSON-RPC over the child's stdio, so every byte it writes to stdout can be inspected. */
async function rawSession(env: Record<string, string>, messages: object[], expectResponses: number) {
  const child = spawn(process.execPath, [BIN], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  for (const m of messages) child.stdin.write(JSON.stringify(m) + '\n');
  const responses = () => out.split('\n').filter((l) => l.includes('"id"')).length;
  for (let i = 0; i < 1000 && responses() < expectResponses; i++) await new Promise((r) => setTimeout(r, 10));
  child.stdin.end();
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  return { out, err, code };
}

const init = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };

describe('the stdio server process', () => {
  it('writes only JSON-RPC messages to stdout, never the token anywhere, and exits cleanly when stdin closes', async () => {
    const token = sim.token;
    const { out, err, code } = await rawSession(
      baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: token, CLOUDPC_MCP_LOG_LEVEL: 'debug' }),
      [
        init,
        initialized,
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        {
          jsonrpc: '2.0',
          id: 3,
          method: 'tools/call',
          params: { name: 'retry_cloudpc_bulk_action', arguments: { bulkActionId: DEMO_IDS.failedRestart } },
        },
        { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'retry_cloudpc_bulk_action', arguments: { bulkActionId: 'nope' } } },
        { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } },
      ],
      5,
    );
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const l of lines) expect(JSON.parse(l)).toMatchObject({ jsonrpc: '2.0' });
    expect(out + err).not.toContain(token);
    expect(err).toMatch(/\[cloudpc-mcp\]/);
    const unknown = lines.map((l) => JSON.parse(l)).find((m) => m.id === 5);
    expect(unknown.error.message).toMatch(/Unknown tool "no_such_tool".*retry_cloudpc_bulk_action/);
    expect(code).toBe(0);
  });

  it('an expired or wrong token: a 401 with a sign-in hint, and the token is not echoed', async () => {
    const c = await connect({ env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: 'eyJwrong.token.value' }) });
    try {
      const r = (await c.client.callTool({
        name: 'retry_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedRestart },
      })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/401/);
      expect(textOf(r)).toMatch(/sign|token/i);
      expect(textOf(r) + c.stderr()).not.toContain('eyJwrong.token.value');
    } finally {
      await c.close();
    }
  });

  it('an app-only token: reads work, a retry is refused before it is sent, with the delegated fix', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const appToken = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ aud: 'https://graph.microsoft.com', roles: ['CloudPC.Read.All'], exp: Math.floor(Date.now() / 1000) + 3600, tid: 't' })}.sig`;
    const appSim = await startSimulator({ token: appToken });
    const c = await connect({ env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: appSim.url, CLOUDPC_MCP_ACCESS_TOKEN: appToken }) });
    try {
      const list = (await c.client.callTool({ name: 'list_cloudpc_bulk_actions', arguments: { limit: 1 } })) as CallToolResult;
      expect(list.isError).toBeFalsy();
      const r = (await c.client.callTool({
        name: 'retry_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedRestart },
      })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/Not sent: .*application.*delegated/s);
      expect(appSim.requests.filter((q) => q.method === 'POST')).toHaveLength(0);
      expect(textOf(r) + c.stderr()).not.toContain(appToken);
    } finally {
      await c.close();
      await appSim.close();
    }
  });

  it('a configuration mistake reaches the chat as a tool result naming the setting and the fix', async () => {
    const before = sim.requests.length;
    const c = await connect({
      env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: 'http://graph.example.com', CLOUDPC_MCP_ACCESS_TOKEN: 'x', CLOUDPC_MCP_CLOUD: 'mars' }),
    });
    try {
      const { tools } = await c.client.listTools();
      expect(tools.map((t) => t.name)).toContain('retry_cloudpc_bulk_action');
      const r = (await c.client.callTool({ name: 'list_cloudpc_bulk_actions', arguments: {} })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/misconfigured/);
      expect(textOf(r)).toMatch(/CLOUDPC_MCP_CLOUD.*"mars"/);
      expect(textOf(r)).toMatch(/CLOUDPC_MCP_GRAPH_URL.*https:\/\/graph\.example\.com/);
      expect(c.stderr()).toMatch(/configuration: CLOUDPC_MCP_CLOUD/);
      expect(sim.requests.length).toBe(before);
    } finally {
      await c.close();
    }
  });

  it('--simulate needs no tenant and no sign-in, and its results say they are simulated', async () => {
    const c = await connect({ env: baseEnv(), args: ['--simulate'] });
    try {
      const r = (await c.client.callTool({
        name: 'retry_cloudpc_bulk_action',
        arguments: { bulkActionId: DEMO_IDS.failedRestart },
      })) as CallToolResult;
      expect(r.structuredContent).toMatchObject({ status: 'accepted', simulated: true });
      expect(textOf(r)).toMatch(/simulated/);
    } finally {
      await c.close();
    }
  });

  it('--help prints the settings table and exits', async () => {
    const child = spawn(process.execPath, [BIN, '--help'], { env: baseEnv() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(out).toMatch(/CLOUDPC_MCP_GRAPH_URL/);
    expect(out).toMatch(/CLOUDPC_MCP_CLOUD/);
  });

  it('SIGTERM during a stalled call: the process exits promptly and cleanly', async () => {
    sim.reset();
    sim.faults.add({ kind: 'stall', match: { method: 'POST' } });
    const child = spawn(process.execPath, [BIN], {
      env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stdin.write(JSON.stringify(init) + '\n' + JSON.stringify(initialized) + '\n');
    child.stdin.write(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'retry_cloudpc_bulk_action', arguments: { bulkActionId: DEMO_IDS.failedRestart } },
      }) + '\n',
    );
    for (let i = 0; i < 500 && !sim.requests.some((r) => r.method === 'POST'); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('exit', (c, sig) => r(c ?? sig)));
    expect(code).toBe(0);
    for (const l of out.split('\n').filter(Boolean)) expect(JSON.parse(l).jsonrpc).toBe('2.0');
    sim.reset();
  });
});
