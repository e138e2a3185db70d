// When the client stops reading (it closed its end of the server's stdout), the server must not crash with an
// unhandled EPIPE, hang on a write that can never drain, or keep Graph work going for nobody: it aborts the calls in
// flight and exits 0 within 5 s of noticing.
import { describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { baseEnv } from './harness.js';
import { ServerProcess } from '../support/hardening-stdio.js';

const sim = useSimulator({}, { resetEach: true });

const BULK_ACTION = `/beta/deviceManagement/virtualEndpoint/bulkActions/${DEMO_IDS.failedRestart}`;
// The requirement: gone within 5 s of the failed write.
const EXIT_BOUND_MS = 5_000;

async function serverWithStalledCall(): Promise<ServerProcess> {
  // A Graph deadline far beyond the test: only the server's own shutdown can end the stalled request.
  const p = new ServerProcess({
    env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_TIMEOUT_MS: '600000' }),
  });
  await p.send({
    jsonrpc: '2.0',
    id: 'init',
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
  });
  await p.response('init');
  await p.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  sim.faults.add({ kind: 'stall', match: { method: 'GET', path: BULK_ACTION } });
  await p.send({
    jsonrpc: '2.0',
    id: 'stalled',
    method: 'tools/call',
    params: { name: 'get_cloudpc_bulk_action', arguments: { bulkActionId: DEMO_IDS.failedRestart } },
  });
  await waitFor(() => sim.requests.some((r) => r.path === BULK_ACTION));
  return p;
}

describe('the client stops reading stdout', () => {
  it('mid-call: the next write fails with EPIPE, the stalled Graph request is abandoned and the server exits 0 within 5 s', async () => {
    const p = await serverWithStalledCall();
    p.child.stdout.destroy();
    // Anything the server must answer makes it write, and so find out that nobody reads any more.
    await p.send({ jsonrpc: '2.0', id: 'ping', method: 'ping' });
    const exit = await p.waitForExit(EXIT_BOUND_MS);
    expect(exit.code).toBe(0);
    expect(p.stderr()).toMatch(/shutting down \(stdout failed \(EPIPE\)\)/);
    expect(p.stderr()).not.toMatch(/Unhandled|uncaught|at .*\(.*:\d+:\d+\)/i);
    // The server itself closed its connection to Graph: the call was aborted, not left running.
    expect(sim.requests.find((r) => r.path === BULK_ACTION)?.closedByClient).toBe(true);
  });

  it('the client closes stdin too (it went away): the server exits 0 within 5 s with a call still in flight', async () => {
    const p = await serverWithStalledCall();
    p.child.stdout.destroy();
    p.endInput();
    const exit = await p.waitForExit(EXIT_BOUND_MS);
    expect(exit.code).toBe(0);
    expect(sim.requests.find((r) => r.path === BULK_ACTION)?.closedByClient).toBe(true);
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('condition not reached');
}
