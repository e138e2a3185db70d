// The /_simulator/ control surface, for tests that drive the simulator from another process. It needs no
// token: the simulator only ever listens on loopback.

import { faultFromJson, faultToJson, type FaultController } from './faults.js';
import { BadRequest, GraphError, empty, json, type SimResponse } from './http.js';
import { serializeAction, serializePc } from './serialize.js';
import type { Store } from './store.js';
import type { RecordedRequest } from './types.js';
import { SIMULATOR_VARIANTS } from './variants.js';

export interface ControlDeps {
  store: Store;
  faults: FaultController;
  requests: RecordedRequest[];
  reset(): void;
  advance(ms: number): void;
  now(): number;
  url: string;
}

// What GET /_simulator lists, so a test author can find the surface without reading this file.
const CONTROL_ENDPOINTS = [
  'POST /_simulator/faults',
  'GET /_simulator/faults',
  'DELETE /_simulator/faults',
  'GET /_simulator/requests',
  'DELETE /_simulator/requests',
  'GET /_simulator/retries',
  'GET /_simulator/state',
  'POST /_simulator/reset',
  'POST /_simulator/advance',
  'GET /_simulator/variants',
  'PUT /_simulator/variants',
];

export function routeControl(deps: ControlDeps, method: string, path: string, body: unknown): SimResponse {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /_simulator':
      return json(200, {
        url: deps.url,
        now: new Date(deps.now()).toISOString(),
        endpoints: CONTROL_ENDPOINTS,
      });
    case 'POST /_simulator/faults':
      return json(201, { ids: addFaults(deps.faults, body) });
    case 'GET /_simulator/faults':
      return json(200, { value: deps.faults.pending().map(faultToJson), fired: deps.faults.fired });
    case 'DELETE /_simulator/faults':
      deps.faults.clear();
      return empty(204);
    case 'GET /_simulator/requests':
      return json(200, { value: deps.requests });
    case 'DELETE /_simulator/requests':
      deps.requests.length = 0;
      deps.store.retries.length = 0;
      deps.faults.resetHistory();
      return empty(204);
    case 'GET /_simulator/retries':
      return json(200, { value: deps.store.retries });
    case 'GET /_simulator/state':
      return json(200, stateOf(deps));
    case 'POST /_simulator/reset':
      deps.reset();
      return empty(204);
    case 'POST /_simulator/advance':
      deps.advance(advanceMs(body));
      return json(200, { now: new Date(deps.now()).toISOString() });
    case 'GET /_simulator/variants':
      return json(200, variantsView(deps.store));
    case 'PUT /_simulator/variants':
      setVariants(deps.store, body);
      return json(200, variantsView(deps.store));
    default:
      throw new GraphError(404, 'ResourceNotFound', `No simulator control endpoint ${route}.`);
  }
}

/** POST a fault, an array of them, or { "faults": [...] }; answers the ids they were given. */
function addFaults(faults: FaultController, body: unknown): number[] {
  const list = Array.isArray(body) ? body : body && typeof body === 'object' && 'faults' in body ? body.faults : [body];
  if (!Array.isArray(list)) throw new BadRequest('Send a fault object, an array of them, or { "faults": [...] }.');
  return faults.add(list.map(faultFromJson));
}

/** POST { "ms": n }: how far to move the simulator clock. */
function advanceMs(body: unknown): number {
  const ms = body && typeof body === 'object' ? (body as { ms?: unknown }).ms : undefined;
  if (typeof ms !== 'number' || !(ms >= 0)) throw new BadRequest('Send { "ms": <non-negative number> }.');
  return ms;
}

function variantsView(store: Store): unknown {
  return { on: [...store.variants], available: SIMULATOR_VARIANTS };
}

/** PUT { "on": ["thinListItems", …] }: exactly these variants are on afterwards (reset goes back to the start set). */
function setVariants(store: Store, body: unknown): void {
  const on = body && typeof body === 'object' && !Array.isArray(body) ? (body as { on?: unknown }).on : undefined;
  if (!Array.isArray(on) || on.some((v) => typeof v !== 'string'))
    throw new BadRequest('Send { "on": ["<variant>", …] }; GET /_simulator/variants lists them.');
  store.setVariants(on as string[]);
}

function stateOf(deps: ControlDeps): unknown {
  deps.store.advance(deps.now());
  return {
    now: new Date(deps.now()).toISOString(),
    bulkActions: deps.store.tenant.bulkActions.map((a) => ({
      ...serializeAction(deps.store, a),
      devices: a.runs.map((r) => ({ cloudPcId: r.cloudPcId, state: r.state, detail: r.detail, retryCount: r.retryCount })),
    })),
    cloudPcs: deps.store.tenant.cloudPcs.map((p) => serializePc(deps.store, p)),
  };
}
