// `npm run bench`: start-up and call overhead of the built server, side by side with floors measured in the same run.
// Not a test: it prints figures and checks them against the performance goals, and writes bench/results.json.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const BIN = path.join(root, pkg.bin['cloudpc-mcp']);
const { startSimulator, DEMO_IDS, LARGE_IDS, LARGE_SHAPE } = await import(path.join(root, 'build/dev/simulator-lib.js'));
const { runLargeTenant, memoryMiB } = await import(path.join(root, 'bench/largeTenant.mjs'));
const { runReplicas } = await import(path.join(root, 'bench/replicas.mjs'));
const { measureCallOverhead, callOverheadRows } = await import(path.join(root, 'bench/callOverhead.mjs'));
const { runRoundTrips } = await import(path.join(root, 'bench/roundTrips.mjs'));

const quick = process.argv.includes('--quick');
const COLD_RUNS = quick ? 7 : 21;
const SEQ_CALLS = quick ? 300 : 2000;
const ROUNDS = quick ? 3 : 5;
const LOAD_CALLS = 3000;
const IN_FLIGHT = 32;
const AGENT_POOL = 16; // src/graph/client.ts: connections per origin of the client's own Agent

const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
const ms = (x) => Math.round(x * 100) / 100;

// The floor: a bare Node.js process that answers JSON-RPC lines, written here so both start the same way. CommonJS, the
// quickest way Node starts: the same file as an ES module starts ~3.5 ms later (Node 20), which would flatter the ratio.
const floorDir = mkdtempSync(path.join(tmpdir(), 'cloudpc-bench-'));
const FLOOR = path.join(floorDir, 'floor.cjs');
writeFileSync(
  FLOOR,
  `process.stdin.setEncoding('utf8');let b='';process.stdin.on('data',(d)=>{b+=d;let i;while((i=b.indexOf('\\n'))>=0){const l=b.slice(0,i);b=b.slice(i+1);if(!l)continue;const m=JSON.parse(l);if(m.id!==undefined)process.stdout.write(JSON.stringify({jsonrpc:'2.0',id:m.id,result:m.method==='tools/list'?{tools:[]}:{}})+'\\n');}});`,
);

/** A minimal JSON-RPC client over a child's stdio: the client's own cost stays out of the figures. */
function rpcChild(args, env) {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map();
  let buf = '';
  let nextId = 1;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line) continue;
      const msg = JSON.parse(line);
      const w = waiting.get(msg.id);
      if (w) {
        waiting.delete(msg.id);
        w(msg);
      }
    }
  });
  const call = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  const notify = (method) => child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method }) + '\n');
  const init = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } };
  return { child, call, notify, init };
}

/**
 * One retry of Bob's PC over the server's stdio, timed from request written to answer read. includeNotFailed: the
 * send path is measured (Bob's PC stops being failed after the first retry; without it the server would, rightly,
 * send nothing and answer nothingToRetry). The large-tenant run measures the reading paths.
 */
function timedRetry(c) {
  const args = { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.bobPc], includeNotFailed: true };
  return async () => {
    const t0 = performance.now();
    const r = await c.call('tools/call', { name: 'retry_cloudpc_bulk_action', arguments: args });
    const t = performance.now() - t0;
    if (!r.result || r.result.isError) throw new Error(`retry failed: ${JSON.stringify(r).slice(0, 400)}`);
    return t;
  };
}

/** Spawn to the tools/list answer, in the order an MCP client (the SDK's) sends: initialize, its answer, then the rest. */
async function coldStart(args, env) {
  const t0 = performance.now();
  const c = rpcChild(args, env);
  const init = await c.call('initialize', c.init);
  c.notify('notifications/initialized');
  const list = await c.call('tools/list', {});
  const t = performance.now() - t0;
  if (!init.result || !list.result) throw new Error(`initialize or tools/list failed: ${JSON.stringify([init, list])}`);
  c.child.kill();
  await new Promise((r) => c.child.once('exit', r));
  return t;
}

const results = { machine: { node: process.version, platform: process.platform, arch: process.arch }, quick };
const out = (s = '') => process.stdout.write(s + '\n');

// `npm run bench -- --large-only`: only the large-tenant run (section 6), printed; bench/results.json is left alone.
if (process.argv.includes('--large-only')) {
  const large = await runLargeTenant({ startSimulator, rpcChild, BIN, LARGE_IDS, LARGE_SHAPE });
  for (const line of large.table) out(line);
  out('');
  for (const [goal, met, value] of large.goals) out(`${met ? 'met ' : 'MISS'}  ${goal}: ${value}`);
  process.exit(large.goals.every(([, met]) => met) ? 0 : 1);
}

// `npm run bench -- --round-trips-only [--bin path/to/cloudpc-mcp.cjs]`: only the round trips (section 7), printed; --bin
// measures another build (an older one, for a before/after).
if (process.argv.includes('--round-trips-only')) {
  const bin = process.argv.includes('--bin') ? path.resolve(process.argv[process.argv.indexOf('--bin') + 1]) : BIN;
  const trips = await runRoundTrips({ startSimulator, rpcChild, BIN: bin, DEMO_IDS, LARGE_IDS });
  for (const line of trips.table) out(line);
  out('');
  for (const [goal, met, value] of trips.goals) out(`${met ? 'met ' : 'MISS'}  ${goal}: ${value}`);
  process.exit(trips.goals.every(([, met]) => met) ? 0 : 1);
}

// 1. Cold start, interleaved so machine noise hits every variant alike.
{
  const variants = {
    floor: { args: [FLOOR], env: {} },
    withToken: { args: [BIN], env: { CLOUDPC_MCP_ACCESS_TOKEN: 'bench-token', CLOUDPC_MCP_LOG_LEVEL: 'warn' } },
    noCredential: { args: [BIN], env: { CLOUDPC_MCP_LOG_LEVEL: 'warn' } },
  };
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < COLD_RUNS; i++) for (const [k, v] of Object.entries(variants)) times[k].push(await coldStart(v.args, v.env));
  results.coldStart = Object.fromEntries(Object.entries(times).map(([k, t]) => [k, ms(median(t))]));
  results.coldStart.ratioWithToken = ms(results.coldStart.withToken / results.coldStart.floor);
  results.coldStart.ratioNoCredential = ms(results.coldStart.noCredential / results.coldStart.floor);
  // `npm run bench -- --cold-only`: only the cold start, printed (for work on start-up).
  if (process.argv.includes('--cold-only')) {
    out(JSON.stringify(results.coldStart));
    process.exit(0);
  }
}

// 2. Call overhead: the server's own time per retry, against the same Graph requests sent directly (callOverhead.mjs).
results.callOverhead = await measureCallOverhead({
  root,
  BIN,
  rpcChild,
  userAgent: `cloudpc-mcp/${pkg.version}`,
  seqCalls: SEQ_CALLS,
  rounds: ROUNDS,
  warmup: quick ? 300 : 1000,
  cases: [
    // Dave's PC fails again on every retry: the server reads the action and its failed devices, then sends.
    {
      name: 'chosenIds',
      label: 'retry of chosen ids',
      args: { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.davePc] },
      minRequests: 2,
    },
    // The admin insists on an id: remembered facts suffice, one POST.
    {
      name: 'insisted',
      label: 'retry insisting on an id',
      args: { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.bobPc], includeNotFailed: true },
      minRequests: 1,
    },
  ],
});
// `npm run bench -- --calls-only`: only the call overhead (after the cold start), printed (for work on the call path).
if (process.argv.includes('--calls-only')) {
  for (const line of callOverheadRows(results.callOverhead, SEQ_CALLS, ROUNDS)) out(line);
  process.exit(0);
}

// 3-5. Load, memory and a 5,000-id retry, against a simulator in this process (it counts the server's connections).
const sim = await startSimulator({ progressMs: 10 });
try {
  const c = rpcChild([BIN], { CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, CLOUDPC_MCP_LOG_LEVEL: 'warn' });
  await c.call('initialize', c.init);
  c.notify('notifications/initialized');
  await c.call('tools/list', {});
  await new Promise((r) => setTimeout(r, 1000)); // the full server loads in the background after tools/list
  results.rssAfterStartMiB = memoryMiB(c.child.pid, 'VmRSS');
  const retry = timedRetry(c);
  const rssAt = {};
  let done = 0;
  // Memory growth is measured from call 500 on, after warm-up and JIT settle.
  while (done < 500) {
    await retry();
    done++;
  }
  rssAt[500] = memoryMiB(c.child.pid, 'VmRSS');

  // 32 in flight: throughput, tail latency and how many TCP connections the server opened to Graph.
  const connsBefore = sim.connections().opened;
  const lat = [];
  let errors = 0;
  let issued = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (issued < LOAD_CALLS) {
      issued++;
      try {
        lat.push(await retry());
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  done += LOAD_CALLS;
  results.inFlight32 = {
    calls: LOAD_CALLS,
    errors,
    throughputPerSec: Math.round(LOAD_CALLS / elapsed),
    p50: ms(median(lat)),
    p99: ms(quantile(lat, 0.99)),
    newConnectionsToGraph: sim.connections().opened - connsBefore,
    totalConnectionsToGraph: sim.connections().opened,
    agentPool: AGENT_POOL,
  };
  results.inFlight32.p99OverP50 = ms(results.inFlight32.p99 / results.inFlight32.p50);
  rssAt[done] = memoryMiB(c.child.pid, 'VmRSS');
  results.memory = { rssAfterStartMiB: results.rssAfterStartMiB, rssAt500CallsMiB: rssAt[500], rssAfterCallsMiB: rssAt[done], calls: done };
  results.memory.growthPercent = rssAt[500] ? ms(((rssAt[done] - rssAt[500]) / rssAt[500]) * 100) : undefined;
  delete results.rssAfterStartMiB;

  // 5,000 ids: the server's own time is the round trip minus the same POST sent directly.
  const action = sim.state.tenant.bulkActions.find((a) => a.id === DEMO_IDS.failedRestart);
  const ids = Array.from({ length: 5000 }, (_, i) => `${i.toString(16).padStart(8, '0')}-5a5a-4b4b-8c8c-${'0'.repeat(12)}`);
  for (const id of ids) action.runs.push({ ...action.runs[0], cloudPcId: id, state: 'failed', reportId: id });
  const bigAgent = new Agent({ keepAliveTimeout: 10_000 });
  const bigBody = JSON.stringify({ cloudPcIds: ids });
  const bigDirect = async () => {
    const t = performance.now();
    const res = await request(`${sim.url}/beta/deviceManagement/virtualEndpoint/bulkActions/${DEMO_IDS.failedRestart}/retry`, {
      method: 'POST',
      dispatcher: bigAgent,
      headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json' },
      body: bigBody,
    });
    await res.body.dump();
    return performance.now() - t;
  };
  const bigCall = async () => {
    const t = performance.now();
    const r = await c.call('tools/call', {
      name: 'retry_cloudpc_bulk_action',
      arguments: { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: ids, includeNotFailed: true },
    });
    if (!r.result || r.result.isError) throw new Error(`5,000-id retry failed: ${JSON.stringify(r).slice(0, 400)}`);
    return performance.now() - t;
  };
  await bigCall(); // the first one re-reads the action (its device list grew); later ones hit the cache
  await bigDirect();
  const bigServer = [];
  const bigFloor = [];
  for (let i = 0; i < 9; i++) {
    bigServer.push(await bigCall());
    bigFloor.push(await bigDirect());
  }
  results.retry5000 = { roundTripMs: ms(median(bigServer)), directPostMs: ms(median(bigFloor)) };
  results.retry5000.serverTimeMs = ms(results.retry5000.roundTripMs - results.retry5000.directPostMs);
  await bigAgent.close();
  c.child.kill();
} finally {
  await sim.close();
}

// 6. A large tenant: what "which PCs failed and why" and "what failed recently" cost in Graph requests, time and memory.
results.largeTenant = await runLargeTenant({ startSimulator, rpcChild, BIN, LARGE_IDS, LARGE_SHAPE });

// 7. Remote mode by store: in memory, in Redis, and two replicas on Redis behind a balancer (bench/replicas.mjs).
const replicas = await runReplicas({ startSimulator, DEMO_IDS, BIN, quick });
results.replicas = replicas.rows;
// 7. Round trips per answer, through a Graph stand-in that answers every request after a fixed delay.
results.roundTrips = await runRoundTrips({ startSimulator, rpcChild, BIN, DEMO_IDS, LARGE_IDS });

const goals = [
  [
    'cold start with CLOUDPC_MCP_ACCESS_TOKEN ≤ 1.2x floor',
    results.coldStart.ratioWithToken <= 1.2,
    `${results.coldStart.ratioWithToken}x`,
  ],
  ['cold start with no credential ≤ 1.2x floor', results.coldStart.ratioNoCredential <= 1.2, `${results.coldStart.ratioNoCredential}x`],
  [
    'server time per retry of chosen ids p50 ≤ 0.5 ms over the same Graph requests sent directly',
    results.callOverhead.chosenIds.overheadP50 <= 0.5,
    `${results.callOverhead.chosenIds.overheadP50} ms`,
  ],
  ['32 in flight: no errors', results.inFlight32.errors === 0, `${results.inFlight32.errors}`],
  [
    '32 in flight: connections to Graph ≤ 2x pool',
    results.inFlight32.totalConnectionsToGraph <= 2 * AGENT_POOL,
    `${results.inFlight32.totalConnectionsToGraph} (pool ${AGENT_POOL})`,
  ],
  ['32 in flight: p99 < 20x p50', results.inFlight32.p99OverP50 < 20, `${results.inFlight32.p99OverP50}x`],
  [
    'RSS ≤ 80 MiB after 3,000+ calls',
    results.memory.rssAfterCallsMiB === undefined || results.memory.rssAfterCallsMiB <= 80,
    `${results.memory.rssAfterCallsMiB} MiB`,
  ],
  [
    'RSS growth ≤ 10% from call 500 on',
    results.memory.growthPercent === undefined || results.memory.growthPercent <= 10,
    `${results.memory.growthPercent}%`,
  ],
  ['5,000 ids: ≤ 50 ms of server time', results.retry5000.serverTimeMs <= 50, `${results.retry5000.serverTimeMs} ms`],
  ...results.largeTenant.goals,
  ...results.roundTrips.goals,
];
results.goals = goals.map(([goal, met, value]) => ({ goal, met, value }));
const largeTable = results.largeTenant.table;
const tripsTable = results.roundTrips.table;
delete results.largeTenant.goals;
delete results.largeTenant.table;
delete results.roundTrips.goals;
delete results.roundTrips.table;

out(`cloudpc-mcp bench (${process.version}, ${process.platform}/${process.arch}${quick ? ', quick' : ''})`);
out('');
out('| measure | cloudpc-mcp | floor | ratio / delta |');
out('|---|---|---|---|');
out(
  `| cold start to tools/list, token set (median of ${COLD_RUNS}) | ${results.coldStart.withToken} ms | ${results.coldStart.floor} ms (bare Node JSON-RPC) | ${results.coldStart.ratioWithToken}x |`,
);
out(
  `| cold start to tools/list, no credential | ${results.coldStart.noCredential} ms | ${results.coldStart.floor} ms | ${results.coldStart.ratioNoCredential}x |`,
);
for (const line of callOverheadRows(results.callOverhead, SEQ_CALLS, ROUNDS)) out(line);
out(
  `| 32 in flight: ${LOAD_CALLS} calls | ${results.inFlight32.throughputPerSec}/s, p50 ${results.inFlight32.p50} ms, p99 ${results.inFlight32.p99} ms, ${results.inFlight32.errors} errors | | p99/p50 ${results.inFlight32.p99OverP50}x |`,
);
out(`| TCP connections to Graph (whole run) | ${results.inFlight32.totalConnectionsToGraph} | pool ${AGENT_POOL} | |`);
out(
  `| RSS after start (full server loaded) / call 500 / call ${results.memory.calls} | ${results.memory.rssAfterStartMiB} / ${results.memory.rssAt500CallsMiB} / ${results.memory.rssAfterCallsMiB} MiB | | growth ${results.memory.growthPercent}% |`,
);
out(
  `| retry with 5,000 ids | ${results.retry5000.roundTripMs} ms | ${results.retry5000.directPostMs} ms (direct POST) | server ${results.retry5000.serverTimeMs} ms |`,
);
out('');
for (const line of largeTable) out(line);
for (const line of replicas.table) out(line);
results.goals.push(...replicas.goals.map(([goal, met, value]) => ({ goal, met, value })));
out('');
for (const line of tripsTable) out(line);
out('');
for (const g of results.goals) out(`${g.met ? 'met ' : 'MISS'}  ${g.goal}: ${g.value}`);
writeFileSync(path.join(root, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
out('\nwrote bench/results.json');
process.exitCode = results.goals.every((g) => g.met) ? 0 : 1;
