// What every route of remote mode is given: settings, the shared pieces (Graph pool, sessions, rate budgets) and
// the hooks shutdown needs. Built once by serve.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../core/log.js';
import type { ToolCallAudit } from '../../mcp/server.js';
import type { ServerDeps } from '../../tools/context.js';
import type { Caller } from '../../auth/credentials/obo.js';
import type { UserSessions } from '../../auth/credentials/obo.js';
import type { Verdict } from './entraAuth.js';
import type { OriginPolicy } from './origin.js';
import type { RateLimiter } from './rateLimit.js';
import type { StateStore } from '../../store/types.js';

import type { ApprovalMount } from './approvalMount.js';

export interface HandlerContext {
  config: Config;
  logger: Logger;
  publicUrl: string;
  originPolicy: OriginPolicy;
  dispatcher: Dispatcher;
  audit: (entry: ToolCallAudit, caller: Caller | undefined) => void;
  /** Entra mode: validates the caller's token; each caller then gets their own Graph token provider. */
  entra?: { verify: (authorization: string | undefined) => Promise<Verdict>; sessions: UserSessions };
  /** No-auth (loopback) mode: one set of deps, with the server's own credential, for every request. */
  sharedDeps?: ServerDeps;
  /** Each caller's budget of tool calls. */
  limiter: RateLimiter;
  /** Where plans, approvals and budgets live (memory, or Redis shared by every replica); readiness asks it. */
  store: StateStore;
  /** True once SIGTERM arrived: new MCP requests are refused, health reports draining. */
  draining(): boolean;
  /** Counts a request in flight until its response is done, so shutdown can wait for it. */
  track(res: ServerResponse): void;
  /** Retry plans of this replica and the approval page's routes (src/approval). */
  approval: ApprovalMount;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, ctx: HandlerContext) => void | Promise<void>;
