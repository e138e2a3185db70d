// The bulk-action Graph operations this server makes, typed. Paths are built with graphPath so ids are always encoded.
import { actionTypeOf } from '../core/actionTypes.js';
import type { GraphClient } from './client.js';
import { graphPath, type GraphResponse, type ThrottleNotice } from './types.js';

export interface ActionSummary {
  successfulCount: number;
  failedCount: number;
  inProgressCount: number;
  notSupportedCount: number;
  pendingCount: number;
}

export interface BulkAction {
  id: string;
  displayName: string;
  actionType: string;
  odataType: string;
  status: string;
  createdDateTime?: string;
  initiatedByUserPrincipalName?: string;
  scheduledDuringMaintenanceWindow?: boolean;
  cloudPcIds: string[];
  actionSummary: ActionSummary;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function toBulkAction(raw: unknown): BulkAction {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const s = (r.actionSummary && typeof r.actionSummary === 'object' ? r.actionSummary : {}) as Record<string, unknown>;
  return {
    id: str(r.id) ?? '',
    displayName: str(r.displayName) ?? '',
    actionType: actionTypeOf(r['@odata.type']),
    odataType: str(r['@odata.type']) ?? '',
    status: str(r.status) ?? 'unknown',
    createdDateTime: str(r.createdDateTime),
    initiatedByUserPrincipalName: str(r.initiatedByUserPrincipalName),
    scheduledDuringMaintenanceWindow: typeof r.scheduledDuringMaintenanceWindow === 'boolean' ? r.scheduledDuringMaintenanceWindow : undefined,
    cloudPcIds: Array.isArray(r.cloudPcIds) ? r.cloudPcIds.filter((x): x is string => typeof x === 'string') : [],
    actionSummary: {
      successfulCount: num(s.successfulCount),
      failedCount: num(s.failedCount),
      inProgressCount: num(s.inProgressCount),
      notSupportedCount: num(s.notSupportedCount),
      pendingCount: num(s.pendingCount),
    },
  };
}

export const BULK_ACTIONS_PATH = '/deviceManagement/virtualEndpoint/bulkActions';

export async function getBulkAction(graph: GraphClient, id: string, signal?: AbortSignal): Promise<BulkAction> {
  const res = await graph.request<unknown>({ method: 'GET', path: graphPath`/deviceManagement/virtualEndpoint/bulkActions/${id}`, signal });
  return toBulkAction(res.body);
}

export interface RetryCall {
  bulkActionId: string;
  /** Undefined: Graph retries every failed device of the action. */
  cloudPcIds?: string[];
  signal?: AbortSignal;
  onThrottle?: (n: ThrottleNotice) => void;
}

export async function postRetry(graph: GraphClient, call: RetryCall): Promise<GraphResponse<unknown>> {
  // Only cloudPcIds, as the generated SDKs send; `{}` asks Graph to retry all failed devices.
  const body = call.cloudPcIds ? { cloudPcIds: call.cloudPcIds } : {};
  return graph.request<unknown>({
    method: 'POST',
    path: graphPath`/deviceManagement/virtualEndpoint/bulkActions/${call.bulkActionId}/retry`,
    body,
    signal: call.signal,
    onThrottle: call.onThrottle,
  });
}

export interface BulkActionFacts {
  actionType: string;
  displayName: string;
  cloudPcIds: ReadonlySet<string>;
}

/**
 * A bulk action's type and device list never change after it is created, so they are remembered:
 * a repeated non-destructive retry then costs one request instead of two.
 */
export class BulkActionCache {
  private readonly map = new Map<string, BulkActionFacts>();
  constructor(private readonly max = 500) {}

  get(id: string): BulkActionFacts | undefined {
    const key = id.toLowerCase();
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
    }
    return hit;
  }

  remember(id: string, action: BulkAction): BulkActionFacts {
    const facts: BulkActionFacts = {
      actionType: action.actionType,
      displayName: action.displayName,
      cloudPcIds: new Set(action.cloudPcIds.map((x) => x.toLowerCase())),
    };
    const key = id.toLowerCase();
    this.map.delete(key);
    this.map.set(key, facts);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return facts;
  }
}
