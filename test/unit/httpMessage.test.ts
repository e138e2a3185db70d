// What a POST body to /mcp may be before the MCP SDK sees it: one JSON-RPC message, no batch, and a tools/call whose
// params the SDK can take (it would answer the rest with -32603, modelcontextprotocol/typescript-sdk#2284).
import { describe, expect, it } from 'vitest';
import { checkMessage, isJsonContentType } from '../../src/transports/http/message.js';

const call = (params: unknown, id: unknown = 7) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params });

describe('checkMessage', () => {
  it.each<[string, string, number, number, string | number | null, RegExp]>([
    ['not JSON', '{"jsonrpc":', 400, -32700, null, /not valid JSON/],
    [
      'a batch',
      JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'ping' }]),
      400,
      -32600,
      null,
      /batches are not supported.*one message per POST|POST of its own/,
    ],
    ['an empty batch', '[]', 400, -32600, null, /batches/],
    [
      'arguments that are a string',
      call({ name: 'list_cloud_pcs', arguments: 'x' }),
      200,
      -32602,
      7,
      /params\.arguments must be an object/,
    ],
    [
      'arguments that are an array',
      call({ name: 'list_cloud_pcs', arguments: [] }, 'a'),
      200,
      -32602,
      'a',
      /params\.arguments must be an object/,
    ],
    ['no tool name', call({ arguments: {} }), 200, -32602, 7, /params\.name must be the tool name/],
    ['no params', JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call' }), 200, -32602, 7, /params must be an object/],
    [
      'an own __proto__ member in arguments',
      '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_cloud_pcs","arguments":{"__proto__":{"top":1}}}}',
      200,
      -32602,
      7,
      /"__proto__"/,
    ],
    ['a bad progress token', call({ name: 'list_cloud_pcs', _meta: { progressToken: 1.5 } }), 200, -32602, 7, /progressToken/],
  ])('refuses %s', (_what, body, status, code, id, message) => {
    expect(checkMessage(body)).toEqual({ ok: false, status, code, id, message: expect.stringMatching(message) });
  });

  it('hands on a valid tools/call, naming the tool for the rate limit', () => {
    const r = checkMessage(call({ name: 'list_cloud_pcs', arguments: { top: 5 } }));
    expect(r).toMatchObject({ ok: true, toolCall: { name: 'list_cloud_pcs', arguments: { top: 5 } } });
  });

  it.each([
    ['initialize', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} })],
    ['a notification', JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })],
    // Not a valid request (no usable id, or not JSON-RPC 2.0): the SDK refuses those in its own words.
    ['a tools/call notification', JSON.stringify({ jsonrpc: '2.0', method: 'tools/call', params: 5 })],
    ['a tools/call with a fractional id', call(5, 1.5)],
    ['a tools/call without jsonrpc 2.0', JSON.stringify({ id: 1, method: 'tools/call', params: 5 })],
  ])('passes %s to the SDK uncharged', (_what, body) => {
    const r = checkMessage(body);
    expect(r.ok).toBe(true);
    expect(r.ok && r.toolCall).toBeFalsy();
  });
});

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON; charset=utf-8', true],
    ['text/plain', false],
    ['application/json-seq', false],
    [undefined, false],
  ])('%s → %s', (header, expected) => {
    expect(isJsonContentType(header)).toBe(expected);
  });
});
