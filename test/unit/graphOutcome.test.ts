// The pure parts of the Graph client, as tables: what an exchange's outcome means (hand back, send again, stop, or
// stop because a POST may have been accepted), what is cut out of error text, and where a request may go.
import { describe, expect, it } from 'vitest';
import { ExchangeFailure, type ExchangeResponse } from '../../src/graph/exchange.js';
import { failureOutcome, HttpDates, responseOutcome, type OutcomeContext } from '../../src/graph/outcome.js';
import { parseWithoutCredentials, withoutCredentials } from '../../src/graph/redact.js';
import { nextLinkTarget, requestTarget } from '../../src/graph/requestTarget.js';
import { nextRetryWait, resolveThrottlePolicy } from '../../src/graph/retryPolicy.js';
import { describeGraphError, GraphError, parseGraphErrorBody } from '../../src/graph/errors.js';
import type { HttpMethod } from '../../src/graph/types.js';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');
const HTTP_DATE = 'Wed, 01 May 2024 12:00:05 GMT';
const TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXBhcnQ';

function ctx(method: HttpMethod = 'POST', over: Partial<OutcomeContext> = {}): OutcomeContext {
  const dates = new HttpDates();
  return {
    base: { method, path: '/deviceManagement/x', clientRequestId: 'crid', attempts: 1 },
    token: TOKEN,
    timeoutMs: 30_000,
    host: 'graph.microsoft.com',
    nowMs: NOW,
    isoDate: (raw) => dates.iso(raw),
    ...over,
  };
}

const res = (status: number, body = '', headers: Record<string, string> = {}, truncated = false): ExchangeResponse => ({
  status,
  body,
  headers,
  truncated,
});
const code = (c: string) => Object.assign(new Error(c), { code: c });

describe('responseOutcome', () => {
  it.each<[string, ExchangeResponse, unknown]>([
    [
      '202 without a body',
      res(202, '', { 'request-id': 'r1', date: HTTP_DATE }),
      {
        ok: true,
        response: { status: 202, body: undefined, requestId: 'r1', date: '2024-05-01T12:00:05.000Z', clientRequestId: 'crid', attempts: 1 },
      },
    ],
    ['204', res(204), { ok: true, response: { status: 204, body: undefined, date: new Date(NOW).toISOString() } }],
    ['200 with JSON', res(200, '{"value":[1]}'), { ok: true, response: { status: 200, body: { value: [1] } } }],
    ['200 with whitespace only', res(200, '  \n'), { ok: true, response: { status: 200, body: undefined } }],
    ['200 with invalid JSON', res(200, '{not json'), { ok: false, decision: 'fail', error: { kind: 'invalidResponse', status: 200 } }],
    [
      '200 cut off at the body limit',
      res(200, '{"value":[]}', {}, true),
      { ok: false, decision: 'fail', error: { kind: 'invalidResponse' } },
    ],
  ])('%s', (_what, r, expected) => {
    expect(responseOutcome(ctx('GET'), r)).toMatchObject(expected as object);
  });

  it.each<[HttpMethod, number, Record<string, string>, string, number | undefined]>([
    ['POST', 429, { 'retry-after': '7' }, 'retry', 7000],
    ['POST', 503, {}, 'retry', undefined],
    ['POST', 500, {}, 'ambiguous', undefined],
    ['POST', 502, { 'retry-after': '7' }, 'ambiguous', undefined],
    ['POST', 501, {}, 'fail', undefined],
    ['GET', 500, {}, 'retry', undefined],
    ['GET', 404, {}, 'fail', undefined],
    ['POST', 400, {}, 'fail', undefined],
  ])('%s answered %i %j → %s', (method, status, headers, decision, retryAfterMs) => {
    const out = responseOutcome(ctx(method), res(status, '', headers));
    expect(out).toMatchObject({ ok: false, decision, retryAfterMs, error: { kind: 'http', status, ambiguous: decision === 'ambiguous' } });
  });

  it('reads code, message and ids from a Graph error body, and the Date header wins over the body', () => {
    const body = JSON.stringify({
      error: { code: 'Forbidden', message: 'no', innerError: { 'request-id': 'rb', date: '2020-01-01T00:00:00' } },
    });
    const out = responseOutcome(ctx('GET'), res(403, body, { date: HTTP_DATE }));
    expect(out).toMatchObject({
      error: {
        code: 'Forbidden',
        graphMessage: 'no',
        requestId: 'rb',
        date: '2024-05-01T12:00:05.000Z',
        message: 'Graph GET /deviceManagement/x failed: HTTP 403 Forbidden: no',
      },
    });
  });

  it('an error body that echoes the token never carries it on', () => {
    const body = JSON.stringify({
      error: { code: 'Bad', message: `you sent Authorization: Bearer ${TOKEN} and ${JSON.stringify(TOKEN).slice(1, -1)}` },
    });
    const out = responseOutcome(ctx(), res(400, body));
    expect(JSON.stringify(out)).not.toContain(TOKEN.slice(0, 20));
  });
});

describe('failureOutcome', () => {
  it.each<[string, HttpMethod, ExchangeFailure, object]>([
    [
      'POST refused before connecting',
      'POST',
      new ExchangeFailure(code('ECONNREFUSED'), false, false),
      { decision: 'retry', error: { kind: 'network', ambiguous: false, host: 'graph.microsoft.com' } },
    ],
    [
      'POST reset after sending',
      'POST',
      new ExchangeFailure(code('ECONNRESET'), false, false),
      { decision: 'ambiguous', error: { kind: 'network', ambiguous: true } },
    ],
    ['GET reset', 'GET', new ExchangeFailure(code('ECONNRESET'), false, false), { decision: 'retry', error: { kind: 'network' } }],
    [
      'POST deadline',
      'POST',
      new ExchangeFailure(new Error('deadline'), true, false),
      { decision: 'ambiguous', error: { kind: 'timeout', timeoutMs: 30_000, ambiguous: true } },
    ],
    ['GET deadline', 'GET', new ExchangeFailure(new Error('deadline'), true, false), { decision: 'retry', error: { kind: 'timeout' } }],
    [
      'POST deadline after a 200 status line',
      'POST',
      new ExchangeFailure(new Error('deadline'), true, false, 200, {}),
      { decision: 'ambiguous', error: { kind: 'timeout', status: 200 } },
    ],
    [
      'POST cancelled in flight',
      'POST',
      new ExchangeFailure(new Error('stop'), false, true),
      { decision: 'fail', error: { kind: 'aborted', ambiguous: true } },
    ],
    [
      'GET cancelled in flight',
      'GET',
      new ExchangeFailure(new Error('stop'), false, true),
      { decision: 'fail', error: { kind: 'aborted', ambiguous: false } },
    ],
    [
      'POST cancelled after a 429',
      'POST',
      new ExchangeFailure(new Error('stop'), false, true, 429, {}),
      { decision: 'fail', error: { kind: 'aborted', ambiguous: false } },
    ],
    [
      'POST cancelled after a 202 status line',
      'POST',
      new ExchangeFailure(new Error('stop'), false, true, 202, {}),
      { decision: 'fail', error: { kind: 'aborted', ambiguous: true } },
    ],
    [
      'POST error body lost after a 500',
      'POST',
      new ExchangeFailure(new Error('reset'), false, false, 500, { 'request-id': 'r5' }),
      { decision: 'ambiguous', error: { kind: 'http', status: 500, requestId: 'r5' } },
    ],
  ])('%s', (_what, method, failure, expected) => {
    expect(failureOutcome(ctx(method, { cancelReason: 'client left' }), failure)).toMatchObject({ ok: false, ...expected });
  });

  it("a cancelled attempt carries the caller's reason", () => {
    const out = failureOutcome(ctx('GET', { cancelReason: 'client left' }), new ExchangeFailure(new Error('stop'), false, true));
    expect(out.ok || out.error.cause).toBe('client left');
  });
});

describe('HttpDates', () => {
  it.each([
    [HTTP_DATE, '2024-05-01T12:00:05.000Z'],
    ['not a date', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (raw, iso) => {
    const d = new HttpDates();
    expect(d.iso(raw)).toBe(iso);
    expect(d.iso(raw)).toBe(iso);
  });
});

describe('withoutCredentials', () => {
  it.each([
    ['the exact token', `x ${TOKEN} y`, 'x [redacted] y'],
    ['a bearer value', 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz', 'Authorization: Bearer [redacted]'],
    ['a short bearer word is left alone', 'bearer token required', 'bearer token required'],
    ['another JWT', 'saw eyJhbGciOi.eyJzdWIiOi.sig here', 'saw [redacted] here'],
    ['nothing to cut', 'plain text', 'plain text'],
  ])('%s', (_what, text, expected) => {
    expect(withoutCredentials(text, TOKEN)).toBe(expected);
  });

  it('removes a token written with JSON escapes after parsing', () => {
    const escaped = TOKEN.replace(/\./g, '\\u002e');
    const parsed = parseWithoutCredentials(
      JSON.stringify({ error: { code: 'c', message: `echo ${escaped}` } }).replace(/\\\\/g, '\\'),
      TOKEN,
      (t) => parseGraphErrorBody(t),
    );
    expect(parsed.message).toBe('echo [redacted]');
  });
});

describe('request targets', () => {
  it.each<[string, unknown, Record<string, string> | undefined, string | undefined]>([
    ['a plain path', '/deviceManagement/x', undefined, '/beta/deviceManagement/x'],
    ['a query with spaces and $', '/a', { $filter: "x eq 'a b'" }, "/beta/a?$filter=x%20eq%20'a%20b'"],
    ['no leading slash', 'a', undefined, undefined],
    ['a second origin', '//evil.example/a', undefined, undefined],
    ['a dot-dot segment', '/a/../../x', undefined, undefined],
    ['an encoded dot-dot segment', '/a/%2e%2E/x', undefined, undefined],
    ['a query in the path', '/a?b=c', undefined, undefined],
    ['a backslash', '/a\\b', undefined, undefined],
    ['not a string', 42, undefined, undefined],
  ])('%s', (_what, path, query, expected) => {
    expect(requestTarget('/beta/', path, query)).toBe(expected);
  });

  it.each([
    ['inside the root', 'https://graph.microsoft.com/beta/a?$skiptoken=x', { ok: true, target: '/beta/a?$skiptoken=x', logPath: '/a' }],
    ['another origin', 'https://evil.example/beta/a', { ok: false, shownPath: '/beta/a' }],
    ['another version', 'https://graph.microsoft.com/v1.0/a', { ok: false, shownPath: '/v1.0/a' }],
    ['credentials in the link', 'https://u:p@graph.microsoft.com/beta/a', { ok: false, shownPath: '/beta/a' }],
    ['not a URL', 'nope', { ok: false, shownPath: '(invalid url)' }],
  ])('nextLink %s', (_what, url, expected) => {
    expect(nextLinkTarget('https://graph.microsoft.com', '/beta/', url)).toEqual(expected);
  });
});

describe('nextRetryWait', () => {
  const policy = resolveThrottlePolicy({ maxAttempts: 3, maxTotalWaitMs: 10_000, baseDelayMs: 1_000 });
  it.each<[string, { attempt: number; waitedMs: number; retryAfterMs?: number }, number | undefined]>([
    ['what the server asked', { attempt: 1, waitedMs: 0, retryAfterMs: 4_000 }, 4_000],
    ['more than the budget left: give up, never shorten it', { attempt: 1, waitedMs: 8_000, retryAfterMs: 4_000 }, undefined],
    ['attempts spent', { attempt: 3, waitedMs: 0, retryAfterMs: 1 }, undefined],
    ['no Retry-After: backoff with jitter (half-way draw)', { attempt: 2, waitedMs: 0 }, 1_100],
    ['no Retry-After, budget spent', { attempt: 1, waitedMs: 10_000 }, undefined],
    ['backoff capped by what is left', { attempt: 2, waitedMs: 9_500 }, 500],
  ])('%s', (_what, input, expected) => {
    expect(nextRetryWait(policy, input, () => 0.5)).toBe(expected);
  });
});

describe('failures on the way through a proxy', () => {
  const proxy = { shown: 'http://proxy.corp:3128', variable: 'HTTPS_PROXY' };
  // What undici's ProxyAgent says when the proxy answers the CONNECT with something other than 200.
  const tunnel = (status: number) =>
    Object.assign(new Error(`Proxy response (${status}) !== 200 when HTTP Tunneling`), { name: 'AbortError', code: 'UND_ERR_ABORTED' });
  const describe_ = (out: ReturnType<typeof failureOutcome>) =>
    describeGraphError(new GraphError(out.ok ? ({} as never) : out.error), { operation: 'retry' });

  it.each<[string, HttpMethod, ExchangeFailure, string, object, RegExp]>([
    [
      '407 on a POST: not sent, not retried',
      'POST',
      new ExchangeFailure(tunnel(407), false, false),
      'fail',
      { status: 407 },
      /The proxy http:\/\/proxy\.corp:3128 \(HTTPS_PROXY\) asks for authentication \(HTTP 407\).*HTTPS_PROXY=http:\/\/user:password@host:port.*list graph\.microsoft\.com in NO_PROXY/,
    ],
    [
      '403 on a GET: the proxy refuses the Graph host',
      'GET',
      new ExchangeFailure(tunnel(403), false, false),
      'fail',
      { status: 403 },
      /refused the connection to graph\.microsoft\.com \(HTTP 403\)/,
    ],
    [
      '502 from the proxy may pass: sent again',
      'POST',
      new ExchangeFailure(tunnel(502), false, false),
      'retry',
      { status: 502 },
      /HTTP 502/,
    ],
    [
      'the proxy is down',
      'POST',
      new ExchangeFailure(code('ECONNREFUSED'), false, false),
      'retry',
      { unreachable: true },
      /Cannot reach the proxy http:\/\/proxy\.corp:3128 \(HTTPS_PROXY\)/,
    ],
    [
      'reset after sending, through the proxy',
      'POST',
      new ExchangeFailure(code('ECONNRESET'), false, false),
      'ambiguous',
      {},
      /through the proxy http:\/\/proxy\.corp:3128.*MAY HAVE BEEN ACCEPTED/,
    ],
  ])('%s', (_what, method, failure, decision, proxyPart, hint) => {
    const out = failureOutcome(ctx(method, { proxy }), failure);
    expect(out).toMatchObject({ ok: false, decision, error: { kind: 'network', proxy: { ...proxy, ...proxyPart } } });
    expect(describe_(out)).toMatch(hint);
  });

  it('without a proxy, the same failure names none', () => {
    const out = failureOutcome(ctx('GET'), new ExchangeFailure(code('ECONNREFUSED'), false, false));
    expect(out.ok || out.error.proxy).toBeUndefined();
    expect(describe_(out)).toMatch(
      /Cannot reach Graph \(graph\.microsoft\.com\): check the network connection, DNS and any proxy or firewall \(HTTPS_PROXY, NO_PROXY\)/,
    );
  });

  it('an untrusted TLS certificate points to NODE_EXTRA_CA_CERTS', () => {
    const out = failureOutcome(ctx('GET'), new ExchangeFailure(code('SELF_SIGNED_CERT_IN_CHAIN'), false, false));
    expect(describe_(out)).toMatch(/not trusted \(SELF_SIGNED_CERT_IN_CHAIN\).*NODE_EXTRA_CA_CERTS/);
  });
});
