import { afterEach, describe, expect, it } from 'vitest';
import { MockAgent } from 'undici';
import { GraphClient, type GraphClientOptions } from '../../src/graph/client.js';
import { graphRejection } from '../support/graph-rejection.js';
import { graphPath, type ThrottleNotice, type TokenProvider } from '../../src/graph/types.js';
import { createLogger } from '../../src/core/log.js';

const ROOT = 'https://graph.test';
const RETRY_PATH = graphPath`/deviceManagement/virtualEndpoint/bulkActions/${'ba-1'}/retry`;
const BETA_RETRY = `/beta${RETRY_PATH}`;
const LIST_PATH = '/deviceManagement/virtualEndpoint/bulkActions';
const HTTP_DATE = 'Wed, 01 May 2024 12:00:00 GMT';

const agents: MockAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

function fakeTokens(impl?: () => Promise<string>): TokenProvider & { calls: number } {
  const p = {
    calls: 0,
    description: 'fake (delegated)',
    delegated: true,
    async getToken() {
      p.calls++;
      return impl ? impl() : `tok-${p.calls}`;
    },
  };
  return p;
}

function setup(over: Partial<GraphClientOptions> = {}) {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  agents.push(agent);
  const pool = agent.get(ROOT);
  const waits: number[] = [];
  const logs: string[] = [];
  let n = 0;
  const tokens = fakeTokens();
  const client = new GraphClient({
    graphRoot: ROOT,
    tokenProvider: tokens,
    dispatcher: agent,
    timeoutMs: 10_000,
    random: () => 0.5,
    newId: () => `crid-${++n}`,
    logger: createLogger('debug', (line) => logs.push(line)),
    sleep: async (ms, signal) => {
      waits.push(ms);
      signal?.throwIfAborted();
    },
    ...over,
  });
  const calls = () => agent.getCallHistory()!.calls();
  return { agent, pool, client, waits, logs, calls, tokens };
}

function header(h: unknown, name: string): string | undefined {
  const rec = h as Record<string, string>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : rec[key];
}

describe('GraphClient requests', () => {
  it('sends the expected headers and JSON body; 202 with no body', async () => {
    const { pool, client, calls, logs } = setup();
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(202, '', { headers: { 'request-id': 'rid-1', date: HTTP_DATE } });

    const res = await client.request({
      method: 'POST',
      path: RETRY_PATH,
      body: { cloudPcIds: ['pc-1'] },
      headers: { Authorization: 'Bearer stolen', Prefer: 'x' },
    });

    expect(res).toEqual({
      status: 202,
      body: undefined,
      requestId: 'rid-1',
      clientRequestId: 'crid-1',
      date: '2024-05-01T12:00:00.000Z',
      attempts: 1,
    });
    const [c] = calls();
    expect(calls()).toHaveLength(1);
    expect(c!.fullUrl).toBe(`${ROOT}${BETA_RETRY}`);
    expect(header(c!.headers, 'authorization')).toBe('Bearer tok-1');
    expect(header(c!.headers, 'client-request-id')).toBe('crid-1');
    expect(header(c!.headers, 'return-client-request-id')).toBe('true');
    expect(header(c!.headers, 'content-type')).toBe('application/json');
    expect(header(c!.headers, 'accept')).toBe('application/json');
    expect(header(c!.headers, 'prefer')).toBe('x');
    expect(header(c!.headers, 'user-agent')).toMatch(/cloudpc-mcp/);
    expect(JSON.parse(c!.body as string)).toEqual({ cloudPcIds: ['pc-1'] });

    expect(logs.some((l) => l.includes('crid-1') && l.includes('rid-1') && l.includes('202'))).toBe(true);
    expect(logs.join('\n')).not.toMatch(/tok-|stolen|Bearer/);
  });

  it('GET: no content-type, encoded path and query, parsed body, request-id and date surfaced', async () => {
    const { pool, client, calls } = setup();
    pool
      .intercept({ path: (p) => p.startsWith('/beta/deviceManagement'), method: 'GET' })
      .reply(200, { value: [{ id: 'a' }] }, { headers: { 'content-type': 'application/json', 'request-id': 'rid-9', date: HTTP_DATE } });

    const res = await client.request<{ value: { id: string }[] }>({
      method: 'GET',
      path: graphPath`/deviceManagement/virtualEndpoint/bulkActions/${'a b/c?d#e'}`,
      query: { $select: 'id,status', $filter: "status eq 'failed'" },
    });

    expect(res.body).toEqual({ value: [{ id: 'a' }] });
    expect(res.requestId).toBe('rid-9');
    expect(res.date).toBe('2024-05-01T12:00:00.000Z');
    const [c] = calls();
    const url = new URL(c!.fullUrl);
    expect(url.pathname).toBe('/beta/deviceManagement/virtualEndpoint/bulkActions/a%20b%2Fc%3Fd%23e');
    expect(url.searchParams.get('$select')).toBe('id,status');
    expect(url.searchParams.get('$filter')).toBe("status eq 'failed'");
    expect(c!.fullUrl).not.toContain('+');
    expect(header(c!.headers, 'content-type')).toBeUndefined();
    expect(c!.body ?? undefined).toBeUndefined();
  });

  it('falls back to the local time when the response has no Date header', async () => {
    const now = Date.parse('2030-01-02T03:04:05Z');
    const { pool, client } = setup({ now: () => now });
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(202);
    const res = await client.request({ method: 'POST', path: RETRY_PATH });
    expect(res.date).toBe('2030-01-02T03:04:05.000Z');
  });

  it.each(['deviceManagement', '/a/../b', '/a/%2E%2e/b', '/a?x=1', '/a#f', '//evil.test/x', '/a\\b'])(
    'refuses unsafe path %j without sending anything',
    async (path) => {
      const { client, calls, tokens } = setup();
      const e = await graphRejection(client.request({ method: 'GET', path }));
      expect(e.kind).toBe('refused');
      expect(calls()).toHaveLength(0);
      expect(tokens.calls).toBe(0);
    },
  );

  it('invalid JSON on a 200 → invalidResponse', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: `/beta${LIST_PATH}` }).reply(200, '<html>oops', { headers: { 'content-type': 'text/html' } });
    const e = await graphRejection(client.request({ method: 'GET', path: LIST_PATH }));
    expect(e.kind).toBe('invalidResponse');
    expect(e.status).toBe(200);
  });

  it('Graph error body → http error with code, message and ids', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(
      404,
      {
        error: { code: 'ResourceNotFound', message: 'Not found', innerError: { 'request-id': 'body-rid', date: '2024-05-01T12:00:00' } },
      },
      { headers: { 'content-type': 'application/json', 'request-id': 'rid-404', date: HTTP_DATE } },
    );
    const e = await graphRejection(client.request({ method: 'POST', path: RETRY_PATH }));
    expect(e).toMatchObject({
      kind: 'http',
      status: 404,
      code: 'ResourceNotFound',
      graphMessage: 'Not found',
      requestId: 'rid-404',
      clientRequestId: 'crid-1',
      date: '2024-05-01T12:00:00.000Z',
      ambiguous: false,
      attempts: 1,
      method: 'POST',
      path: RETRY_PATH,
    });
  });
});

describe('GraphClient throttling', () => {
  it('429 with Retry-After then 202: waits as told, exactly two POSTs with fresh ids and tokens', async () => {
    const { pool, client, calls, waits } = setup();
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(429, '', { headers: { 'retry-after': '3' } });
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(202);
    const notices: ThrottleNotice[] = [];

    const res = await client.request({ method: 'POST', path: RETRY_PATH, body: {}, onThrottle: (n) => notices.push(n) });

    expect(res.status).toBe(202);
    expect(res.attempts).toBe(2);
    expect(res.clientRequestId).toBe('crid-2');
    expect(notices).toEqual([{ attempt: 1, status: 429, waitMs: 3000 }]);
    expect(waits).toEqual([3000]);
    expect(calls()).toHaveLength(2);
    expect(calls().map((c) => header(c.headers, 'client-request-id'))).toEqual(['crid-1', 'crid-2']);
    expect(calls().map((c) => header(c.headers, 'authorization'))).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('429 asking for longer than the budget → throttled at once, no wait', async () => {
    const { pool, client, calls, waits } = setup({ throttle: { maxTotalWaitMs: 60_000 } });
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(429, '', { headers: { 'retry-after': '120', 'request-id': 'rid-t' } });
    const notices: ThrottleNotice[] = [];

    const e = await graphRejection(client.request({ method: 'POST', path: RETRY_PATH, onThrottle: (n) => notices.push(n) }));

    expect(e).toMatchObject({ kind: 'throttled', status: 429, retryAfterMs: 120_000, ambiguous: false, requestId: 'rid-t', attempts: 1 });
    expect(waits).toEqual([]);
    expect(notices).toEqual([]);
    expect(calls()).toHaveLength(1);
  });

  it('429 on every attempt → throttled after maxAttempts', async () => {
    const { pool, client, calls, waits } = setup({ throttle: { maxAttempts: 3 } });
    pool
      .intercept({ path: BETA_RETRY, method: 'POST' })
      .reply(429, '', { headers: { 'retry-after': '1' } })
      .times(3);
    const e = await graphRejection(client.request({ method: 'POST', path: RETRY_PATH }));
    expect(e).toMatchObject({ kind: 'throttled', status: 429, attempts: 3, retryAfterMs: 1000 });
    expect(waits).toEqual([1000, 1000]);
    expect(calls()).toHaveLength(3);
  });

  it('503 without Retry-After is retried after a backoff', async () => {
    const { pool, client, calls, waits } = setup();
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(503, 'Service Unavailable');
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(202);
    const notices: ThrottleNotice[] = [];
    const res = await client.request({ method: 'POST', path: RETRY_PATH, onThrottle: (n) => notices.push(n) });
    expect(res.status).toBe(202);
    expect(calls()).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(1000);
    expect(notices).toEqual([{ attempt: 1, status: 503, waitMs: waits[0] }]);
  });

  it('abort during a throttling wait rejects at once as aborted, not ambiguous', async () => {
    const { pool, client, calls } = setup({
      // A wait that only ends by abort: if the client ignored the signal, this test would hang.
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true })),
    });
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(429, '', { headers: { 'retry-after': '30' } });
    const ac = new AbortController();

    const e = await graphRejection(
      client.request({ method: 'POST', path: RETRY_PATH, signal: ac.signal, onThrottle: () => queueMicrotask(() => ac.abort()) }),
    );

    expect(e).toMatchObject({ kind: 'aborted', ambiguous: false });
    expect(calls()).toHaveLength(1);
  });

  it('the default sleep is abortable', { timeout: 20_000 }, async () => {
    const { pool, client, calls } = setup({ sleep: undefined });
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(429, '', { headers: { 'retry-after': '50' } });
    const ac = new AbortController();
    const e = await graphRejection(
      client.request({ method: 'POST', path: RETRY_PATH, signal: ac.signal, onThrottle: () => setImmediate(() => ac.abort()) }),
    );
    expect(e.kind).toBe('aborted');
    expect(calls()).toHaveLength(1);
  });
});

describe('GraphClient failures that may have been accepted', () => {
  it.each([
    [500, '{"error":{"code":"InternalServerError","message":"boom"}}', 'application/json', 'boom'],
    [502, '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', 'text/html', '502 Bad Gateway'],
    [504, '', undefined, undefined],
  ])('POST %i → exactly one request, ambiguous', async (status, body, contentType, message) => {
    const { pool, client, calls, waits } = setup();
    pool
      .intercept({ path: BETA_RETRY, method: 'POST' })
      .reply(status, body, { headers: contentType ? { 'content-type': contentType } : {} })
      .persist();
    const e = await graphRejection(client.request({ method: 'POST', path: RETRY_PATH }));
    expect(e).toMatchObject({ kind: 'http', status, ambiguous: true, attempts: 1 });
    expect(e.graphMessage).toBe(message);
    expect(calls()).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('GET 502 is retried', async () => {
    const { pool, client, calls } = setup();
    pool.intercept({ path: `/beta${LIST_PATH}` }).reply(502, '<title>Bad Gateway</title>');
    pool.intercept({ path: `/beta${LIST_PATH}` }).reply(200, { value: [] });
    const res = await client.request({ method: 'GET', path: LIST_PATH });
    expect(res).toMatchObject({ status: 200, body: { value: [] }, attempts: 2 });
    expect(calls()).toHaveLength(2);
  });

  it('POST connection reset after send → one request, ambiguous network error', async () => {
    const { pool, client, calls } = setup();
    pool
      .intercept({ path: BETA_RETRY, method: 'POST' })
      .replyWithError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))
      .persist();
    const e = await graphRejection(client.request({ method: 'POST', path: RETRY_PATH }));
    expect(e).toMatchObject({ kind: 'network', ambiguous: true, host: 'graph.test' });
    expect(calls()).toHaveLength(1);
  });

  it('POST refused before connecting is safe to send again', async () => {
    const { pool, client, calls } = setup();
    pool
      .intercept({ path: BETA_RETRY, method: 'POST' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(202);
    const res = await client.request({ method: 'POST', path: RETRY_PATH });
    expect(res.attempts).toBe(2);
    expect(calls()).toHaveLength(2);
  });

  it('deadline hit on a POST → timeout, ambiguous, one request', async () => {
    const { pool, client, calls } = setup({ timeoutMs: 50 });
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(202).delay(5_000).persist();
    const e = await graphRejection(client.request({ method: 'POST', path: RETRY_PATH }));
    expect(e).toMatchObject({ kind: 'timeout', ambiguous: true, timeoutMs: 50 });
    expect(calls()).toHaveLength(1);
  });

  it('deadline hit on a GET is retried, then reported as timeout', async () => {
    const { pool, client, calls } = setup({ timeoutMs: 50, throttle: { maxAttempts: 2 } });
    pool
      .intercept({ path: `/beta${LIST_PATH}` })
      .reply(200, {})
      .delay(5_000)
      .persist();
    const e = await graphRejection(client.request({ method: 'GET', path: LIST_PATH }));
    expect(e).toMatchObject({ kind: 'timeout', ambiguous: false, attempts: 2 });
    expect(calls()).toHaveLength(2);
  });

  it('caller abort while a POST is in flight → aborted, ambiguous', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(202).delay(5_000);
    const ac = new AbortController();
    const p = client.request({ method: 'POST', path: RETRY_PATH, signal: ac.signal });
    setImmediate(() => ac.abort());
    const e = await graphRejection(p);
    expect(e).toMatchObject({ kind: 'aborted', ambiguous: true });
  });

  it('an already-aborted signal sends nothing', async () => {
    const { client, calls } = setup();
    const e = await graphRejection(client.request({ method: 'POST', path: RETRY_PATH, signal: AbortSignal.abort() }));
    expect(e).toMatchObject({ kind: 'aborted', ambiguous: false });
    expect(calls()).toHaveLength(0);
  });
});

describe('GraphClient tokens and nextLink', () => {
  it('token provider failure propagates unchanged and nothing is sent', async () => {
    const authError = new Error('AADSTS50076: MFA required');
    const { client, calls } = setup({ tokenProvider: fakeTokens(() => Promise.reject(authError)) });
    await expect(client.request({ method: 'POST', path: RETRY_PATH })).rejects.toBe(authError);
    expect(calls()).toHaveLength(0);
  });

  it.each([
    'https://evil.test/beta/deviceManagement/virtualEndpoint/bulkActions?$skiptoken=x',
    'http://graph.test/beta/deviceManagement/virtualEndpoint/bulkActions',
    'https://graph.test/v1.0/deviceManagement/virtualEndpoint/bulkActions',
    'https://graph.test.evil.test/beta/x',
    'https://user:pw@graph.test/beta/x',
    'not a url',
  ])('refuses nextLink %s without any request or token', async (url) => {
    const { client, calls, tokens } = setup();
    const e = await graphRejection(client.getNextLink({ url }));
    expect(e.kind).toBe('refused');
    expect(calls()).toHaveLength(0);
    expect(tokens.calls).toBe(0);
  });

  it('follows a nextLink inside the Graph root with the same retry behaviour', async () => {
    const { pool, client, calls } = setup();
    const next = `${ROOT}/beta${LIST_PATH}?$skiptoken=abc%3D`;
    pool.intercept({ path: (p) => p.startsWith(`/beta${LIST_PATH}`) }).reply(429, '', { headers: { 'retry-after': '1' } });
    pool.intercept({ path: (p) => p.startsWith(`/beta${LIST_PATH}`) }).reply(200, { value: [1] });
    const res = await client.getNextLink<{ value: number[] }>({ url: next });
    expect(res.body).toEqual({ value: [1] });
    expect(res.attempts).toBe(2);
    expect(calls()).toHaveLength(2);
    expect(calls()[1]!.fullUrl).toBe(next);
    expect(header(calls()[1]!.headers, 'authorization')).toBe('Bearer tok-2');
  });
});

describe('GraphClient lifecycle', () => {
  it('closes the agent it owns but never an injected dispatcher', async () => {
    const owned = new GraphClient({ graphRoot: 'https://graph.microsoft.com/', tokenProvider: fakeTokens(), timeoutMs: 1000 });
    await owned.close();

    const { pool, client } = setup();
    await client.close();
    pool.intercept({ path: BETA_RETRY, method: 'POST' }).reply(202);
    const again = new GraphClient({ graphRoot: ROOT, tokenProvider: fakeTokens(), dispatcher: agents[0]!, timeoutMs: 1000 });
    expect((await again.request({ method: 'POST', path: RETRY_PATH })).status).toBe(202);
  });
});
