import { describe, expect, it } from 'vitest';
import { describeGraphError, GraphError, parseGraphErrorBody, type GraphErrorInit } from '../../src/graph/errors.js';

describe('parseGraphErrorBody', () => {
  it('reads the Graph error shape', () => {
    const body = JSON.stringify({
      error: {
        code: 'accessDenied',
        message: 'Access is denied.',
        innerError: { date: '2024-05-01T12:00:00', 'request-id': 'rid-1', 'client-request-id': 'crid-1' },
      },
    });
    expect(parseGraphErrorBody(body, 'application/json')).toEqual({
      code: 'accessDenied',
      message: 'Access is denied.',
      requestId: 'rid-1',
      clientRequestId: 'crid-1',
      date: '2024-05-01T12:00:00',
    });
  });

  it('finds ids in nested innerError', () => {
    const body = JSON.stringify({
      error: {
        code: 'InternalServerError',
        message: 'Oops',
        innerError: { innerError: { innerError: { 'request-id': 'deep-rid', 'client-request-id': 'deep-crid', date: 'd' } } },
      },
    });
    expect(parseGraphErrorBody(body)).toMatchObject({
      code: 'InternalServerError',
      requestId: 'deep-rid',
      clientRequestId: 'deep-crid',
      date: 'd',
    });
  });

  it.each([
    ['', undefined],
    ['{', '{'],
    ['null', 'null'],
    ['{"error": 42}', undefined],
    ['[1,2]', '[1,2]'],
  ])('tolerates garbage %j', (text, message) => {
    const out = parseGraphErrorBody(text, 'application/json');
    expect(out.code).toBeUndefined();
    expect(out.message).toBe(message);
  });

  it('turns an HTML gateway page into a short message, preferring <title>', () => {
    const html = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{}</style></head>
      <body><h1>Bad   Gateway</h1><p>${'x'.repeat(5000)}</p></body></html>`;
    expect(parseGraphErrorBody(html, 'text/html')).toEqual({ message: '502 Bad Gateway' });
  });

  it('strips tags and caps a page without a title', () => {
    const html = `<html><body><script>var secret=1</script><h1>Service</h1>\n\n<p>Unavailable ${'y'.repeat(500)}</p></body></html>`;
    const msg = parseGraphErrorBody(html, 'text/html').message!;
    expect(msg.startsWith('Service Unavailable')).toBe(true);
    expect(msg).not.toContain('<');
    expect(msg).not.toContain('secret');
    expect(msg.length).toBeLessThanOrEqual(200);
  });
});

function err(over: Partial<GraphErrorInit>): GraphError {
  return new GraphError({
    kind: 'http',
    message: 'x',
    method: 'POST',
    path: '/deviceManagement/virtualEndpoint/bulkActions/ba-1/retry',
    clientRequestId: 'crid-42',
    requestId: 'rid-42',
    date: '2024-05-01T12:00:00.000Z',
    attempts: 1,
    ...over,
  });
}

const retryCtx = { operation: 'retry', what: 'bulk action ba-1' } as const;

function expectIds(text: string) {
  expect(text).toContain('request-id: rid-42');
  expect(text).toContain('client-request-id: crid-42');
  expect(text).toContain('date: 2024-05-01T12:00:00.000Z');
}

describe('describeGraphError', () => {
  it('401 → sign-in/token problem', () => {
    const t = describeGraphError(
      err({ status: 401, code: 'InvalidAuthenticationToken', graphMessage: 'Access token has expired.' }),
      retryCtx,
    );
    expect(t).toContain('HTTP 401');
    expect(t).toMatch(/token/i);
    expect(t).toMatch(/expired/);
    expect(t).toMatch(/cloud or tenant/);
    expect(t).toContain('InvalidAuthenticationToken');
    expectIds(t);
  });

  it('403 on retry → delegated CloudPC.ReadWrite.All + role; app-only cannot', () => {
    const t = describeGraphError(err({ status: 403, code: 'accessDenied' }), retryCtx);
    expect(t).toContain('CloudPC.ReadWrite.All');
    expect(t).toContain('DELEGATED');
    expect(t).toContain('BulkActions/Write');
    expect(t).toMatch(/Windows 365 Administrator/);
    expect(t).toMatch(/app-only/i);
    expectIds(t);
  });

  it('403 on read → CloudPC.Read.All', () => {
    const t = describeGraphError(err({ status: 403, method: 'GET' }), { operation: 'read' });
    expect(t).toContain('CloudPC.Read.All');
    expect(t).not.toContain('ReadWrite');
  });

  it('404 → check the id with the list tool', () => {
    const t = describeGraphError(err({ status: 404, code: 'ResourceNotFound' }), retryCtx);
    expect(t).toContain('bulk action ba-1 was not found');
    expect(t).toMatch(/list tool/);
    expectIds(t);
  });

  it("400 → Graph's message", () => {
    const t = describeGraphError(err({ status: 400, code: 'BadRequest', graphMessage: 'cloudPcIds is invalid' }), retryCtx);
    expect(t).toContain('cloudPcIds is invalid');
  });

  it('429 exhausted → retry after N s, rounded up', () => {
    const t = describeGraphError(err({ kind: 'throttled', status: 429, retryAfterMs: 90_200, attempts: 4 }), retryCtx);
    expect(t).toContain('Graph is throttling; retry after 91 s');
    expectIds(t);
  });

  it('500 ambiguous on retry → MAY HAVE BEEN ACCEPTED', () => {
    const t = describeGraphError(err({ status: 500, ambiguous: true }), retryCtx);
    expect(t).toContain('MAY HAVE BEEN ACCEPTED');
    expect(t).toMatch(/check the bulk action's status/);
    expectIds(t);
  });

  it('503 exhausted → service unavailable, not ambiguous', () => {
    const t = describeGraphError(err({ kind: 'throttled', status: 503, attempts: 4 }), retryCtx);
    expect(t).toMatch(/Service unavailable/);
    expect(t).toMatch(/try again later/);
    expect(t).not.toContain('MAY HAVE BEEN ACCEPTED');
    expectIds(t);
  });

  it('timeout on retry → deadline in seconds, may have been accepted', () => {
    const t = describeGraphError(err({ kind: 'timeout', timeoutMs: 30_000, ambiguous: true, requestId: undefined }), retryCtx);
    expect(t).toMatch(/Deadline hit/);
    expect(t).toContain('30 s');
    expect(t).toContain('MAY HAVE BEEN ACCEPTED');
    expect(t).toContain('client-request-id: crid-42');
  });

  it('network → cannot reach the host', () => {
    const t = describeGraphError(err({ kind: 'network', host: 'graph.microsoft.us', method: 'GET' }), { operation: 'read' });
    expect(t).toContain('Cannot reach Graph (graph.microsoft.us)');
    expect(t).toMatch(/proxy/);
  });

  it('aborted after send → may have been accepted', () => {
    expect(describeGraphError(err({ kind: 'aborted', ambiguous: true }), retryCtx)).toContain('MAY HAVE BEEN ACCEPTED');
    expect(describeGraphError(err({ kind: 'aborted', ambiguous: false }), retryCtx)).not.toContain('MAY HAVE BEEN ACCEPTED');
  });
});
