// What a tool handler may use. Built per call by the server, so cancellation and progress belong to that call.
import type { Config } from '../config/config.js';
import type { GraphClient } from '../graph/client.js';
import type { Logger } from '../core/log.js';
import type { BulkActionCache } from '../graph/bulkActions.js';
import type { TokenProvider } from '../graph/types.js';

export interface ServerDeps {
  config: Config;
  logger: Logger;
  /** The Graph client, created on first use so start-up does no auth or network work. */
  graph(): GraphClient;
  /** The token provider behind graph(); tells whether tokens act as a user (retry needs that). */
  tokens(): TokenProvider;
  bulkActionCache: BulkActionCache;
  /** Set when the server talks to the embedded simulator; results say so. */
  simulated: boolean;
}

export type ConfirmAnswer = 'accepted' | 'declined' | 'cancelled' | 'unsupported';

export interface ToolContext {
  deps: ServerDeps;
  signal: AbortSignal;
  /** Sends an MCP progress notification when the caller asked for progress; otherwise does nothing. */
  progress(progress: number, total: number | undefined, message: string): void;
  /** Asks the human through MCP elicitation; 'unsupported' when the client cannot ask. */
  confirm(message: string): Promise<ConfirmAnswer>;
}

/** A refusal or failure the assistant should relay: becomes an isError result with this text. */
export class ToolError extends Error {
  override name = 'ToolError';
}
