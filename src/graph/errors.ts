// Graph failures as one error type, plus the text an assistant relays to an admin.

import type { HttpMethod } from './types.js';

export type GraphErrorKind = 'http' | 'throttled' | 'timeout' | 'network' | 'aborted' | 'invalidResponse' | 'refused';

export interface GraphProxyFailure {
  /** scheme://host:port, never credentials. */
  shown: string;
  /** The environment variable that named it, e.g. HTTPS_PROXY. */
  variable: string;
  /** The proxy answered the tunnel request with this status (407: it wants credentials). */
  status?: number;
  /** The proxy itself could not be reached (refused, not resolved, timed out). */
  unreachable?: boolean;
}

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
  /** The proxy the request went through, for network errors. */
  proxy?: GraphProxyFailure;
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
  readonly proxy?: GraphProxyFailure;
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
    this.proxy = init.proxy;
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
  /** read: a read tool. retry: a retry, which may send the POST. dryRun: a retry's dry run, which only reads. */
  operation: 'retry' | 'dryRun' | 'read';
  /** What was being acted on, e.g. "bulk action 0d76…". */
  what?: string;
  /** What to do when Graph rejects the token (401), from the layer that knows how the server signs in. */
  rejectedTokenFix?: string;
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

const MAY_BE_ACCEPTED = "The retry MAY HAVE BEEN ACCEPTED; check the bulk action's status (get/list tool) before retrying again.";

/** Failures before or around the HTTP exchange: throttling, deadlines, the network, cancellation. */
function exchangeHint(err: GraphError, retry: boolean): string | undefined {
  const ambiguousRetry = retry && err.ambiguous;
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
        (ambiguousRetry ? `. ${MAY_BE_ACCEPTED}` : '; try again, or raise the timeout if Graph is slow.')
      );
    case 'network':
      return networkHint(err) + (ambiguousRetry ? ` The connection broke after the request was sent. ${MAY_BE_ACCEPTED}` : '');
    case 'aborted':
      return ambiguousRetry
        ? `Cancelled by the client after the request was sent. ${MAY_BE_ACCEPTED}`
        : 'Cancelled by the client before Graph processed the request.';
    case 'invalidResponse':
      return `Graph returned a response that could not be read: ${err.message}.`;
    case 'refused':
      return 'The request was refused locally before anything was sent (unsafe path or link outside the Graph root).';
    case 'http':
      return undefined;
  }
}

/** Graph answered with an error status. */
function statusHint(err: GraphError, ctx: DescribeContext): string {
  const retry = ctx.operation === 'retry';
  const s = err.status ?? 0;
  if (s === 401) {
    return (
      ctx.rejectedTokenFix ??
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
    return err.graphMessage ? `The request was rejected by Graph: ${err.graphMessage}` : 'The request was rejected by Graph (bad request).';
  }
  if (s >= 500) {
    if (retry && err.ambiguous) return `Service error. ${MAY_BE_ACCEPTED}`;
    return 'Graph had a service error; try again later.';
  }
  return 'Graph rejected the request.';
}

const TLS_UNTRUSTED =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_HAS_EXPIRED)$/;

/** Why Graph could not be reached and the fix: the proxy by name when one was used (never its credentials). */
function networkHint(err: GraphError): string {
  const host = err.host ?? 'graph.microsoft.com';
  const p = err.proxy;
  const bypass = `or list ${host.replace(/:\d+$/, '')} in NO_PROXY if Graph is reachable without the proxy`;
  if (p?.status === 407) {
    return `The proxy ${p.shown} (${p.variable}) asks for authentication (HTTP 407), so nothing reached Graph. Give its credentials in the proxy URL, ${p.variable}=http://user:password@host:port (percent-encode special characters; Basic authentication), ${bypass}.`;
  }
  if (p?.status !== undefined) {
    return `The proxy ${p.shown} (${p.variable}) refused the connection to ${host} (HTTP ${p.status}), so nothing reached Graph. Ask whoever runs the proxy to allow ${host}, check ${p.variable}, ${bypass}.`;
  }
  if (p?.unreachable) {
    return `Cannot reach the proxy ${p.shown} (${p.variable}), so nothing reached Graph. Check that the proxy runs and that ${p.variable} names it, ${bypass}.`;
  }
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && TLS_UNTRUSTED.test(code)) {
    return `Cannot reach Graph (${host}): its TLS certificate is not trusted (${code}). A proxy that inspects TLS needs its root certificate in NODE_EXTRA_CA_CERTS (a PEM file, read at start).`;
  }
  if (p) return `Cannot reach Graph (${host}) through the proxy ${p.shown} (${p.variable}): check the network and the proxy, ${bypass}.`;
  return `Cannot reach Graph (${host}): check the network connection, DNS and any proxy or firewall (HTTPS_PROXY, NO_PROXY).`;
}

function heading(err: GraphError, ctx: DescribeContext): string {
  const status = err.status !== undefined ? ` (HTTP ${err.status})` : '';
  // A dry run only reads: its failure must not read as a retry that failed (or may have been sent).
  if (ctx.operation === 'dryRun') return `Dry run of the retry${ctx.what ? ` of ${ctx.what}` : ''} failed${status}; nothing was retried.`;
  const action = ctx.operation === 'retry' ? 'Retrying' : 'Reading';
  const target = ctx.what ? ` ${ctx.what}` : ctx.operation === 'retry' ? ' the bulk action' : ' from Microsoft Graph';
  return `${action}${target} failed${status}.`;
}

/** Text for a tool error result: what failed, why, the ids support asks for, and what to do. Never contains tokens. */
export function describeGraphError(err: GraphError, ctx: DescribeContext): string {
  const lines: string[] = [heading(err, ctx), exchangeHint(err, ctx.operation === 'retry') ?? statusHint(err, ctx)];
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
