// Spawns the built command in remote mode (--transport http on 127.0.0.1, a free port) and finds its URL in the
// "ready on …" line it logs to stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { BIN, baseEnv } from '../e2e/harness.js';

export interface HttpServerProcess {
  /** The MCP endpoint, e.g. http://127.0.0.1:PORT/mcp. */
  url: string;
  /** http://127.0.0.1:PORT */
  base: string;
  port: number;
  child: ChildProcess;
  stderr(): string;
  /** Remote mode writes nothing to stdout: logs and audit lines go to stderr. */
  stdout(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** The server's environment: nothing from the developer's shell, remote mode on loopback with a free port. */
export function httpEnv(extra: Record<string, string> = {}): Record<string, string> {
  return baseEnv({ CLOUDPC_MCP_TRANSPORT: 'http', CLOUDPC_MCP_HOST: '127.0.0.1', CLOUDPC_MCP_PORT: '0', ...extra });
}

/** Another way to start the server than the built bin, e.g. the command a Dockerfile runs, in its folder. */
export interface ServerCommand {
  file: string;
  args: string[];
  cwd: string;
}

function spawnServer(env: Record<string, string>, args: string[], command?: ServerCommand) {
  return command
    ? spawn(command.file, [...command.args, ...args], { env, cwd: command.cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startHttpServer(
  env: Record<string, string>,
  args: string[] = [],
  command?: ServerCommand,
): Promise<HttpServerProcess> {
  const child = spawnServer(env, args, command);
  let err = '';
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      const m = /ready on (http:\/\/\S+\/mcp)/.exec(err);
      if (m) resolve(m[1]!);
    });
    void exited.then(({ code, signal }) => reject(new Error(`server exited (${code ?? signal}) before it was ready:\n${err}`)));
  });
  const base = url.replace(/\/mcp$/, '');
  return {
    url,
    base,
    port: Number(new URL(url).port),
    child,
    stderr: () => err,
    stdout: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs the command to its end (for start-up refusals): exit code and everything it wrote. */
export async function runToExit(
  env: Record<string, string>,
  args: string[] = [],
  command?: ServerCommand,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnServer(env, args, command);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

/** The audit lines (one JSON object per line) the server wrote to stderr. */
export function auditLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"audit":"tools/call"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** JSON-RPC initialize, as a client's first POST. */
export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'cloudpc-mcp-http-test', version: '1' } },
};

export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request, so Host, Origin and the body can be anything a browser or an attacker would send. */
export function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent: false }, (res) => {
      let body = '';
      // Decoded as a stream: a character split across two chunks stays whole.
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
