// What a tool handler may use. Built per call by the server, so cancellation and progress belong to that call.
import type { Config } from '../config/config.js';
import type { GraphClient } from '../graph/client.js';
import type { Logger } from '../core/log.js';
import type { BulkActionCache } from '../graph/bulkActions.js';
import type { TokenProvider } from '../graph/types.js';
import type { Plan, PlanOwner, PlanStore } from './retry/plans.js';

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
  /** Retry plans of this process (remote mode: shared by every request of this replica). */
  plans: PlanStore;
  /** Whom this connection acts for: plans are bound to it. */
  owner: PlanOwner;
  /** The approval page, when one can be served; undefined when it is off. */
  approvalPage?: ApprovalPage;
}

/** The approval page a person opens in a browser (src/approval implements it for loopback and for remote sign-in). */
export interface ApprovalPage {
  /** The page's address for this plan, starting its server on first use. */
  linkFor(plan: Plan): Promise<string>;
  /** True when the link itself grants nothing (the page asks for the plan owner's sign-in), so the model may see it. */
  readonly linkIsPublic: boolean;
  /** Opens the link in the user's browser on this desktop, when the operator allows it; says why not when it did not. */
  open(link: string): Promise<{ opened: true } | { opened: false; why: string }>;
}

/** What the connected client can do for approval, from its declared capabilities. */
export interface ClientAbilities {
  form: boolean;
  url: boolean;
  /** Renders MCP Apps views (io.modelcontextprotocol/ui with the MCP App MIME type). */
  app: boolean;
  /**
   * The view may approve through the app-only tool: the server hands it the plan's secret. stdio: only a client that
   * declared MCP Apps support; remote mode (stateless, capabilities unknown): only when the operator turned on
   * CLOUDPC_MCP_REMOTE_APP_APPROVAL. Otherwise the view's Approve opens the approval page.
   */
  appApproval: boolean;
}

export type UrlAnswer = 'accepted' | 'declined' | 'cancelled' | 'unsupported';

export type ConfirmAnswer = 'accepted' | 'declined' | 'cancelled' | 'unsupported';

export interface ToolContext {
  deps: ServerDeps;
  signal: AbortSignal;
  /** Sends an MCP progress notification when the caller asked for progress; otherwise does nothing. */
  progress(progress: number, total: number | undefined, message: string): void;
  /** Asks the human through MCP form elicitation; 'unsupported' when the client cannot ask. */
  confirm(message: string): Promise<ConfirmAnswer>;
  /** Asks the client to open `url` for the human (URL-mode elicitation); 'accepted' means they agreed to open it. */
  openUrl(message: string, url: string, elicitationId: string): Promise<UrlAnswer>;
  /** Tells the client a URL-mode elicitation has completed. */
  urlCompleted(elicitationId: string): void;
  /** An MCP log notification for this call's client (and stderr): how a link reaches the user without the model. */
  notify(level: 'info' | 'warning', message: string): void;
  client: ClientAbilities;
}

/** A refusal or failure the assistant should relay: becomes an isError result with this text. */
export class ToolError extends Error {
  override name = 'ToolError';
}
