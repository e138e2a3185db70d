// A real redis-server for tests, on 127.0.0.1 and a free port, persistence off. One per test file (start it in
// beforeAll); it can be killed and started again on the same port to test what happens while the store is down. A
// three-master Redis Cluster the same way (startRedisCluster).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';

export const REDIS_SERVER =
  ['/usr/bin/redis-server', '/usr/sbin/redis-server'].find((p) => spawnSync(p, ['--version']).status === 0) ??
  (spawnSync('redis-server', ['--version']).status === 0 ? 'redis-server' : undefined);

const REDIS_CLI = ['/usr/bin/redis-cli', '/usr/sbin/redis-cli'].find((p) => spawnSync(p, ['--version']).status === 0) ?? 'redis-cli';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL): every client connection drops at once. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Empties it (between tests). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(opts: { password?: string } = {}): Promise<TestRedis> {
  if (!REDIS_SERVER) throw new Error('redis-server is not installed: apt-get install redis-server (.ci/run does this)');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    ...(opts.password ? ['--requirepass', opts.password] : []),
  ];
  const url = `redis://${opts.password ? `:${opts.password}@` : ''}127.0.0.1:${port}`;
  const start = async () => {
    child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        if (/Ready to accept connections/.test(out)) resolve();
      };
      child!.stdout!.on('data', onData);
      child!.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
  };
  const flush = async () => {
    const c = createClient({ url });
    await c.connect();
    try {
      await c.flushAll();
    } finally {
      await c.close();
    }
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return { url, port, kill, start, flush, stop: kill };
}

export interface TestRedisCluster {
  /** The URL of one node: the root node a cluster client discovers the rest from. */
  url: string;
  ports: number[];
  /** Empties every shard (between tests). */
  flush(): Promise<void>;
  /** Kills one node (SIGKILL); the others still list its slots. */
  killNode(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** A port P that is free, with P + 10000 (the node's cluster bus port, as every Redis version picks it) free too. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port > 55_535 || taken.has(port) || taken.has(port + 10_000)) continue;
    const bus = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port + 10_000, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (bus) return port;
  }
}

function spawnRedis(args: string[], cwd?: string): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER!, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept connections/.test(out)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
}

/**
 * A real Redis Cluster of three masters on 127.0.0.1 (no replicas, persistence off), made with redis-cli --cluster
 * create, as an OSS-cluster-policy cache looks to a client: each key lives on the shard that owns its slot.
 */
export async function startRedisCluster(opts: { password?: string; tls?: TestTls } = {}): Promise<TestRedisCluster> {
  if (!REDIS_SERVER) throw new Error('redis-server is not installed: apt-get install redis-server (.ci/run does this)');
  const dir = mkdtempSync(join(tmpdir(), 'cloudpc-mcp-redis-cluster-'));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) {
    const p = await freeClusterPort(taken);
    taken.add(p).add(p + 10_000);
    ports.push(p);
  }
  const children: ChildProcess[] = [];
  const cli = [
    ...(opts.password ? ['-a', opts.password, '--no-auth-warning'] : []),
    ...(opts.tls ? ['--tls', '--cacert', opts.tls.caFile] : []),
  ];
  const killNode = (i: number) =>
    new Promise<void>((resolve) => {
      const c = children[i]!;
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  const stop = async () => {
    await Promise.all(children.map((_, n) => killNode(n)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const p of ports) {
      const args = [
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${p}.conf`),
      ];
      const auth = opts.password ? ['--requirepass', opts.password, '--masterauth', opts.password] : [];
      children.push(await spawnRedis([...args, ...auth, ...tlsArgs(opts.tls, p), '--save', '', '--appendonly', 'no', '--dir', dir], dir));
    }
    const create = spawnSync(
      REDIS_CLI,
      [...cli, '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      {
        encoding: 'utf8',
      },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    await clusterReady(ports, cli);
  } catch (err) {
    await stop();
    throw err;
  }
  const flush = async () => {
    for (const p of ports) {
      const c = createClient({
        url: `${opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${p}`,
        password: opts.password,
        socket: opts.tls ? { tls: true, ca: opts.tls.ca } : undefined,
      });
      await c.connect();
      await c.flushAll().finally(() => c.close());
    }
  };
  const secret = opts.password ? `:${opts.password}@` : '';
  return { url: `${opts.tls ? 'rediss' : 'redis'}://${secret}${opts.tls?.host ?? '127.0.0.1'}:${ports[0]}`, ports, flush, killNode, stop };
}

/** Until every node says cluster_state:ok (the slots are assigned and the nodes know each other). */
async function clusterReady(ports: number[], cli: string[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const states = ports.map(
      (p) => spawnSync(REDIS_CLI, [...cli, '-h', '127.0.0.1', '-p', String(p), 'cluster', 'info'], { encoding: 'utf8' }).stdout,
    );
    if (states.every((s) => /cluster_state:ok/.test(s))) return;
    if (attempt >= 300) throw new Error(`the test cluster did not become ready: ${states.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** TLS for a test cluster: a certificate for `host` only (not for 127.0.0.1, the address the nodes announce). */
export interface TestTls {
  host: string;
  ca: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Clients, replication and the cluster bus over TLS; no plain port. */
function tlsArgs(tls: TestTls | undefined, port: number): string[] {
  if (!tls) return [];
  const files = ['--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile];
  return [
    '--port',
    '0',
    '--tls-port',
    String(port),
    ...files,
    '--tls-auth-clients',
    'no',
    '--tls-replication',
    'yes',
    '--tls-cluster',
    'yes',
  ];
}

export const OPENSSL = spawnSync('openssl', ['version']).status === 0 ? 'openssl' : undefined;

/** A test CA and a server certificate it signed for `host` alone (made with the openssl command, kept in a temp dir). */
export function makeTestTls(host = 'localhost'): TestTls & { remove(): void } {
  if (!OPENSSL) throw new Error('openssl is not installed: apt-get install openssl');
  const dir = mkdtempSync(join(tmpdir(), 'cloudpc-mcp-redis-tls-'));
  const f = (name: string) => join(dir, name);
  const run = (args: string[]) => {
    const r = spawnSync(OPENSSL, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=cloudpc-mcp test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  ]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${host}`, '-keyout', f('server.key'), '-out', f('server.csr')]);
  writeFileSync(f('san.cnf'), `subjectAltName=DNS:${host}\n`);
  const sign = ['-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('san.cnf')];
  run(['x509', '-req', '-in', f('server.csr'), ...sign, '-out', f('server.crt')]);
  return {
    host,
    ca: readFileSync(f('ca.crt'), 'utf8'),
    caFile: f('ca.crt'),
    certFile: f('server.crt'),
    keyFile: f('server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
