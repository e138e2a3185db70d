// `npm run bench`, call overhead: the server's own time per retry call, against a floor of the SAME Graph requests the
// server made for that call, sent directly from this process to the same simulator, in the same run.
//
// How the floor is found: after warm-up, one call runs with the simulator's request log cleared and each answer held
// back 30 ms; the log then holds exactly the requests the server made (method, path, query, body, headers) and, per
// request, how many others were still unanswered when it arrived. Requests that overlapped form a wave; the floor sends each wave in parallel and
// the waves one after another, as the server did, over a keep-alive undici Agent with a plain dispatch handler (the
// least a Node.js client can do per request). The server's own time is then its stdio round trip minus that floor:
// stdio both ways, JSON-RPC, validation, the tool, the Graph client. Rounds of interleaved pairs keep this machine's
// drifting speed out of the difference.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent } from 'undici';

const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
const ms = (x) => Math.round(x * 100) / 100;

/** What the server's Graph client puts on every request besides what the log records (src/graph/requestTarget.ts). */
function replayHeaders(rec, token, userAgent) {
  const headers = {
    accept: rec.headers.accept ?? 'application/json',
    'user-agent': userAgent,
    'client-request-id': randomUUID(),
    'return-client-request-id': 'true',
    authorization: `Bearer ${token}`,
  };
  for (const name of ['prefer', 'consistencylevel']) if (rec.headers[name] !== undefined) headers[name] = rec.headers[name];
  if (rec.body !== undefined) headers['content-type'] = 'application/json';
  return headers;
}

/** The server's query encoding (src/graph/requestTarget.ts encodeQuery), so the simulator parses the same bytes. */
function targetOf(rec) {
  const enc = (s) => encodeURIComponent(s).replace(/%24/g, '$');
  const q = Object.entries(rec.query ?? {}).map(([k, v]) => `${enc(k)}=${enc(v)}`);
  return q.length ? `${rec.path}?${q.join('&')}` : rec.path;
}

/** Groups a call's requests into waves: a request that arrived while another was unanswered joins that one's wave. */
export function wavesOf(records) {
  const waves = [];
  for (const rec of records) {
    if (waves.length && rec.othersInFlight > 0) waves.at(-1).push(rec);
    else waves.push([rec]);
  }
  return waves;
}

/** One request, sent with nothing but undici's dispatch; resolves with the status once the whole body has arrived. */
function send(agent, origin, req) {
  return new Promise((resolve, reject) => {
    let status = 0;
    const chunks = [];
    agent.dispatch(
      { origin, path: req.target, method: req.method, headers: replayHeaders(req.rec, req.token, req.userAgent), body: req.body },
      {
        onRequestStart() {},
        onResponseStart(_c, s) {
          status = s;
        },
        onResponseData(_c, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          resolve(status);
        },
        onResponseError(_c, e) {
          reject(e);
        },
      },
    );
  });
}

async function control(url, method, route, body) {
  const res = await fetch(`${url}/_simulator/${route}`, {
    method,
    ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return res.status === 204 ? undefined : res.json();
}

/** CPU time (user + system) a process used so far, in ms, from /proc; undefined where there is no /proc. */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

const RECORDING_DELAYS = 50;
const RECORDING_DELAY_MS = 30;

const signature = (records) => records.map((r) => `${r.method} ${r.path}`).join(' | ');

/**
 * Measures each case: { name, label, args, minRequests } where args are the retry tool's arguments and minRequests
 * the fewest Graph requests that call must make, the POST of the retry last (the bench stops otherwise: a case that
 * stopped reading would measure another path than its label says).
 */
export async function measureCallOverhead({ root, BIN, rpcChild, userAgent, cases, seqCalls, rounds, warmup = 1000 }) {
  // --progress-ms 0: a device that fails again on retry is failed again by the next request, so every call does the same work.
  const simProc = spawn(process.execPath, [path.join(root, 'dist/simulator.js'), '--progress-ms', '0'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const info = await new Promise((resolve, reject) => {
    simProc.stdout.once('data', (d) => resolve(JSON.parse(String(d))));
    simProc.once('exit', (code) => reject(new Error(`simulator exited ${code}`)));
  });
  const origin = new URL(info.url).origin;
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  const out = {};
  try {
    const c = rpcChild([BIN], { CLOUDPC_MCP_GRAPH_URL: info.url, CLOUDPC_MCP_ACCESS_TOKEN: info.token, CLOUDPC_MCP_LOG_LEVEL: 'warn' });
    await c.call('initialize', c.init);
    c.notify('notifications/initialized');
    for (const kase of cases) out[kase.name] = await measureCase({ c, info, origin, agent, userAgent, kase, seqCalls, rounds, warmup });
    c.child.kill();
  } finally {
    await agent.close();
    simProc.kill();
  }
  return out;
}

async function measureCase({ c, info, origin, agent, userAgent, kase, seqCalls, rounds, warmup }) {
  const viaServer = async () => {
    const t0 = performance.now();
    const r = await c.call('tools/call', { name: 'retry_cloudpc_bulk_action', arguments: kase.args });
    const t = performance.now() - t0;
    if (r.result?.structuredContent?.status !== 'accepted')
      throw new Error(`${kase.name}: retry not accepted: ${JSON.stringify(r).slice(0, 400)}`);
    return t;
  };
  const record = async () => {
    await control(info.url, 'DELETE', 'requests');
    // The simulator answers at once, often before a request sent alongside has even arrived: for this one call it waits
    // before each answer, so requests the server sent together are seen unanswered together.
    await control(
      info.url,
      'POST',
      'faults',
      Array.from({ length: RECORDING_DELAYS }, () => ({ kind: 'delay', ms: RECORDING_DELAY_MS })),
    );
    await viaServer();
    await control(info.url, 'DELETE', 'faults');
    const records = (await control(info.url, 'GET', 'requests')).value;
    const last = records.at(-1);
    if (
      records.length < kase.minRequests ||
      !(last?.method === 'POST' && last.path.endsWith('/retry')) ||
      records.some((r) => !(r.status >= 200 && r.status < 300))
    ) {
      throw new Error(
        `${kase.name}: expected at least ${kase.minRequests} successful Graph requests ending with the retry's POST, the server made: ${signature(records)} (${records.map((r) => r.status)})`,
      );
    }
    return records;
  };

  for (let i = 0; i < warmup; i++) await viaServer(); // full server loaded, JIT tiers settled, keep-alive connections
  const records = await record();
  const waves = wavesOf(records).map((w) =>
    w.map((rec) => ({
      rec,
      method: rec.method,
      target: targetOf(rec),
      body: rec.body === undefined ? undefined : JSON.stringify(rec.body),
      token: info.token,
      userAgent,
    })),
  );
  let directCpuUs = 0;
  const direct = async () => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const wave of waves) {
      const statuses = await Promise.all(wave.map((req) => send(agent, origin, req)));
      if (statuses.some((s) => s < 200 || s >= 300)) throw new Error(`${kase.name}: direct request answered ${statuses}`);
    }
    const t = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    directCpuUs += cpu.user + cpu.system;
    return t;
  };
  for (let i = 0; i < 200; i++) await direct();
  directCpuUs = 0;
  const serverCpu0 = cpuMsOf(c.child.pid);

  const s = [];
  const d = [];
  const roundOverheads = [];
  for (let round = 0; round < rounds; round++) {
    const rs = [];
    const rd = [];
    for (let i = 0; i < seqCalls / rounds; i++) {
      rs.push(await viaServer());
      rd.push(await direct());
    }
    roundOverheads.push(median(rs) - median(rd));
    s.push(...rs);
    d.push(...rd);
  }
  // CPU time: less sensitive than wall time to other processes on a busy machine. The floor's is this process's own
  // CPU while it sent the same requests; the server's includes its stdio, so the two differ by the server's own work.
  const serverCpu1 = cpuMsOf(c.child.pid);
  const calls = s.length;
  // The server must still make the same requests at the end, or the floor compared against was the wrong one.
  const after = await record();
  if (signature(after) !== signature(records))
    throw new Error(`${kase.name}: the server's requests changed during the run: ${signature(records)} → ${signature(after)}`);
  return {
    label: kase.label,
    graphRequests: signature(records),
    waves: waves.map((w) => w.length),
    serverP50: ms(median(s)),
    serverP99: ms(quantile(s, 0.99)),
    floorP50: ms(median(d)),
    floorP99: ms(quantile(d, 0.99)),
    overheadP50: ms(median(roundOverheads)),
    roundOverheadsP50: roundOverheads.map(ms),
    ...(serverCpu0 !== undefined && serverCpu1 !== undefined
      ? { serverCpuMsPerCall: ms((serverCpu1 - serverCpu0) / calls), floorCpuMsPerCall: ms(directCpuUs / 1000 / calls) }
      : {}),
  };
}

/** The bench's table rows for these results. */
export function callOverheadRows(results, seqCalls, rounds) {
  return Object.values(results).flatMap((r) => [
    `| ${r.label}: round trip p50 (${seqCalls} sequential, ${rounds} rounds) | ${r.serverP50} ms | ${r.floorP50} ms (the same ${r.graphRequests.split(' | ').length} Graph request(s), waves ${r.waves.join('+')}, sent directly) | server +${r.overheadP50} ms (rounds: ${r.roundOverheadsP50.join(', ')}) |`,
    `| ${r.label}: round trip p99 | ${r.serverP99} ms | ${r.floorP99} ms | |`,
    ...(r.serverCpuMsPerCall !== undefined
      ? [
          `| ${r.label}: CPU time per call | ${r.serverCpuMsPerCall} ms (server process) | ${r.floorCpuMsPerCall} ms (this process sending them) | +${ms(r.serverCpuMsPerCall - r.floorCpuMsPerCall)} ms |`,
        ]
      : []),
  ]);
}
