// The audit line of a tool call: who, what, outcome, Graph request-id, and nothing an argument could forge.
import { describe, expect, it } from 'vitest';
import { auditLine } from '../../src/transports/http/audit.js';
import { GraphError } from '../../src/graph/errors.js';

const caller = { oid: 'o-1', tid: 't-1', upn: 'alice@contoso.com', assertion: 'eyJ.secret.token', expiresAt: 0 };
const now = new Date('2026-01-02T03:04:05.000Z');
const BA = '8f1c2d3e-6a7b-4c8d-9e0f-a1b2c3d4e5f6';

describe('audit line', () => {
  it('an accepted retry: caller, bulk action, ids sent, outcome, request ids; never the token', () => {
    const line = auditLine(
      {
        tool: 'retry_cloudpc_bulk_action',
        arguments: { bulkActionId: BA, cloudPcIds: ['a', 'b', 'a'] },
        result: {
          content: [],
          structuredContent: { status: 'accepted', cloudPcIds: ['a', 'b'], requestId: 'req-1', clientRequestId: 'crid-1' },
        },
      },
      caller,
      now,
    );
    expect(line).toEqual({
      time: '2026-01-02T03:04:05.000Z',
      audit: 'tools/call',
      caller: { upn: 'alice@contoso.com', oid: 'o-1', tid: 't-1' },
      tool: 'retry_cloudpc_bulk_action',
      bulkActionId: BA,
      ids: 2,
      outcome: 'accepted',
      graphRequestId: 'req-1',
      clientRequestId: 'crid-1',
    });
    expect(JSON.stringify(line)).not.toContain('secret');
  });

  it("a Graph failure keeps Graph's request-id and status; a retry of every failed PC has no id count", () => {
    const error = new GraphError({
      kind: 'http',
      status: 403,
      message: 'Forbidden',
      method: 'POST',
      path: '/x',
      clientRequestId: 'crid-2',
      requestId: 'req-2',
      attempts: 1,
    });
    const line = auditLine(
      {
        tool: 'retry_cloudpc_bulk_action',
        arguments: { bulkActionId: BA },
        result: { content: [{ type: 'text', text: 'Graph said 403\nmore' }], isError: true },
        error,
      },
      undefined,
      now,
    );
    expect(line).toMatchObject({
      caller: 'local',
      outcome: 'error',
      error: 'Graph said 403',
      graphRequestId: 'req-2',
      clientRequestId: 'crid-2',
      httpStatus: 403,
    });
    expect(line.ids).toBeUndefined();
  });

  it('copies only id-shaped values, so an argument cannot inject audit fields', () => {
    const line = auditLine(
      { tool: 'retry_cloudpc_bulk_action', arguments: { bulkActionId: 'x", "caller": "admin' }, result: { content: [], isError: true } },
      caller,
      now,
    );
    expect(line.bulkActionId).toBeUndefined();
  });

  it('a call refused at protocol level (unknown tool) is recorded as refused', () => {
    expect(auditLine({ tool: 'no_such_tool', arguments: {}, error: new Error('Unknown tool "no_such_tool".') }, caller, now)).toMatchObject(
      { outcome: 'refused', error: 'Unknown tool "no_such_tool".' },
    );
  });

  it('an executed plan: the plan id, how it was approved and by whom; a forged plan id is not copied', () => {
    const planId = `plan-${'ab'.repeat(16)}`;
    const line = auditLine(
      {
        tool: 'retry_cloudpc_bulk_action',
        arguments: { planId },
        result: {
          content: [],
          structuredContent: { status: 'accepted', planId, cloudPcIds: ['a', 'b'], approval: { via: 'page', by: 'alice@contoso.com' } },
        },
      },
      caller,
      now,
    );
    expect(line).toMatchObject({ planId, approvedVia: 'page', approvedBy: 'alice@contoso.com', ids: 2, outcome: 'accepted' });
    const forged = auditLine(
      { tool: 'retry_cloudpc_bulk_action', arguments: { planId: 'plan-x","admin":true' }, result: { content: [], isError: true } },
      caller,
      now,
    );
    expect(forged.planId).toBeUndefined();
  });
});
