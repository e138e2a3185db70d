// The body of a POST to /mcp, read and checked here before the MCP SDK sees it: within the size cap, one JSON-RPC
// message (no batch), and a tools/call whose params the SDK can take (core/jsonRpc.ts, shared with stdio, says why).
import type { IncomingMessage } from 'node:http';
import { isRequestId, toolsCallRefusal } from '../../core/jsonRpc.js';
import { isPlainObject } from '../../core/jsonShapes.js';
import type { RpcId } from './reply.js';

export type BodyRead = { ok: true; text: string } | { ok: false; why: 'too-large' | 'aborted' };

/**
 * Reads the body up to `maxBytes`. Stops holding bytes as soon as the cap is passed; 'aborted' when the connection
 * ends first (the client left, or the server's body deadline closed it).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        finish({ ok: false, why: 'too-large' });
      } else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, text: Buffer.concat(chunks, size).toString('utf8') });
    const onAbort = () => finish({ ok: false, why: 'aborted' });
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onAbort);
  });
}

/** The media type without parameters, as the Streamable HTTP transport requires it: application/json. */
export function isJsonContentType(header: string | undefined): boolean {
  return (header ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
}

export type MessageCheck =
  | { ok: true; message: unknown; toolCall?: { name: string; arguments: unknown } }
  | { ok: false; status: 200 | 400; code: number; message: string; id: RpcId };

/**
 * What to do with a POST body: hand the parsed message on (naming the tool of a tools/call, which the rate limit
 * counts), or answer it here. A refused request with an id gets its JSON-RPC error as a normal answer (HTTP 200),
 * so the client sees the code; refusals without a usable id are HTTP 400, as the SDK answers them.
 */
export function checkMessage(text: string): MessageCheck {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, code: -32700, message: 'Parse error: the body is not valid JSON.', id: null };
  }
  if (Array.isArray(message)) {
    return {
      ok: false,
      status: 400,
      code: -32600,
      message:
        'Invalid Request: JSON-RPC batches are not supported (MCP has none since protocol version 2025-06-18); send each message in a POST of its own.',
      id: null,
    };
  }
  if (!isPlainObject(message) || message.jsonrpc !== '2.0' || message.method !== 'tools/call' || !isRequestId(message.id))
    return { ok: true, message };
  const refusal = toolsCallRefusal(message);
  if (refusal) return { ok: false, status: 200, code: -32602, message: refusal.message, id: refusal.id };
  const params = message.params as { name: string; arguments?: unknown };
  return { ok: true, message, toolCall: { name: params.name, arguments: params.arguments } };
}
