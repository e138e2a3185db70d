// `npm run bench`, remote mode with its state in memory and in Redis: one replica on each store, and two replicas on
// Redis behind a round-robin balancer in this process. For each: tool calls per second with 8 in flight, and p50/p99
// of a dry run (makes a plan) and of an execution (reads the plan, uses it once, sends). The extra time a plan
// operation costs on Redis is the difference of the p50s against memory, next to one bare Redis round trip.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x) => Math.round(x * 100) / 100;
const signed = (x) => (x >= 0 ? `+${x}` : `${x}`);

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const bin = ['/usr/bin/redis-server', '/usr/sbin/redis-server', 'redis-server'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!bin) return undefined;
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => (out += d) && /Ready to accept/.test(out) && resolve());
  });
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => child.kill('SIGKILL') };
}

/** One bare round trip to Redis (PING over a raw socket), p50 of many: the floor of any store operation. */
async function redisRoundTrip(port, n) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise((r) => {
      sock.once('data', r);
      sock.write('PING\r\n');
    });
    times.push(performance.now() - t0);
  }
  sock.destroy();
  return ms(quantile(times, 0.5));
}

function startServer(BIN, env) {
  const child = spawn(process.execPath, [BIN], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      if (err.length > 100_000) return; // the ready line came long ago; the rest (audit lines) is drained unread
      err += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
      if (m) resolve({ port: Number(m[1]), stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) });
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
}

function startBalancer(ports) {
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const up = http.request(
      { host: '127.0.0.1', port: ports[next++ % ports.length], method: req.method, path: req.url, headers: req.headers, agent },
      (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        stop: () => (server.closeAllConnections(), agent.destroy(), new Promise((r) => server.close(r))),
      }),
    ),
  );
}

async function client(url) {
  const c = new Client({ name: 'bench', version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url)));
  return c;
}

/** Dry runs and executions of Bob's PC (a non-destructive restart: executing needs no approval), `inFlight` at once. */
async function measure(url, DEMO_IDS, calls, inFlight) {
  const clients = await Promise.all(Array.from({ length: inFlight }, () => client(url)));
  const args = { bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.bobPc], includeNotFailed: true };
  const dry = [];
  const exec = [];
  let errors = 0;
  // The first failure's words, printed with the count: a count alone hides a bench that calls the tool wrongly.
  let firstError;
  const failed = (r) => {
    errors++;
    firstError ??=
      (r.content ?? [])
        .map((c) => c.text ?? '')
        .join(' ')
        .slice(0, 300) || 'no plan in the answer';
  };
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < calls / inFlight; i++) {
        let t = performance.now();
        const plan = await c.callTool({ name: 'retry_cloudpc_bulk_action', arguments: { ...args, dryRun: true } });
        dry.push(performance.now() - t);
        const planId = plan.structuredContent?.plan?.id;
        if (plan.isError || !planId) {
          failed(plan);
          continue;
        }
        t = performance.now();
        const sent = await c.callTool({ name: 'retry_cloudpc_bulk_action', arguments: { bulkActionId: args.bulkActionId, planId } });
        exec.push(performance.now() - t);
        // Several clients plan the same Cloud PC: one's retry can change what another planned ("planChanged"), which is
        // the server being right, not an error.
        if (sent.isError) failed(sent);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  return {
    callsPerSec: Math.round((dry.length + exec.length) / seconds),
    dryRunP50: ms(quantile(dry, 0.5)),
    dryRunP99: ms(quantile(dry, 0.99)),
    executeP50: ms(quantile(exec, 0.5)),
    executeP99: ms(quantile(exec, 0.99)),
    errors,
    firstError,
  };
}

export async function runReplicas({ startSimulator, DEMO_IDS, BIN, quick }) {
  const calls = quick ? 200 : 800;
  const sim = await startSimulator();
  const redis = await startRedis();
  const base = {
    CLOUDPC_MCP_TRANSPORT: 'http',
    CLOUDPC_MCP_HOST: '127.0.0.1',
    CLOUDPC_MCP_PORT: '0',
    CLOUDPC_MCP_LOG_LEVEL: 'info',
    CLOUDPC_MCP_GRAPH_URL: sim.url,
    CLOUDPC_MCP_ACCESS_TOKEN: sim.token,
    CLOUDPC_MCP_APPROVAL_PAGE: 'off',
    // A budget that never runs out, but is still charged (in the store) on every call.
    CLOUDPC_MCP_RATE_LIMIT_PER_MINUTE: '100000',
    CLOUDPC_MCP_RATE_LIMIT_BURST: '100000',
  };
  const rows = {};
  try {
    const one = await startServer(BIN, base);
    rows.memory1 = await measure(`http://127.0.0.1:${one.port}/mcp`, DEMO_IDS, calls, 8);
    await one.stop();
    if (redis) {
      const r1 = await startServer(BIN, { ...base, CLOUDPC_MCP_REDIS_URL: redis.url });
      rows.redis1 = await measure(`http://127.0.0.1:${r1.port}/mcp`, DEMO_IDS, calls, 8);
      await r1.stop();
      const lbPort = await freePort();
      const lbUrl = `http://127.0.0.1:${lbPort}`;
      const pair = await Promise.all(
        [0, 1].map(() => startServer(BIN, { ...base, CLOUDPC_MCP_REDIS_URL: redis.url, CLOUDPC_MCP_PUBLIC_URL: lbUrl })),
      );
      const lb = await startBalancer(pair.map((p) => p.port));
      rows.redis2 = await measure(`http://127.0.0.1:${lb.port}/mcp`, DEMO_IDS, calls, 8);
      await lb.stop();
      await Promise.all(pair.map((p) => p.stop()));
      rows.redisRoundTripP50 = await redisRoundTrip(redis.port, 500);
      rows.redisExtraDryRunP50 = ms(rows.redis1.dryRunP50 - rows.memory1.dryRunP50);
      rows.redisExtraExecuteP50 = ms(rows.redis1.executeP50 - rows.memory1.executeP50);
    }
  } finally {
    redis?.stop();
    await sim.close();
  }
  const line = (name, r) =>
    `| remote mode, ${name} | ${r.callsPerSec}/s | ${r.dryRunP50} / ${r.dryRunP99} ms | ${r.executeP50} / ${r.executeP99} ms | ${r.errors} |`;
  const table = [
    '',
    `Remote mode by store (${calls} dry runs + ${calls} executions, 8 in flight, over Streamable HTTP):`,
    '',
    '| setup | tool calls | dry run p50 / p99 | execution p50 / p99 | errors |',
    '|---|---|---|---|---|',
    line('1 replica, memory', rows.memory1),
    ...(rows.redis1
      ? [line('1 replica, Redis', rows.redis1), line('2 replicas, Redis, round-robin balancer', rows.redis2)]
      : ['| Redis | (no redis-server on this machine: skipped) | | | |']),
    ...(rows.redis1
      ? [
          '',
          `Redis against memory, one replica: ${signed(rows.redisExtraDryRunP50)} ms per dry run and ${signed(rows.redisExtraExecuteP50)} ms per execution (p50; a dry run is 2 store operations, an execution 5); one bare Redis round trip is ${rows.redisRoundTripP50} ms. On a busy machine the difference is within the noise.`,
        ]
      : []),
  ];
  const setups = [rows.memory1, rows.redis1, rows.redis2];
  const firstError = setups.find((r) => r?.firstError)?.firstError;
  const goals = [
    [
      'remote mode by store: no errors',
      setups.every((r) => !r || r.errors === 0),
      `${setups.map((r) => r?.errors ?? '-').join(' / ')}${firstError ? ` (first: ${firstError})` : ''}`,
    ],
  ];
  return { rows, table, goals };
}
