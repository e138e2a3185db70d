// Protocol abuse on stdio, with raw bytes rather than the SDK client: malformed and hostile lines, a 20 MB line, a
// flood, and the ways a session ends (EOF mid-call, SIGTERM, SIGINT). Every stdout line must be JSON-RPC 2.0, every
// request the server can identify must be answered exactly once, and exits must happen within a hang-detector bound.
import { afterAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import type { RpcId } from '../support/hardening-jsonrpc.js';
import { makeSecrets, SecretScanner, secretEnv } from '../support/hardening-secrets.js';
import { ServerProcess } from '../support/hardening-stdio.js';
import { baseEnv } from './harness.js';

const EXIT_BOUND_MS = 10_000;
const secrets = makeSecrets();
const scanner = new SecretScanner(secrets);
const sim = useSimulator({ token: secrets.token });
const started: ServerProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
});

function server(extra: Record<string, string> = {}): ServerProcess {
  const p = new ServerProcess({
    env: baseEnv({ ...secretEnv(secrets), CLOUDPC_MCP_GRAPH_URL: sim.url, ...extra }),
    observe: scanner.observe,
  });
  started.push(p);
  return p;
}

async function initialize(p: ServerProcess): Promise<void> {
  await p.send({
    jsonrpc: '2.0',
    id: 'init',
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  await p.response('init');
  await p.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

const call = (id: RpcId, name: string, args: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

/** What a clean session leaves behind: protocol-only stdout and no secret anywhere. */
function expectClean(p: ServerProcess): void {
  expect(p.describeViolations()).toBe('');
  expect(scanner.report()).toBe('');
}

function responsesTo(p: ServerProcess, id: RpcId) {
  return p.messages.filter((m) => m.id === id && !('method' in m));
}

describe('malformed and hostile lines', () => {
  // [line, id the server can read from it (must be answered exactly once), or null when there is none]
  const LINES: [string, RpcId | null][] = [
    ['{', null],
    ['not json at all', null],
    ['\u0000\u0001\u00ff binary', null],
    ['[]', null],
    ['[{"jsonrpc":"2.0","id":"batch","method":"ping"}]', null],
    ['"a string"', null],
    ['42', null],
    ['null', null],
    ['{}', null],
    ['{"jsonrpc":"2.0"}', null],
    ['{"jsonrpc":"2.0","id":{"an":"object"},"method":"ping"}', null],
    ['{"jsonrpc":"2.0","id":true,"method":"ping"}', null],
    ['{"jsonrpc":"1.0","id":"v1","method":"ping"}', 'v1'],
    ['{"jsonrpc":"2.0","id":"num-method","method":42}', 'num-method'],
    ['{"jsonrpc":"2.0","id":"unknown-method","method":"no/such/method"}', 'unknown-method'],
    ['{"jsonrpc":"2.0","id":"proto-method","method":"__proto__"}', 'proto-method'],
    ['{"jsonrpc":"2.0","id":"ctor-method","method":"constructor"}', 'ctor-method'],
    ['{"jsonrpc":"2.0","id":"crlf","method":"ping"}\r', 'crlf'],
    ['{"jsonrpc":"2.0","id":-7,"method":"ping"}', -7],
    ['{"jsonrpc":"2.0","id":"call-no-params","method":"tools/call"}', 'call-no-params'],
    ['{"jsonrpc":"2.0","id":"call-name-number","method":"tools/call","params":{"name":5}}', 'call-name-number'],
    [
      '{"jsonrpc":"2.0","id":"call-unknown-tool","method":"tools/call","params":{"name":"../../etc/passwd","arguments":{}}}',
      'call-unknown-tool',
    ],
    [
      `{"jsonrpc":"2.0","id":"proto-args","method":"tools/call","params":{"name":"list_cloud_pcs","arguments":{"__proto__":{"limit":1}}}}`,
      'proto-args',
    ],
    [
      `{"jsonrpc":"2.0","id":"deep-args","method":"tools/call","params":{"name":"list_cloud_pcs","arguments":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}}`,
      'deep-args',
    ],
    ['{"jsonrpc":"2.0","method":"no/such/notification"}', null],
    ['{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"never-sent"}}', null],
    ['{"jsonrpc":"2.0","id":"never-asked","result":{}}', null],
    ['{"jsonrpc":"2.0","id":"never-asked-2","error":{"code":1,"message":"x"}}', null],
    ['', null],
    ['   ', null],
  ];

  it('answers every request it can identify exactly once, sends nothing to Graph, and keeps serving', async () => {
    const p = server();
    await initialize(p);
    sim.requests.length = 0;
    // All in one write, as a misbehaving client would, with a ping after each line to show the session goes on.
    const payload = LINES.map(([line], i) => `${line}\n${JSON.stringify({ jsonrpc: '2.0', id: `after-${i}`, method: 'ping' })}\n`).join('');
    await p.write(payload);
    // Answers may come out of order (pings can be answered before the full server has loaded): wait for each.
    for (let i = 0; i < LINES.length; i++) await p.response(`after-${i}`);
    for (const [, id] of LINES) if (id !== null) await p.response(id);
    await p.send({ jsonrpc: '2.0', id: 'last', method: 'ping' }).then(() => p.response('last'));

    for (const [line, id] of LINES) {
      if (id === null) continue;
      const answers = responsesTo(p, id);
      expect(answers, `answers to ${line.slice(0, 120)}`).toHaveLength(1);
    }
    const unknown = responsesTo(p, 'unknown-method')[0]!;
    expect(unknown.error?.code).toBe(-32601);
    for (const id of ['call-no-params', 'call-name-number', 'call-unknown-tool']) {
      expect(responsesTo(p, id)[0]!.error?.code, id).toBe(-32602);
    }
    // A "__proto__" member would become the arguments' prototype once parsed, so it is refused before any tool sees it.
    const protoArgs = responsesTo(p, 'proto-args')[0]!.error;
    expect(protoArgs?.code).toBe(-32602);
    expect(protoArgs?.message).toMatch(/"__proto__".*remove it/);
    // Nothing else was answered: notifications and stray responses get no reply with an id.
    const ids = new Set(p.messages.filter((m) => !('method' in m) && m.id !== null).map((m) => m.id));
    for (const stray of ['never-asked', 'never-asked-2', 'batch']) expect(ids.has(stray)).toBe(false);
    expect(sim.requests).toHaveLength(0);

    p.endInput();
    expect((await p.waitForExit(EXIT_BOUND_MS)).code).toBe(0);
    expectClean(p);
  });

  // The SDK drops such envelopes without a reply (the client would wait for its own timeout), so the stdio transport
  // answers them itself with -32600 and their id.
  const ENVELOPE_REJECTED: [string, RpcId][] = [
    ['{"jsonrpc":"2.0","id":"call-params-string","method":"tools/call","params":"retry everything"}', 'call-params-string'],
    ['{"jsonrpc":"2.0","id":"call-params-array","method":"tools/call","params":[]}', 'call-params-array'],
    ['{"jsonrpc":"2.0","id":"extra-member","method":"ping","extra":true}', 'extra-member'],
    ['{"jsonrpc":"2.0","id":"proto-member","method":"ping","__proto__":{"polluted":true}}', 'proto-member'],
    ['{"jsonrpc":"2.0","id":"bad-meta","method":"tools/list","params":{"_meta":"x"}}', 'bad-meta'],
    [
      '{"jsonrpc":"2.0","id":"bad-progress-token","method":"tools/list","params":{"_meta":{"progressToken":{"a":1}}}}',
      'bad-progress-token',
    ],
    ['{"jsonrpc":"2.0","id":2.5,"method":"ping"}', 2.5],
  ];
  it('requests with a readable id but a malformed envelope get an Invalid Request reply with their id', async () => {
    const p = server();
    await initialize(p);
    await p.write(ENVELOPE_REJECTED.map(([line]) => line).join('\n') + '\n');
    // A marker only the full server answers: once it is answered, every line before it has been dealt with.
    await p.send(call('marker', 'list_cloud_pcs', { limit: 0 }));
    await p.response('marker');
    try {
      for (const [line, id] of ENVELOPE_REJECTED) {
        expect(
          responsesTo(p, id).map((m) => m.error?.code),
          line,
        ).toEqual([-32600]);
      }
    } finally {
      p.endInput();
      await p.waitForExit(EXIT_BOUND_MS);
      expectClean(p);
    }
  });

  it('a tools/call whose arguments are not an object is an invalid-params error, not an internal error', async () => {
    const p = server();
    await initialize(p);
    for (const [i, args] of [null, 'x', 5, [], true].entries()) await p.send(call(`np-${i}`, 'list_cloud_pcs', args));
    for (let i = 0; i < 5; i++) expect((await p.response(`np-${i}`)).error?.code).toBe(-32602);
    p.endInput();
    expect((await p.waitForExit(EXIT_BOUND_MS)).code).toBe(0);
    expectClean(p);
  });
});

describe('oversized input', () => {
  it('20 MB lines are refused without taking the session down, and are not kept in memory', async () => {
    const p = server();
    await initialize(p);
    // A call only the full server can answer, so the baseline is taken after it has loaded.
    await p.send(call('warm', 'list_cloud_pcs', { limit: 0 })).then(() => p.response('warm'));
    const rss = [p.procStats()?.rssKb];
    for (const id of ['huge-1', 'huge-2', 'huge-3', 'huge-4']) {
      await p.write(JSON.stringify(call(id, 'list_cloud_pcs', { nameStartsWith: 'x'.repeat(20 * 1024 * 1024) })) + '\n');
      await p.send({ jsonrpc: '2.0', id: `after-${id}`, method: 'ping' });
      expect((await p.response(`after-${id}`, 30_000)).result).toEqual({});
      rss.push(p.procStats()?.rssKb);
    }
    // Each refusal is a JSON-RPC error: addressed to the request if its id could be read, otherwise to id null.
    const refusals = p.messages.filter((m) => (m.id === null || String(m.id).startsWith('huge')) && m.error);
    expect(refusals.map((m) => m.error?.code)).toEqual([-32600, -32600, -32600, -32600]);
    // The first lines raise the allocator's high-water mark, then it levels off; keeping the lines would add at least
    // 20 MB for each one, 40 MB for the last two. Under < 30 MB leaves room for GC timing on a loaded machine while
    // still catching a kept line: a leak detector, not a measurement.
    if (rss.every((v) => v !== undefined)) {
      const [base, first, second, , fourth] = rss;
      expect(first! - base!).toBeLessThan(80 * 1024);
      expect(fourth! - second!).toBeLessThan(30 * 1024);
    }

    const r = await p.send(call('still-works', 'list_cloud_pcs', { limit: 1 })).then(() => p.response('still-works'));
    expect((r.result as { isError?: boolean }).isError).toBeFalsy();
    p.endInput();
    expect((await p.waitForExit(EXIT_BOUND_MS)).code).toBe(0);
    expectClean(p);
  });

  it('20 MB with no newline, then EOF: the server exits cleanly', async () => {
    const p = server();
    await initialize(p);
    const chunk = Buffer.alloc(1024 * 1024, 'y');
    for (let i = 0; i < 20; i++) await p.write(chunk);
    p.endInput();
    expect((await p.waitForExit(EXIT_BOUND_MS)).code).toBe(0);
    expectClean(p);
  });
});

describe('a flood of requests', () => {
  it('2,000 requests written at once are each answered exactly once', async () => {
    const p = server();
    await initialize(p);
    sim.requests.length = 0;
    const N = 2_000;
    const isNotification = (i: number) => i % 8 === 7;
    const lines: string[] = [];
    for (let i = 0; i < N; i++) {
      const kind = i % 8;
      const msg =
        kind <= 2
          ? { jsonrpc: '2.0', id: i, method: 'ping' }
          : kind === 3
            ? { jsonrpc: '2.0', id: i, method: 'tools/list' }
            : kind === 4
              ? call(i, 'retry_cloudpc_bulk_action', { bulkActionId: 'not-a-guid' })
              : kind === 5
                ? call(i, 'list_cloud_pcs', { limit: 1 })
                : kind === 6
                  ? call(i, 'get_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart, includeDevices: false })
                  : { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: i, progress: 1 } };
      lines.push(JSON.stringify(msg));
    }
    await p.write(lines.join('\n') + '\n');
    const expected = [...Array(N).keys()].filter((i) => !isNotification(i));
    // Answers come out of order (Graph calls take longer than pings): wait for every one of them.
    for (const i of expected) await p.response(i, 60_000);
    await p.send({ jsonrpc: '2.0', id: 'last', method: 'ping' });
    await p.response('last', 60_000);
    const counts = new Map<unknown, number>();
    for (const m of p.messages) if (!('method' in m)) counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
    const wrong = expected.filter((i) => counts.get(i) !== 1);
    expect(wrong, `ids not answered exactly once: ${wrong.slice(0, 10).join(', ')}`).toEqual([]);
    for (const r of sim.requests) expect(r.method).toBe('GET');
    p.endInput();
    expect((await p.waitForExit(EXIT_BOUND_MS)).code).toBe(0);
    expectClean(p);
  });
});

describe('how a session ends', () => {
  const RETRY = '/beta/deviceManagement/virtualEndpoint/bulkActions/*/retry';

  /** A session with calls in flight: one retry stalled inside Graph, one read waiting out throttling. */
  async function busy(): Promise<ServerProcess> {
    sim.reset();
    sim.faults.add({ kind: 'stall', match: { method: 'POST', path: RETRY } });
    sim.faults.add({
      kind: 'status',
      status: 429,
      headers: { 'Retry-After': '30' },
      match: { method: 'GET', path: '/beta/deviceManagement/virtualEndpoint/cloudPCs' },
    });
    const p = server({ CLOUDPC_MCP_MAX_THROTTLE_WAIT_MS: '60000' });
    await initialize(p);
    await p.send(call('stalled', 'retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart }));
    await p.send(call('throttled', 'list_cloud_pcs', { limit: 1 }));
    for (let i = 0; i < 500 && sim.faults.fired.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sim.faults.fired.map((f) => f.kind).sort()).toEqual(['stall', 'status']);
    return p;
  }

  it('stdin closed in the middle of calls: the server exits cleanly within the bound', async () => {
    const p = await busy();
    p.endInput();
    const exit = await p.waitForExit(EXIT_BOUND_MS);
    expect(exit.code).toBe(0);
    expectClean(p);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('%s in the middle of calls: the server exits cleanly within the bound', async (signal) => {
    const p = await busy();
    p.child.kill(signal);
    const exit = await p.waitForExit(EXIT_BOUND_MS);
    expect(exit.code).toBe(0);
    expectClean(p);
  });

  it('stdin closed before anything was said: the server exits cleanly', async () => {
    const p = server();
    p.endInput();
    expect((await p.waitForExit(EXIT_BOUND_MS)).code).toBe(0);
    expect(p.stdoutLines).toBe(0);
    expectClean(p);
  });
});
