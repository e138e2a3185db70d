// MCP over stdio: one JSON-RPC message per line, implementing the SDK's public Transport interface. Written here rather
// than using the SDK's StdioServerTransport so that the first answers (initialize, tools/list) can be given before the
// SDK is even loaded, and an oversized or malformed line gets a JSON-RPC error instead of closing the session or
// being dropped without an answer (which leaves the client waiting for its own timeout).
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { envelopeProblem, toolsCallRefusal, type RequestId } from '../../core/jsonRpc.js';

/** Larger lines are refused with a JSON-RPC error; 10,000 GUIDs are about 400 KB, so this leaves ample room. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export type Id = RequestId;
/** A line that passed the envelope checks: a JSON-RPC request, notification or response. */
export type Incoming = Record<string, unknown> & { id?: Id; method?: string; params?: unknown };

/** An answer already in its JSON text (a recorded listing): written as it is. */
export class SerializedAnswer {
  constructor(readonly json: string) {}
}

/** Answers a message before the full server is loaded; returns undefined when it cannot. */
export type EarlyAnswer = (msg: Incoming) => unknown;

export interface LineTransportOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  early?: EarlyAnswer;
  /** Called once, the first time a message arrives that only the full server can handle. */
  needFullServer?: () => void;
  /** The client is gone: stdin ended or errored, or stdout errored (EPIPE) or stayed full for `drainTimeoutMs`. */
  onEnd?: (why: string) => void;
  /** How long a send may wait for a full stdout to drain before the client counts as gone. Default 30 s. */
  drainTimeoutMs?: number;
}

export class LineTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  private readonly input: NodeJS.ReadableStream;
  private readonly output: NodeJS.WritableStream;
  private early: EarlyAnswer | undefined;
  private readonly needFullServer: (() => void) | undefined;
  private chunks: Buffer[] = [];
  private size = 0;
  private discarding = false;
  private queue: JSONRPCMessage[] | undefined = [];
  /** Requests already answered early whose (replayed) response from the full server must not be sent twice. */
  private readonly suppress = new Set<Id>();
  private closed = false;
  /** Set once stdout failed: nothing more can reach the client. */
  private outputGone = false;
  /** One wait for 'drain' shared by every send that finds stdout full. */
  private drained: Promise<void> | undefined;
  private releaseDrain: (() => void) | undefined;
  private readonly drainTimeoutMs: number;
  private readonly onEnd: (why: string) => void;

  constructor(opts: LineTransportOptions = {}) {
    this.input = opts.input ?? process.stdin;
    this.output = opts.output ?? process.stdout;
    this.early = opts.early;
    this.needFullServer = opts.needFullServer;
    this.drainTimeoutMs = opts.drainTimeoutMs ?? 30_000;
    let ended = false;
    this.onEnd = (why) => {
      if (ended) return;
      ended = true;
      opts.onEnd?.(why);
    };
    this.input.on('data', this.onData);
    this.input.on('end', () => this.onEnd('stdin closed'));
    this.input.on('error', (e: Error) => {
      this.onerror?.(e);
      this.onEnd('stdin failed');
    });
    // EPIPE when the client closed its end: without a listener it would be an uncaught error.
    this.output.on('error', (e: Error) => this.outputFailed(`stdout failed (${(e as NodeJS.ErrnoException).code ?? e.message})`));
  }

  /** Called by the SDK on connect: from now on messages go to the server, starting with those that were queued. */
  async start(): Promise<void> {
    const queued = this.queue ?? [];
    this.queue = undefined;
    this.early = undefined;
    for (const m of queued) this.deliver(m);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || this.outputGone) return;
    const m = message as Incoming;
    if (m.id !== undefined && !('method' in m) && this.suppress.delete(m.id)) return;
    const line = JSON.stringify(message) + '\n';
    if (!this.output.write(line)) await this.drain();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.pause?.();
    this.onclose?.();
  }

  /** Resolves when stdout drains, fails or the client is given up on: a send never waits forever. */
  private drain(): Promise<void> {
    this.drained ??= new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.output.off('drain', done);
        this.output.off('close', done);
        this.drained = undefined;
        this.releaseDrain = undefined;
        resolve();
      };
      this.releaseDrain = done;
      const timer = setTimeout(() => {
        done();
        this.outputFailed(`stdout stayed full for ${this.drainTimeoutMs} ms`);
      }, this.drainTimeoutMs);
      timer.unref?.();
      this.output.once('drain', done);
      this.output.once('close', done);
    });
    return this.drained;
  }

  private outputFailed(why: string): void {
    if (this.outputGone) return;
    this.outputGone = true;
    this.releaseDrain?.();
    // Closing lets the SDK abort every call in flight; their answers could not be delivered anyway.
    void this.close();
    this.onEnd(why);
  }

  private readonly onData = (chunk: Buffer | string): void => {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (;;) {
      const nl = buf.indexOf(10);
      if (nl === -1) {
        this.append(buf);
        return;
      }
      this.append(buf.subarray(0, nl));
      const discarded = this.discarding;
      const line = discarded ? '' : Buffer.concat(this.chunks, this.size).toString('utf8');
      this.chunks = [];
      this.size = 0;
      this.discarding = false;
      if (discarded)
        this.reply({
          jsonrpc: '2.0',
          id: null,
          error: { code: -32600, message: `Message larger than ${MAX_LINE_BYTES} bytes was refused.` },
        });
      else this.handleLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      buf = buf.subarray(nl + 1);
    }
  };

  private append(part: Buffer): void {
    if (this.discarding || part.length === 0) return;
    if (this.size + part.length > MAX_LINE_BYTES) {
      // Drop what was buffered at once: holding an attacker's 1 GB line in memory is the failure to avoid.
      this.discarding = true;
      this.chunks = [];
      this.size = 0;
      return;
    }
    this.chunks.push(part);
    this.size += part.length;
  }

  private handleLine(line: string): void {
    if (isBlank(line)) return;
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.reply({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: the line is not valid JSON.' } });
      return;
    }
    const problem = envelopeProblem(msg);
    if (problem) {
      // Answered here because the SDK drops a malformed envelope silently (core/jsonRpc.ts names the issue).
      // Echo any readable id, even one MCP does not allow (2.5), so the caller can match the refusal to its request.
      const raw = msg && typeof msg === 'object' ? (msg as Incoming).id : undefined;
      const id = typeof raw === 'string' || (typeof raw === 'number' && Number.isFinite(raw)) ? raw : null;
      if (id !== null || !(msg && typeof msg === 'object' && 'method' in msg && !('id' in msg))) {
        this.reply({ jsonrpc: '2.0', id, error: { code: -32600, message: `Invalid Request: ${problem}` } });
      }
      return;
    }
    const m = msg as Incoming;
    const refusal = toolsCallRefusal(m);
    if (refusal) {
      this.reply({ jsonrpc: '2.0', id: refusal.id, error: { code: -32602, message: refusal.message } });
      return;
    }
    if (this.queue) {
      const answer = this.early?.(m);
      if (answer !== undefined) {
        this.reply(answer);
        // initialize is still replayed so the server learns the client's capabilities; its second answer is dropped.
        if (m.method === 'initialize' && m.id !== undefined) {
          this.suppress.add(m.id);
          this.queue.push(m as JSONRPCMessage);
        }
        return;
      }
      this.queue.push(m as JSONRPCMessage);
      if (m.method !== undefined && m.method !== 'notifications/initialized') {
        this.early = undefined;
        this.needFullServer?.();
      }
      return;
    }
    this.deliver(m);
  }

  private deliver(m: Incoming): void {
    this.onmessage?.(m as JSONRPCMessage);
  }

  private reply(message: unknown): void {
    if (this.closed || this.outputGone) return;
    this.output.write((message instanceof SerializedAnswer ? message.json : JSON.stringify(message)) + '\n');
  }
}

/** Without trim(), which would copy every line just to test it. */
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) return false;
  }
  return true;
}
