// One-shot (or n-shot) faults injected in front of the Graph routes. Each request consumes at most one fault:
// the oldest queued fault whose match fits.

import { BadRequest, JSON_CONTENT_TYPE, defaultErrorFor, errorBody, type RequestContext, type SimResponse } from './http.js';

export interface FaultMatch {
  method?: 'GET' | 'POST';
  /**
   * A string matches the request path (no query) exactly, ignoring case; '*' stands for one path segment,
   * e.g. '/beta/deviceManagement/virtualEndpoint/bulkActions/ * /retry' (without the spaces). A RegExp is tested as is.
   */
  path?: string | RegExp;
}

interface FaultCommon {
  match?: FaultMatch;
  /** How many matching requests this fault handles; default 1. */
  times?: number;
}

/** Whether the request is first handled normally (a retry applied and recorded) before the fault hits its response. */
interface ApplyFirst {
  applyFirst?: boolean;
}

export type FaultSpec = FaultCommon &
  (
    | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
    | ({ kind: 'reset' } & ApplyFirst)
    | ({ kind: 'delay'; ms: number } & ApplyFirst)
    | ({ kind: 'stall' } & ApplyFirst)
    | ({ kind: 'truncate' } & ApplyFirst)
  );

export interface ActiveFault {
  id: number;
  spec: FaultSpec;
  remaining: number;
}

export interface FiredFault {
  faultId: number;
  kind: FaultSpec['kind'];
  method: string;
  path: string;
}

export class FaultController {
  private queue: ActiveFault[] = [];
  private nextId = 1;
  /** Every time a fault handled a request, oldest first. */
  readonly fired: FiredFault[] = [];

  /** Queues one or more faults; returns their ids. */
  add(spec: FaultSpec | FaultSpec[]): number[] {
    const specs = Array.isArray(spec) ? spec : [spec];
    specs.forEach(validate);
    return specs.map((s) => {
      const id = this.nextId++;
      this.queue.push({ id, spec: s, remaining: s.times ?? 1 });
      return id;
    });
  }

  /** Alias of add, reading better in tests: sim.faults.inject({ kind: 'reset' }). */
  inject(spec: FaultSpec | FaultSpec[]): number[] {
    return this.add(spec);
  }

  clear(): void {
    this.queue = [];
  }

  pending(): readonly ActiveFault[] {
    return this.queue.map((f) => ({ ...f }));
  }

  /** Consumes one use of the first matching fault (of the given kinds: a $batch part can only get a status). */
  take(method: string, path: string, kinds?: readonly FaultSpec['kind'][]): ActiveFault | undefined {
    const f = this.queue.find((q) => matches(q.spec.match, method, path) && (!kinds || kinds.includes(q.spec.kind)));
    if (!f) return undefined;
    f.remaining--;
    if (f.remaining <= 0) this.queue = this.queue.filter((q) => q !== f);
    this.fired.push({ faultId: f.id, kind: f.spec.kind, method, path });
    return f;
  }

  resetHistory(): void {
    this.fired.length = 0;
  }
}

function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== method.toUpperCase()) return false;
  if (match.path === undefined) return true;
  if (match.path instanceof RegExp) {
    match.path.lastIndex = 0;
    return match.path.test(path);
  }
  const want = match.path.replace(/\/+$/, '').toLowerCase().split('/');
  const got = path.replace(/\/+$/, '').toLowerCase().split('/');
  return want.length === got.length && want.every((seg, i) => seg === '*' || seg === got[i]);
}

function validate(spec: FaultSpec): void {
  if (!spec || typeof spec !== 'object') throw new BadRequest('A fault must be an object.');
  if (spec.times !== undefined && !(spec.times === Infinity || (Number.isInteger(spec.times) && spec.times >= 1))) {
    throw new BadRequest('times must be a positive integer.');
  }
  switch (spec.kind) {
    case 'status':
      if (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)
        throw new BadRequest('status must be an HTTP status code.');
      return;
    case 'delay':
      if (typeof spec.ms !== 'number' || !(spec.ms >= 0)) throw new BadRequest('delay needs ms >= 0.');
      return;
    case 'reset':
    case 'stall':
    case 'truncate':
      return;
    default:
      throw new BadRequest(
        `Unknown fault kind ${JSON.stringify((spec as { kind?: unknown }).kind)}. Use status, reset, delay, stall or truncate.`,
      );
  }
}

/** Turns the JSON form of the control surface (match.pathRegex as a string) into a FaultSpec. */
export function faultFromJson(value: unknown): FaultSpec {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BadRequest('A fault must be a JSON object.');
  const v = { ...(value as Record<string, unknown>) };
  const m = v['match'];
  if (m !== undefined) {
    if (!m || typeof m !== 'object') throw new BadRequest('match must be an object.');
    const raw = m as Record<string, unknown>;
    const match: FaultMatch = {};
    if (raw['method'] !== undefined) {
      if (raw['method'] !== 'GET' && raw['method'] !== 'POST') throw new BadRequest("match.method must be 'GET' or 'POST'.");
      match.method = raw['method'];
    }
    if (typeof raw['path'] === 'string') match.path = raw['path'];
    if (typeof raw['pathRegex'] === 'string') {
      try {
        match.path = new RegExp(raw['pathRegex'], typeof raw['flags'] === 'string' ? raw['flags'] : undefined);
      } catch {
        throw new BadRequest(`match.pathRegex is not a valid regular expression.`);
      }
    }
    v['match'] = match;
  }
  // Also accept pathRegex at the top level, next to kind.
  if (typeof v['pathRegex'] === 'string' || typeof v['path'] === 'string' || typeof v['method'] === 'string') {
    const match = (v['match'] as FaultMatch | undefined) ?? {};
    if (typeof v['method'] === 'string') match.method = v['method'] as 'GET' | 'POST';
    if (typeof v['path'] === 'string') match.path = v['path'];
    if (typeof v['pathRegex'] === 'string') {
      try {
        match.path = new RegExp(v['pathRegex']);
      } catch {
        throw new BadRequest(`pathRegex is not a valid regular expression.`);
      }
    }
    v['match'] = match;
    delete v['path'];
    delete v['pathRegex'];
    delete v['method'];
  }
  return v as unknown as FaultSpec;
}

/** Faults as JSON for GET /_simulator/faults (RegExp shown as pathRegex). */
export function faultToJson(f: ActiveFault): unknown {
  const { match, ...rest } = f.spec;
  const m = match
    ? { method: match.method, ...(match.path instanceof RegExp ? { pathRegex: match.path.source } : { path: match.path }) }
    : undefined;
  return { id: f.id, remaining: f.remaining, ...rest, ...(m ? { match: m } : {}) };
}

/** The answer a status fault gives: its status, headers and body (a plausible Graph error when it names none). */
export function statusFaultResponse(spec: Extract<FaultSpec, { kind: 'status' }>, ctx: RequestContext): SimResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k.toLowerCase()] = v;
  let body: Buffer | undefined;
  if (spec.body === undefined) {
    if (spec.status >= 400) {
      const [code, message] = defaultErrorFor(spec.status);
      body = Buffer.from(JSON.stringify(errorBody(ctx, code, message)), 'utf8');
      headers['content-type'] ??= JSON_CONTENT_TYPE;
    }
  } else if (typeof spec.body === 'string') {
    body = Buffer.from(spec.body, 'utf8');
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else {
    body = Buffer.from(JSON.stringify(spec.body), 'utf8');
    headers['content-type'] ??= JSON_CONTENT_TYPE;
  }
  return { status: spec.status, headers, body };
}
