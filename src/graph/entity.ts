// A single entity as Graph returns it. The SDKs read a flat entity; some reference examples wrap it as
// {"value": {...}}. Both are accepted; a body with no id is an error, never an empty record.
import { isPlainObject } from '../core/jsonShapes.js';
import { GraphError } from './errors.js';
import type { GraphResponse, HttpMethod } from './types.js';

/** The entity inside a body, flat or wrapped in `value`; undefined when there is none with an id. */
export function unwrapEntity(body: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(body)) return undefined;
  if (typeof body.id === 'string' && body.id !== '') return body;
  const inner = body.value;
  if (isPlainObject(inner) && typeof inner.id === 'string' && inner.id !== '') return inner;
  return undefined;
}

/** The entity of a successful response, or a GraphError naming what was missing. */
export function entityOf(res: GraphResponse<unknown>, what: string, method: HttpMethod, path: string): Record<string, unknown> {
  const entity = unwrapEntity(res.body);
  if (entity) return entity;
  throw new GraphError({
    kind: 'invalidResponse',
    message: `Graph ${method} ${path} answered HTTP ${res.status} with no ${what} in it (no object with an id, flat or inside "value"), so nothing was read from it`,
    method,
    path,
    status: res.status,
    requestId: res.requestId,
    clientRequestId: res.clientRequestId,
    date: res.date,
    attempts: res.attempts,
  });
}
