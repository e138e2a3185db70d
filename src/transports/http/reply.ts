// How remote mode answers by itself (refusals, health, metadata): JSON, never cached, and the connection closed when
// the answer goes out before the request's body has arrived, so a refused sender cannot keep the socket by trickling
// the rest of a body nobody will read.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type HeaderMap = Record<string, string>;
export type RpcId = string | number | null;

/** True while part of the request's body has not arrived (or not been read) yet. */
export function bodyPending(req: IncomingMessage): boolean {
  if (req.complete) return false;
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: HeaderMap = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  const close: HeaderMap = bodyPending(req) ? { connection: 'close' } : {};
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...headers,
    ...close,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** A JSON-RPC error. Without an id (-32000) it is what the MCP transport itself answers for requests it refuses. */
export function rpcError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  message: string,
  headers: HeaderMap = {},
  error: { code?: number; id?: RpcId } = {},
): void {
  sendJson(req, res, status, { jsonrpc: '2.0', error: { code: error.code ?? -32000, message }, id: error.id ?? null }, headers);
}
