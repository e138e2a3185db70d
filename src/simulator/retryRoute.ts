// POST …/bulkActions/{id}/retry: authorization first (as in Graph), then the payload, then the store applies it.

import { noQueryOptionsBut, readOnlyRefusal, requireJson, type Routed } from './graph.js';
import { BadRequest, GraphError, empty, type SimResponse } from './http.js';

function idsOf(body: unknown): string[] | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BadRequest('The request body must be a JSON object.');
  let ids: string[] | undefined;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === '@odata.type') continue;
    if (key === 'cloudPcIds') {
      if (value === null) continue;
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        throw new BadRequest("Cannot convert the value of the parameter 'cloudPcIds' to the expected type 'Collection(Edm.String)'.");
      }
      ids = value as string[];
      continue;
    }
    throw new BadRequest(`The parameter '${key}' in the request payload is not a valid parameter for the operation 'retry'.`);
  }
  return ids;
}

export function retry(r: Routed, id: string): SimResponse {
  const { req, caller, ctx } = r;
  const store = r.deps.store;
  noQueryOptionsBut(req, []);
  if (caller === 'app') {
    throw new GraphError(
      403,
      'Forbidden',
      'Application permissions are not supported for this API. Call it with a delegated token of a signed-in user who has CloudPC.ReadWrite.All.',
    );
  }
  if (store.has('readOnlyPermissions')) throw readOnlyRefusal();
  requireJson(req);
  const ids = idsOf(req.body === undefined ? {} : req.body);
  const rerun = store.retry(id, ids, ctx.now);
  const action = store.findAction(id)!;
  store.retries.push({
    at: new Date(ctx.now).toISOString(),
    bulkActionId: action.id,
    cloudPcIds: ids === undefined || ids.length === 0 ? 'allFailed' : [...ids],
    rerunCloudPcIds: rerun,
    requestId: ctx.requestId,
    ...(ctx.clientRequestId !== undefined ? { clientRequestId: ctx.clientRequestId } : {}),
  });
  return empty(202);
}
