// tools/call over stdio, dispatched straight to the server's handler. The SDK's generic request path runs several zod
// type guards over every message and builds a promise chain and a request context per call; measured by
// `npm run bench`, that was a third of the server's own time per call. Everything else (initialize, elicitation
// answers, logging/setLevel, ping) still goes through the SDK, which also sends the elicitation requests a call makes.
import { ErrorCode, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ToolCallHandler } from '../server.js';
import type { Id, Incoming } from './lineTransport.js';

export interface Lane {
  /** Handles the message and returns true, or returns false to leave it to the SDK. */
  take(message: Incoming): boolean;
  /** The session is closing: calls in flight are aborted and their answers dropped, as the SDK does. */
  close(): void;
}

export function toolCallLane(callTool: ToolCallHandler, send: (message: JSONRPCMessage) => Promise<void>, onError: (error: Error) => void): Lane {
  const inFlight = new Map<unknown, AbortController>();

  async function run(id: Id, params: unknown): Promise<void> {
    const controller = new AbortController();
    inFlight.set(id, controller);
    const { signal } = controller;
    const extra = {
      signal,
      sendNotification: async (notification: JSONRPCMessage | { method: string; params: Record<string, unknown> }) => {
        if (!signal.aborted) await send({ jsonrpc: '2.0', ...notification } as JSONRPCMessage);
      },
    };
    let answer: JSONRPCMessage;
    try {
      answer = { jsonrpc: '2.0', id, result: await callTool(params, extra) } as JSONRPCMessage;
    } catch (e) {
      const err = e as { code?: unknown; message?: unknown; data?: unknown };
      const code = Number.isSafeInteger(err?.code) ? (err.code as number) : ErrorCode.InternalError;
      const message = typeof err?.message === 'string' ? err.message : 'Internal error';
      answer = { jsonrpc: '2.0', id, error: { code, message, ...(err?.data !== undefined && { data: err.data }) } } as JSONRPCMessage;
    }
    if (inFlight.get(id) === controller) inFlight.delete(id);
    // A cancelled request gets no answer (MCP cancellation); the client has already stopped waiting for it.
    if (signal.aborted) return;
    try {
      await send(answer);
    } catch (err) {
      onError(new Error(`Failed to send response: ${String(err)}`));
    }
  }

  return {
    take(message) {
      if (message.method === 'tools/call' && message.id !== undefined) {
        void run(message.id, message.params);
        return true;
      }
      if (message.method === 'notifications/cancelled' && message.id === undefined) {
        const params = message.params as { requestId?: unknown; reason?: unknown } | undefined;
        const controller = inFlight.get(params?.requestId);
        if (!controller) return false;
        controller.abort(params?.reason);
        return true;
      }
      return false;
    },
    close() {
      for (const controller of inFlight.values()) controller.abort();
      inFlight.clear();
    },
  };
}
