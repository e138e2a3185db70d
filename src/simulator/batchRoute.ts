// POST /$batch (JSON batching): up to 20 requests, each answered on its own, in order. A status fault that matches a
// part's path answers that part; variant batchThrottling throttles every other part once, with its own Retry-After.

import { routeGraph, noQueryOptionsBut, requireJson, type GraphRequestIn, type Routed } from './graph.js';
import { statusFaultResponse } from './faults.js';
import { BadRequest, GraphError, errorBody, errorResponse, json, type SimResponse } from './http.js';

export const MAX_BATCH_REQUESTS = 20;

interface Part {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

function partsOf(body: unknown): Part[] {
  const requests = body && typeof body === 'object' && !Array.isArray(body) ? (body as { requests?: unknown }).requests : undefined;
  if (!Array.isArray(requests) || requests.length === 0)
    throw new BadRequest('The batch body must be {"requests": [...]} with at least one request.');
  if (requests.length > MAX_BATCH_REQUESTS)
    throw new BadRequest(`The number of requests in the batch (${requests.length}) exceeds the limit of ${MAX_BATCH_REQUESTS}.`);
  const seen = new Set<string>();
  return requests.map((raw: unknown) => {
    const p = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    if (typeof p.id !== 'string' || p.id === '' || seen.has(p.id))
      throw new BadRequest('Every batch request needs a unique, non-empty string id.');
    seen.add(p.id);
    if (typeof p.method !== 'string' || typeof p.url !== 'string')
      throw new BadRequest(`Batch request '${p.id}' needs a method and a url.`);
    if (/^[a-z]+:/i.test(p.url)) throw new BadRequest(`Batch request '${p.id}': the url must be relative to the version, not absolute.`);
    const headers: Record<string, string> = {};
    if (p.headers && typeof p.headers === 'object') for (const [k, v] of Object.entries(p.headers)) headers[k.toLowerCase()] = String(v);
    return { id: p.id, method: p.method.toUpperCase(), url: p.url, headers, body: p.body };
  });
}

/** A part's answer as JSON batching serialises it: a JSON body as JSON, any other body base64. */
function partAnswer(id: string, r: SimResponse): Record<string, unknown> {
  const type = r.headers['content-type'] ?? '';
  const text = r.body?.toString('utf8');
  const body =
    text === undefined || text === '' ? undefined : /json/i.test(type) ? (JSON.parse(text) as unknown) : r.body!.toString('base64');
  return { id, status: r.status, headers: r.headers, ...(body === undefined ? {} : { body }) };
}

export function batch(r: Routed, version: string): SimResponse {
  noQueryOptionsBut(r.req, []);
  requireJson(r.req);
  const parts = partsOf(r.req.body);
  const { ctx } = r;
  const responses = parts.map((p, index) => {
    const [path = '', search = ''] = p.url.replace(/^\/+/, '').split('?');
    const fullPath = `/${version}/${path}`;
    const answer = answerPart(r, p, index, fullPath, search);
    ctx.parts?.push({ id: p.id, method: p.method, path: fullPath, status: answer.status });
    return partAnswer(p.id, answer);
  });
  return json(200, { responses });
}

function answerPart(r: Routed, p: Part, index: number, fullPath: string, search: string): SimResponse {
  const { deps, ctx } = r;
  const fault = deps.faults.take(p.method, fullPath, ['status']);
  if (fault && fault.spec.kind === 'status') return statusFaultResponse(fault.spec, ctx);
  if (deps.store.has('batchThrottling') && index % 2 === 1 && !deps.store.throttledParts.has(p.url)) {
    deps.store.throttledParts.add(p.url);
    return json(429, errorBody(ctx, 'TooManyRequests', 'Too many requests. Retry after the interval given in the Retry-After header.'), {
      'retry-after': '1',
    });
  }
  const req: GraphRequestIn = { method: p.method, path: fullPath, query: new URLSearchParams(search), headers: p.headers, body: p.body };
  try {
    return routeGraph(deps, ctx, req, r.caller);
  } catch (err) {
    const e =
      err instanceof GraphError
        ? err
        : new GraphError(500, 'InternalServerError', `Simulator error: ${(err as Error)?.message ?? String(err)}`);
    return errorResponse(ctx, e);
  }
}
