// The only Graph requests this server may ever make. Written out by hand, not derived from the source, so a change
// in what the server sends shows up here as a failing allow-list rather than passing unnoticed.
import type { RecordedRequest } from '../../src/simulator/index.js';

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const ROOT = '/beta/deviceManagement/virtualEndpoint';

export const KNOWN_OPERATIONS: readonly { name: string; method: 'GET' | 'POST'; path: RegExp }[] = [
  { name: 'list bulk actions', method: 'GET', path: new RegExp(`^${ROOT}/bulkActions$`) },
  { name: 'get a bulk action', method: 'GET', path: new RegExp(`^${ROOT}/bulkActions/${GUID}$`) },
  { name: 'retry a bulk action', method: 'POST', path: new RegExp(`^${ROOT}/bulkActions/${GUID}/retry$`) },
  { name: 'list Cloud PCs', method: 'GET', path: new RegExp(`^${ROOT}/cloudPCs$`) },
  { name: 'get a Cloud PC', method: 'GET', path: new RegExp(`^${ROOT}/cloudPCs/${GUID}$`) },
  {
    name: 'remote action history of a Cloud PC',
    method: 'GET',
    path: new RegExp(`^${ROOT}/cloudPCs/${GUID}/retrieveCloudPcRemoteActionResults$`),
  },
  { name: 'action status report', method: 'POST', path: new RegExp(`^${ROOT}/reports/getActionStatusReports$`) },
  { name: 'JSON batch', method: 'POST', path: /^\/beta\/\$batch$/ },
];

/** Reads only: a batch may carry GETs the allow-list knows, never a retry or any other change. */
const BATCHABLE = new Set(['get a bulk action', 'get a Cloud PC', 'remote action history of a Cloud PC']);

/** The operation a recorded request is, or undefined when it (or a part of its batch) is none of the known ones. */
export function operationOf(r: Pick<RecordedRequest, 'method' | 'path' | 'parts'>): string | undefined {
  const name = KNOWN_OPERATIONS.find((op) => op.method === r.method && op.path.test(r.path))?.name;
  if (name !== 'JSON batch') return name;
  const parts = r.parts ?? [];
  return parts.every((p) => BATCHABLE.has(operationOf({ method: p.method, path: p.path.split('?')[0]! }) ?? '')) ? name : undefined;
}

/** The id in a get/retry path, for checking it is exactly the id the caller gave. */
export function bulkActionIdInPath(path: string): string | undefined {
  return new RegExp(`^${ROOT}/bulkActions/(${GUID})(?:/retry)?$`).exec(path)?.[1];
}
