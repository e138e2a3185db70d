// The stdio transport on its own: what it answers itself, what it hands to the SDK, and how it behaves when the
// client stops reading (EPIPE, a stdout that never drains).
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { LineTransport, MAX_LINE_BYTES, type EarlyAnswer } from '../../src/transports/stdio/lineTransport.js';

function setUp(opts: { output?: NodeJS.WritableStream; drainTimeoutMs?: number; early?: EarlyAnswer } = {}) {
  const input = new PassThrough();
  const out = new PassThrough();
  const output = opts.output ?? out;
  const ended: string[] = [];
  const t = new LineTransport({ input, output, early: opts.early, drainTimeoutMs: opts.drainTimeoutMs, onEnd: (why) => ended.push(why) });
  const delivered: JSONRPCMessage[] = [];
  t.onmessage = (m) => delivered.push(m);
  let written = '';
  out.on('data', (d: Buffer) => (written += d.toString('utf8')));
  const lines = () =>
    written
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>);
  const tick = () => new Promise((r) => setImmediate(r));
  return { t, input, delivered, lines, ended, tick };
}

describe('LineTransport', () => {
  it('delivers each line as one message once started, and queues what came before', async () => {
    const s = setUp();
    s.input.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    await s.tick();
    expect(s.delivered).toHaveLength(0);
    await s.t.start();
    expect(s.delivered.map((m) => (m as { method?: string }).method)).toEqual(['ping', 'notifications/initialized']);
    s.input.write('{"jsonrpc":"2.0","id":2,"method":"tools/list"}\r\n');
    await s.tick();
    expect(s.delivered).toHaveLength(3);
  });

  it('answers what the SDK would drop or mislabel: bad JSON, a bad envelope, a malformed tools/call, an oversized line', async () => {
    const s = setUp();
    await s.t.start();
    s.input.write('not json\n');
    s.input.write('{"jsonrpc":"1.0","id":"a","method":"ping"}\n');
    s.input.write('{"jsonrpc":"2.0","id":"b","method":"tools/call","params":{"name":"x","arguments":[1]}}\n');
    s.input.write('{"jsonrpc":"2.0","id":"c","method":"tools/call","params":{"name":"x","arguments":{"__proto__":{"limit":1}}}}\n');
    s.input.write(Buffer.alloc(MAX_LINE_BYTES + 1, 0x20));
    s.input.write('\n');
    await s.tick();
    const answers = s.lines();
    expect(answers.map((a) => [a.id, a.error?.code])).toEqual([
      [null, -32700],
      ['a', -32600],
      ['b', -32602],
      ['c', -32602],
      [null, -32600],
    ]);
    expect(answers[2]!.error.message).toMatch(/arguments must be an object/);
    expect(s.delivered).toHaveLength(0);
  });

  it("answers the first messages early and drops the full server's second answer to initialize", async () => {
    const s = setUp({ early: (m) => (m.method === 'initialize' ? { jsonrpc: '2.0', id: m.id, result: { early: true } } : undefined) });
    s.input.write('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}\n');
    await s.tick();
    expect(s.lines()).toEqual([{ jsonrpc: '2.0', id: 1, result: { early: true } }]);
    await s.t.start();
    // The server still learns the client's capabilities from the replayed initialize…
    expect(s.delivered).toHaveLength(1);
    // …and its own answer to it is not sent a second time.
    await s.t.send({ jsonrpc: '2.0', id: 1, result: { late: true } });
    await s.t.send({ jsonrpc: '2.0', id: 2, result: {} });
    await s.tick();
    expect(s.lines().map((l) => l.id)).toEqual([1, 2]);
  });

  it('reports the end of stdin once', async () => {
    const s = setUp();
    s.input.end();
    await s.tick();
    await s.tick();
    expect(s.ended).toEqual(['stdin closed']);
  });

  it('on EPIPE: closes the session (so the SDK aborts calls in flight), reports the end once, and later sends do not write or throw', async () => {
    const failing = new Writable({ write: (_c, _e, cb) => cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
    const s = setUp({ output: failing });
    let closed = 0;
    s.t.onclose = () => closed++;
    await s.t.start();
    await s.t.send({ jsonrpc: '2.0', id: 1, result: {} });
    await s.tick();
    expect(s.ended).toEqual(['stdout failed (EPIPE)']);
    expect(closed).toBe(1);
    await expect(s.t.send({ jsonrpc: '2.0', id: 2, result: {} })).resolves.toBeUndefined();
    expect(s.ended).toHaveLength(1);
  });

  it('never waits forever for a stdout that does not drain: the client counts as gone', async () => {
    // A writable that accepts nothing and never calls back: write() says "full", and 'drain' never comes.
    const stuck = new Writable({ highWaterMark: 1, write: () => {} });
    const s = setUp({ output: stuck, drainTimeoutMs: 50 });
    await s.t.start();
    const sends = [s.t.send({ jsonrpc: '2.0', id: 1, result: {} }), s.t.send({ jsonrpc: '2.0', id: 2, result: {} })];
    await expect(Promise.all(sends)).resolves.toEqual([undefined, undefined]);
    expect(s.ended).toEqual(['stdout stayed full for 50 ms']);
  });
});
