// Graph failures as one error type, plus the text an assistant relays to an admin.

import type { HttpMethod } from './types.js';

export type GraphErrorKind =
  | 'http'
  | 'throttled'
  | 'timeout'
  | 'network'
  | 'aborted'
  | 'invalidResponse'
  | 'refused';

export interface GraphErrorInit {
  kind: GraphErrorKind;
  message: string;
  method: HttpMethod;
  /** Path below the Graph root, without query string or host. */
  path: string;
  clientRequestId: string;
  attempts: number;
  ambiguous?: boolean;
  status?: number;
  code?: string;
  graphMessage?: string;
  requestId?: string;
  date?: string;
  retryAfterMs?: number;
  /** Host of the Graph root, for network errors. */
  host?: string;
  /** The per-attempt deadline, for timeout errors. */
  timeoutMs?: number;
  cause?: unknown;
}

export class GraphError extends Error {
  override readonly name = 'GraphError';
  readonly kind: GraphErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly graphMessage?: string;
  readonly requestId?: string;
  readonly clientRequestId: string;
  readonly date?: string;
  readonly retryAfterMs?: number;
  readonly attempts: number;
  /** True when a POST may have reached the service and been accepted: do not blindly send it again. */
  readonly ambiguous: boolean;
  readonly method: HttpMethod;
  readonly path: string;
  readonly host?: string;
  readonly timeoutMs?: number;

  constructor(init: GraphErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.graphMessage = init.graphMessage;
    this.requestId = init.requestId;
    this.clientRequestId = init.clientRequestId;
    this.date = init.date;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts;
    this.ambiguous = init.ambiguous ?? false;
    this.method = init.method;
    this.path = init.path;
    this.host = init.host;
    this.timeoutMs = init.timeoutMs;
  }
}

export interface ParsedGraphErrorBody {
  code?: string;
  message?: string;
  requestId?: string;
  clientRequestId?: string;
  date?: string;
}

const MAX_PLAIN = 200;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function cap(s: string, n = MAX_PLAIN): string {
  return s.length > n ? s.slice(0, n - 1).trimEnd() + '…' : s;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Graph nests innerError (and some services spell it innererror); ids may sit at any depth. */
function walkInner(err: Record<string, unknown>, out: ParsedGraphErrorBody): void {
  let inner: unknown = err['innerError'] ?? err['innererror'];
  for (let depth = 0; isRecord(inner) && depth < 10; depth++) {
    out.requestId ??= str(inner['request-id']) ?? str(inner['requestId']);
    out.clientRequestId ??= str(inner['client-request-id']) ?? str(inner['clientRequestId']);
    out.date ??= str(inner['date']);
    inner = inner['innerError'] ?? inner['innererror'];
  }
}

function plainMessage(text: string): string | undefined {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
  const source = title && title.trim() ? title : text.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ');
  const flat = source
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/\s+/g, ' ')
    .trim();
  return flat ? cap(flat) : undefined;
}

/** Never throws: error bodies come from gateways and proxies as often as from Graph itself. */
export function parseGraphErrorBody(text: string, contentType?: string): ParsedGraphErrorBody {
  const out: ParsedGraphErrorBody = {};
  if (!text || !text.trim()) return out;
  const looksJson = /json/i.test(contentType ?? '') || /^\s*[{[]/.test(text);
  if (looksJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (isRecord(parsed)) {
      const err = parsed['error'];
      if (isRecord(err)) {
        out.code = str(err['code']);
        const m = str(err['message']);
        if (m) out.message = cap(m, 1000);
        walkInner(err, out);
        return out;
      }
      // OAuth-style or other JSON error shapes.
      out.code = str(parsed['code']) ?? (typeof parsed['error'] === 'string' ? str(parsed['error']) : undefined);
      const m = str(parsed['message']) ?? str(parsed['error_description']);
      if (m) out.message = cap(m, 1000);
      return out;
    }
  }
  const plain = plainMessage(text);
  if (plain) out.message = plain;
  return out;
}

export interface DescribeContext {
  operation: 'retry' | 'read';
  /** What was being acted on, e.g. "bulk action 0d76…". */
  what?: string;
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function hintFor(err: GraphError, ctx: DescribeContext): string {
  const retry = ctx.operation === 'retry';
  const mayBeAccepted =
    'The retry MAY HAVE BEEN ACCEPTED; check the bulk action\'s status (get/list tool) before retrying again.';
  switch (err.kind) {
    case 'throttled':
      if (err.status === 503) {
        return (
          `Service unavailable: Graph answered 503 on all ${err.attempts} attempt(s). The request was not processed; ` +
          (err.retryAfterMs !== undefined ? `try again after ${seconds(err.retryAfterMs)} s.` : 'try again later.')
        );
      }
      return err.retryAfterMs !== undefined
        ? `Graph is throttling; retry after ${seconds(err.retryAfterMs)} s. The request was not processed.`
        : 'Graph is throttling; wait a minute before trying again. The request was not processed.';
    case 'timeout':
      return (
        `Deadline hit: no complete answer within ${err.timeoutMs !== undefined ? seconds(err.timeoutMs) + ' s' : 'the configured time'}` +
        (retry && err.ambiguous ? `. ${mayBeAccepted}` : '; try again, or raise the timeout if Graph is slow.')
      );
    case 'network':
      return (
        `Cannot reach Graph${err.host ? ` (${err.host})` : ''}: check the network connection, DNS and any proxy/firewall settings.` +
        (retry && err.ambiguous ? ` The connection broke after the request was sent. ${mayBeAccepted}` : '')
      );
    case 'aborted':
      return err.ambiguous && retry
        ? `Cancelled by the client after the request was sent. ${mayBeAccepted}`
        : 'Cancelled by the client before Graph processed the request.';
    case 'invalidResponse':
      return `Graph returned a response that could not be read: ${err.message}.`;
    case 'refused':
      return 'The request was refused locally before anything was sent (unsafe path or link outside the Graph root).';
    case 'http':
      break;
  }
  const s = err.status ?? 0;
  if (s === 401) {
    return (
      'Sign-in/token problem: the access token was rejected. It may have expired, belong to the wrong cloud or tenant, ' +
      'or have been issued for another resource than Microsoft Graph. Sign in again (e.g. `az login`) for the right tenant and cloud.'
    );
  }
  if (s === 403) {
    return retry
      ? 'Permission denied. Retrying needs the DELEGATED permission CloudPC.ReadWrite.All (consented for the tenant) and a ' +
          'signed-in user with a Windows 365 / Intune role that allows bulk actions (e.g. Windows 365 Administrator, ' +
          'Intune Administrator, or a custom role with BulkActions/Write). Application (app-only) permissions cannot retry bulk actions.'
      : 'Permission denied. Reading needs CloudPC.Read.All (consented) and a role that can read Windows 365 / Cloud PC data.';
  }
  if (s === 404) {
    return `Not found: ${ctx.what ?? 'the bulk action'} was not found. Check the id with the list tool, and that you are signed in to the right tenant and cloud.`;
  }
  if (s === 400) {
    return err.graphMessage
      ? `The request was rejected by Graph: ${err.graphMessage}`
      : 'The request was rejected by Graph (bad request).';
  }
  if (s >= 500) {
    if (retry && err.ambiguous) return `Service error. ${mayBeAccepted}`;
    return 'Graph had a service error; try again later.';
  }
  return 'Graph rejected the request.';
}

/** Text for a tool error result: what failed, why, the ids support asks for, and what to do. Never contains tokens. */
export function describeGraphError(err: GraphError, ctx: DescribeContext): string {
  const action = ctx.operation === 'retry' ? 'Retrying' : 'Reading';
  const target = ctx.what ? ` ${ctx.what}` : ctx.operation === 'retry' ? ' the bulk action' : ' from Microsoft Graph';
  const lines: string[] = [];
  const statusPart = err.status !== undefined ? ` (HTTP ${err.status})` : '';
  lines.push(`${action}${target} failed${statusPart}.`);
  lines.push(hintFor(err, ctx));
  if (err.code || err.graphMessage) {
    lines.push(`Graph error: ${[err.code, err.graphMessage].filter(Boolean).join(' — ')}`);
  }
  lines.push(`Request: ${err.method} ${err.path} (attempts: ${err.attempts})`);
  const ids = [
    err.requestId && `request-id: ${err.requestId}`,
    err.clientRequestId && `client-request-id: ${err.clientRequestId}`,
    err.date && `date: ${err.date}`,
  ].filter(Boolean);
  if (ids.length) lines.push(`For Microsoft support: ${ids.join(', ')}`);
  return lines.join('\n');
}
