// `npm run bench`, round trips: what an admin waits for on a real tenant is round trips (100–300 ms each), not CPU.
// Each question runs through a Graph stand-in that answers every request after a fixed delay and counts the depth of
// dependent request waves (test/support/waveStandIn.mjs), and is checked against issue 17's goals.
import { waveStandIn } from '../test/support/waveStandIn.mjs';

const DELAY_MS = 40;

/** One tool call on a fresh server process whose Graph is the delaying stand-in in front of the simulator. */
async function question({ rpcChild, BIN }, sim, env, name, args) {
  const standIn = await waveStandIn(sim.url, DELAY_MS);
  const c = rpcChild([BIN], {
    CLOUDPC_MCP_GRAPH_URL: standIn.url,
    CLOUDPC_MCP_ACCESS_TOKEN: sim.token,
    CLOUDPC_MCP_LOG_LEVEL: 'warn',
    ...env,
  });
  try {
    await c.call('initialize', c.init);
    c.notify('notifications/initialized');
    await c.call('tools/list', {});
    await new Promise((r) => setTimeout(r, 1000)); // the full server loads in the background after tools/list
    standIn.reset();
    const r = await c.call('tools/call', { name, arguments: args });
    if (!r.result || r.result.isError) throw new Error(`${name} failed: ${JSON.stringify(r).slice(0, 400)}`);
    return { waves: standIn.waves(), requests: standIn.requests().length };
  } finally {
    c.child.kill();
    await new Promise((r) => c.child.once('exit', r));
    await standIn.close();
  }
}

export async function runRoundTrips(deps) {
  const { startSimulator, DEMO_IDS, LARGE_IDS } = deps;
  const rows = [];
  const demo = await startSimulator({ progressMs: 10 });
  try {
    rows.push([
      'which PCs failed (get_cloudpc_bulk_action, no reason look-ups)',
      1,
      await question(deps, demo, { CLOUDPC_MCP_MAX_REASON_LOOKUPS: '0' }, 'get_cloudpc_bulk_action', {
        bulkActionId: DEMO_IDS.failedRestart,
      }),
    ]);
    demo.reset();
    rows.push([
      'which PCs failed and why (get_cloudpc_bulk_action, 3 failed)',
      2,
      await question(deps, demo, {}, 'get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart }),
    ]);
    demo.reset();
    rows.push([
      'retry of chosen ids (read, then send)',
      2,
      await question(deps, demo, {}, 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.carolPc] }),
    ]);
  } finally {
    await demo.close();
  }
  const large = await startSimulator({ seed: 'large', pageSize: 100 });
  try {
    rows.push([
      'which PCs failed and why: 5,000 devices, 2,000 failed (onlyFailed)',
      8,
      await question(deps, large, {}, 'get_cloudpc_bulk_action', { bulkActionId: LARGE_IDS.bigReprovision, onlyFailed: true }),
    ]);
  } finally {
    await large.close();
  }
  return {
    delayMs: DELAY_MS,
    answers: rows.map(([what, goal, m]) => ({ what, goal, roundTrips: m.waves, requests: m.requests })),
    table: [
      `Round trips per answer (a Graph stand-in answering every request after ${DELAY_MS} ms; a round trip is one wave of requests sent together):`,
      '',
      '| answer | round trips | goal | Graph requests |',
      '|---|---|---|---|',
      ...rows.map(([what, goal, m]) => `| ${what} | ${m.waves} | ≤ ${goal} | ${m.requests} |`),
    ],
    goals: rows.map(([what, goal, m]) => [`round trips, ${what}: ≤ ${goal}`, m.waves <= goal, `${m.waves}`]),
  };
}
