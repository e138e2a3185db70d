// The server as a child process whose every output byte is seen by the test: each stdout line must be a JSON-RPC 2.0
// message, stdout and stderr lines go to an observer (secret scanning), and the SDK client can still drive it through
// TappedTransport. The SDK's own stdio client would skip a non-protocol line quietly; this one records it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { BIN } from '../e2e/harness.js';
import { clip, parseProtocolLine, type RpcMessage } from './hardening-jsonrpc.js';

export type OutputSource = 'stdout' | 'stderr';

/** Splits a byte stream into lines; buffered parts are joined once per line, so a 20 MB line costs O(n), not O(n²). */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    let buf = chunk;
    for (;;) {
      const nl = buf.indexOf(10);
      if (nl === -1) {
        if (buf.length) {
          this.parts.push(buf);
          this.size += buf.length;
        }
        return;
      }
      this.parts.push(buf.subarray(0, nl));
      const line = Buffer.concat(this.parts).toString('utf8');
      this.parts = [];
      this.size = 0;
      this.onLine(line);
      buf = buf.subarray(nl + 1);
    }
  }

  /** Bytes written after the last newline. */
  get pendingBytes(): number {
    return this.size;
  }
}

export interface ServerProcessOptions {
  env: Record<string, string>;
  args?: string[];
  /** Defaults to `node` + the package.json bin; the package test points it at the installed bin. */
  command?: { file: string; args: string[] };
  /** Sees every stdout and stderr line, e.g. to scan for secrets. */
  observe?: (source: OutputSource, line: string) => void;
  /** Keep every message for waitFor(); a long soak turns this off and listens with onMessage instead. */
  keepMessages?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** Output lines that were not JSON-RPC 2.0 messages (the first 20). */
  readonly violations: string[] = [];
  readonly messages: RpcMessage[] = [];
  stdoutLines = 0;
  onMessage?: (m: RpcMessage) => void;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private readonly stderrTail: string[] = [];
  private readonly out: LineSplitter;
  private readonly keep: boolean;
  private waiters: { pred: (m: RpcMessage) => boolean; resolve: (m: RpcMessage) => void }[] = [];

  constructor(opts: ServerProcessOptions) {
    const cmd = opts.command ?? { file: process.execPath, args: [BIN] };
    this.keep = opts.keepMessages ?? true;
    this.child = spawn(cmd.file, [...cmd.args, ...(opts.args ?? [])], { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid ?? -1;
    // A server that died must show up as a failed assertion, not as an unhandled EPIPE in the test process.
    this.child.stdin.on('error', () => {});
    this.out = new LineSplitter((line) => {
      this.stdoutLines++;
      opts.observe?.('stdout', line);
      let msg: RpcMessage;
      try {
        msg = parseProtocolLine(line);
      } catch (e) {
        if (this.violations.length < 20) this.violations.push((e as Error).message);
        return;
      }
      if (this.keep) this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => (w.pred(msg) ? (w.resolve(msg), false) : true));
      this.onMessage?.(msg);
    });
    const err = new LineSplitter((line) => {
      opts.observe?.('stderr', line);
      this.stderrTail.push(line);
      if (this.stderrTail.length > 200) this.stderrTail.shift();
    });
    this.child.stdout.on('data', (d: Buffer) => this.out.push(d));
    this.child.stderr.on('data', (d: Buffer) => err.push(d));
    this.exited = new Promise((resolve) => {
      // A command that cannot be started is a failed run, reported through stderr(), not a crash of the test worker.
      this.child.on('error', (e) => {
        this.stderrTail.push(`spawn failed: ${e.message}`);
        this.exitInfo ??= { code: null, signal: null };
        resolve(this.exitInfo);
      });
      // 'close' rather than 'exit': every byte the server wrote has been read by then.
      this.child.on('close', (code, signal) => {
        if (this.out.pendingBytes > 0 && this.violations.length < 20) {
          this.violations.push(`stdout ended with ${this.out.pendingBytes} bytes not terminated by a newline`);
        }
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Writes raw bytes to the server's stdin and waits until the pipe took them. */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.stdin.destroyed || !this.child.stdin.writable) return resolve();
      if (this.child.stdin.write(data)) resolve();
      else {
        const done = () => {
          this.child.stdin.off('drain', done);
          this.child.stdin.off('close', done);
          resolve();
        };
        this.child.stdin.once('drain', done);
        this.child.stdin.once('close', done);
      }
    });
  }

  send(message: object): Promise<void> {
    return this.write(JSON.stringify(message) + '\n');
  }

  endInput(): void {
    this.child.stdin.end();
  }

  /** The first kept message (past or future) that matches; rejects after boundMs, a hang detector. */
  waitFor(pred: (m: RpcMessage) => boolean, boundMs = 15_000, what = 'message'): Promise<RpcMessage> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no ${what} from the server within ${boundMs} ms; stderr tail:\n${this.stderr().slice(-2000)}`));
      }, boundMs);
      const done = (m: RpcMessage) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ pred, resolve: done });
    });
  }

  response(id: string | number, boundMs?: number): Promise<RpcMessage> {
    return this.waitFor((m) => m.id === id && !('method' in m), boundMs, `response to id ${JSON.stringify(id)}`);
  }

  /** The exit, or a thrown error (after SIGKILL) when the process is still running after boundMs: a hang. */
  async waitForExit(boundMs = 10_000): Promise<ExitInfo & { ms: number }> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), boundMs)));
    const result = await Promise.race([this.exited, hung]);
    clearTimeout(timer);
    if (result === 'hung') {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`server did not exit within ${boundMs} ms; stderr tail:\n${this.stderr().slice(-2000)}`);
    }
    return { ...result, ms: Date.now() - started };
  }

  stderr(): string {
    return this.stderrTail.join('\n');
  }

  /** Resident memory and open file descriptors of the server process, from /proc (Linux); undefined elsewhere. */
  procStats(): { rssKb: number; fds: number } | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const rssKb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
      const fds = readdirSync(`/proc/${this.pid}/fd`).length;
      return Number.isFinite(rssKb) ? { rssKb, fds } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Ends the process whatever state it is in (test clean-up). */
  async stop(): Promise<void> {
    if (this.hasExited) return;
    this.endInput();
    await this.waitForExit(10_000).catch(() => {});
  }

  describeViolations(): string {
    return this.violations.map((v) => `- ${clip(v, 300)}`).join('\n');
  }
}

/** An SDK client transport over a ServerProcess: the SDK drives the session while every byte stays checked. */
export class TappedTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private closed = false;

  constructor(readonly proc: ServerProcess) {}

  async start(): Promise<void> {
    this.proc.onMessage = (m) => this.onmessage?.(m as JSONRPCMessage);
    void this.proc.exited.then(() => this.finish());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.proc.hasExited) throw new Error('the server process has exited');
    await this.proc.send(message);
  }

  async close(): Promise<void> {
    this.proc.endInput();
    await this.proc.waitForExit();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}

export interface TappedSession {
  client: Client;
  proc: ServerProcess;
  close(): Promise<ExitInfo & { ms: number }>;
}

export async function connectTapped(opts: ServerProcessOptions & { capabilities?: ClientCapabilities }): Promise<TappedSession> {
  const proc = new ServerProcess({ keepMessages: false, ...opts });
  const client = new Client({ name: 'cloudpc-mcp-hardening', version: '1.0.0' }, { capabilities: opts.capabilities ?? {} });
  await client.connect(new TappedTransport(proc));
  return {
    client,
    proc,
    async close() {
      proc.endInput();
      const exit = await proc.waitForExit();
      await client.close().catch(() => {});
      return exit;
    },
  };
}
