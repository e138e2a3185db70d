// Graph JSON batching: many GETs in one POST /$batch (at most 20 a batch). Each part has its own status and may be
// throttled on its own; a throttled part is sent again in a later batch after its own Retry-After, within one wait
// budget for the whole call. Only GETs are batched, so sending a part again can never repeat a change.
import { setTimeout as delay } from 'node:timers/promises';
import { isPlainObject } from '../core/jsonShapes.js';
import type { GraphClient } from './client.js';
import { GraphError } from './errors.js';
import { backoffDelayMs, isRetryableStatus, parseRetryAfter } from './retryPolicy.js';
import type { ThrottleNotice } from './types.js';

/** Graph's limit on requests in one batch. */
export const MAX_BATCH_PARTS = 20;
const MAX_PART_ATTEMPTS = 4;
// Five batches in flight: the default reason cap (100 devices) in one round trip; each part is throttled on its own.
const BATCH_CONCURRENCY = 5;
const FALLBACK_CONCURRENCY = 4;

export interface BatchPart {
  /** Unique within the call; answers are keyed by it. */
  id: string;
  /** Below the versioned root, with any query, e.g. /deviceManagement/virtualEndpoint/cloudPCs/{id}?$select=id. */
  url: string;
  headers?: Record<string, string>;
}

export interface BatchAnswer {
  /** HTTP status of the part; 0 when it got no answer at all (the batch itself failed). */
  status: number;
  body: unknown;
  /** Graph's error code for a failed part, if it gave one. */
  code?: string;
}

export interface BatchOptions {
  signal?: AbortSignal;
  /** Upper bound on the time spent waiting out throttled parts, across the whole call. */
  maxWaitMs: number;
  onThrottle?: (n: ThrottleNotice) => void;
  /** Abortable delay; must reject when the signal aborts. Tests make it instant. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Called once per POST /$batch sent (for logs and measurements). */
  onBatch?: (parts: number) => void;
}

interface RawPartAnswer {
  id?: unknown;
  status?: unknown;
  headers?: unknown;
  body?: unknown;
}

/** Sends every part, at most 20 to a batch, and returns each part's final answer by id. */
export async function runBatch(graph: GraphClient, parts: readonly BatchPart[], opts: BatchOptions): Promise<Map<string, BatchAnswer>> {
  const answers = new Map<string, BatchAnswer>();
  const chunks: BatchPart[][] = [];
  for (let i = 0; i < parts.length; i += MAX_BATCH_PARTS) chunks.push(parts.slice(i, i + MAX_BATCH_PARTS));
  const budget = { waitedMs: 0 };
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      for (const [id, a] of await runChunk(graph, chunk, opts, budget)) answers.set(id, a);
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, chunks.length) }, worker));
  return answers;
}

async function runChunk(
  graph: GraphClient,
  chunk: BatchPart[],
  opts: BatchOptions,
  budget: { waitedMs: number },
): Promise<Map<string, BatchAnswer>> {
  const done = new Map<string, BatchAnswer>();
  let pending = chunk;
  const sleep = opts.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  for (let attempt = 1; pending.length > 0; attempt++) {
    let raw: RawPartAnswer[];
    try {
      raw = await postBatch(graph, pending, opts);
    } catch (err) {
      if (opts.signal?.aborted || !(err instanceof GraphError)) throw err;
      // A gateway or cloud without JSON batching: the same GETs one by one.
      if (err.kind === 'http' && [400, 404, 405, 501].includes(err.status ?? 0)) {
        for (const [id, a] of await oneByOne(graph, pending, opts)) done.set(id, a);
      } else {
        for (const p of pending) done.set(p.id, { status: err.status ?? 0, body: undefined, code: err.code ?? err.kind });
      }
      return done;
    }
    const byId = new Map(raw.map((r) => [String(r.id), r]));
    const throttled: BatchPart[] = [];
    let waitMs = 0;
    for (const p of pending) {
      const r = byId.get(p.id);
      const status = typeof r?.status === 'number' ? r.status : 0;
      const headers = isPlainObject(r?.headers) ? (r.headers as Record<string, string>) : {};
      if (isRetryableStatus(status) && attempt < MAX_PART_ATTEMPTS) {
        throttled.push(p);
        const asked = parseRetryAfter(headers, Date.now());
        waitMs = Math.max(waitMs, asked ?? backoffDelayMs(attempt, { maxMs: opts.maxWaitMs }, opts.random));
        continue;
      }
      const body = partBody(r?.body, headers);
      done.set(p.id, { status, body, code: status >= 300 ? errorCodeOf(body) : undefined });
    }
    if (throttled.length === 0) break;
    if (budget.waitedMs + waitMs > opts.maxWaitMs) {
      // The server's wait is never cut short: parts that cannot wait in the budget stay throttled.
      for (const p of throttled) done.set(p.id, { status: 429, body: undefined, code: 'throttled' });
      break;
    }
    opts.onThrottle?.({ attempt, status: 429, waitMs });
    budget.waitedMs += waitMs;
    await sleep(waitMs, opts.signal);
    pending = throttled;
  }
  return done;
}

async function postBatch(graph: GraphClient, parts: BatchPart[], opts: BatchOptions): Promise<RawPartAnswer[]> {
  opts.onBatch?.(parts.length);
  const res = await graph.request<{ responses?: unknown }>({
    method: 'POST',
    path: '/$batch',
    body: { requests: parts.map((p) => ({ id: p.id, method: 'GET', url: p.url, ...(p.headers ? { headers: p.headers } : {}) })) },
    signal: opts.signal,
    onThrottle: opts.onThrottle,
  });
  const responses = res.body?.responses;
  return Array.isArray(responses) ? responses.filter(isPlainObject) : [];
}

/** A part's body is JSON, or base64 when its content type is not JSON (the batching spec). */
function partBody(body: unknown, headers: Record<string, string>): unknown {
  if (typeof body !== 'string') return body;
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  if (/json/i.test(type)) return body;
  try {
    return JSON.parse(Buffer.from(body, 'base64').toString('utf8'));
  } catch {
    return body;
  }
}

function errorCodeOf(body: unknown): string | undefined {
  const err = isPlainObject(body) ? body.error : undefined;
  return isPlainObject(err) && typeof err.code === 'string' ? err.code : undefined;
}

async function oneByOne(graph: GraphClient, parts: BatchPart[], opts: BatchOptions): Promise<Map<string, BatchAnswer>> {
  const done = new Map<string, BatchAnswer>();
  let next = 0;
  const worker = async () => {
    while (next < parts.length) {
      const p = parts[next++]!;
      const [path, search = ''] = p.url.split('?');
      const query = search ? Object.fromEntries(new URLSearchParams(search)) : undefined;
      try {
        const res = await graph.request<unknown>({
          method: 'GET',
          path: path!,
          query,
          headers: p.headers,
          signal: opts.signal,
          onThrottle: opts.onThrottle,
        });
        done.set(p.id, { status: res.status, body: res.body });
      } catch (err) {
        if (opts.signal?.aborted || !(err instanceof GraphError)) throw err;
        done.set(p.id, { status: err.status ?? 0, body: undefined, code: err.code ?? err.kind });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FALLBACK_CONCURRENCY, parts.length) }, worker));
  return done;
}
