// The bulk-action Graph operations this server makes, typed. Paths are built with graphPath so ids are always encoded.
// What Graph leaves out is kept as unknown, never as zero: a list item may come "thin" (actionSummary null,
// cloudPcIds []), and only GET by id is sure to carry the counts.
import { ACTION_PROPERTIES, actionTypeOf, readProperty, type PropertyValue } from '../core/actionTypes.js';
import { isPlainObject } from '../core/jsonShapes.js';
import type { GraphClient } from './client.js';
import { entityOf, unwrapEntity } from './entity.js';
import { graphPath, type GraphResponse, type ThrottleNotice } from './types.js';

/** Graph's cloudPcBulkActionSummary; a count Graph did not send is undefined (shown as "?"), never 0. */
export interface ActionSummary {
  successfulCount?: number;
  failedCount?: number;
  inProgressCount?: number;
  notSupportedCount?: number;
  pendingCount?: number;
}

export const SUMMARY_COUNTS = ['successfulCount', 'failedCount', 'inProgressCount', 'pendingCount', 'notSupportedCount'] as const;

export interface BulkAction {
  id: string;
  displayName: string;
  actionType: string;
  odataType: string;
  status: string;
  createdDateTime?: string;
  initiatedByUserPrincipalName?: string;
  scheduledDuringMaintenanceWindow?: boolean;
  /** Undefined when Graph sent none (an empty list on a list item means "not included", not "no devices"). */
  cloudPcIds?: string[];
  /** Undefined when Graph sent no counts. */
  actionSummary?: ActionSummary;
  /** The derived type's own properties (restore point, target plan, …), as Graph sent them (objects read by the record). */
  parameters: Record<string, PropertyValue>;
}

const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function summaryOf(raw: unknown): ActionSummary | undefined {
  if (!isPlainObject(raw)) return undefined;
  const s: ActionSummary = {};
  let any = false;
  for (const k of SUMMARY_COUNTS) {
    const n = count(raw[k]);
    if (n !== undefined) {
      s[k] = n;
      any = true;
    }
  }
  return any ? s : undefined;
}

export function toBulkAction(raw: unknown): BulkAction {
  // A list item may come wrapped once more in {"value": {…}}, as the List bulkActions reference example shows.
  const r = unwrapEntity(raw) ?? (isPlainObject(raw) ? raw : {});
  const ids = Array.isArray(r.cloudPcIds) ? r.cloudPcIds.filter((x): x is string => typeof x === 'string') : [];
  const parameters: BulkAction['parameters'] = {};
  for (const p of ACTION_PROPERTIES) {
    const v = readProperty(p, r[p.name]);
    if (v !== undefined) parameters[p.name] = v;
  }
  return {
    id: str(r.id) ?? '',
    displayName: str(r.displayName) ?? '',
    actionType: actionTypeOf(r['@odata.type']),
    odataType: str(r['@odata.type']) ?? '',
    status: str(r.status) ?? 'unknown',
    createdDateTime: str(r.createdDateTime),
    initiatedByUserPrincipalName: str(r.initiatedByUserPrincipalName),
    scheduledDuringMaintenanceWindow:
      typeof r.scheduledDuringMaintenanceWindow === 'boolean' ? r.scheduledDuringMaintenanceWindow : undefined,
    cloudPcIds: ids.length ? ids : undefined,
    actionSummary: summaryOf(r.actionSummary),
    parameters,
  };
}

/** True when the item lacks what only GET by id is sure to give: its counts and its devices. */
export function isThin(a: BulkAction): boolean {
  return a.actionSummary?.failedCount === undefined || a.cloudPcIds === undefined;
}

export const BULK_ACTIONS_PATH = '/deviceManagement/virtualEndpoint/bulkActions';

export function bulkActionPath(id: string): string {
  return graphPath`/deviceManagement/virtualEndpoint/bulkActions/${id}`;
}

export async function getBulkAction(graph: GraphClient, id: string, signal?: AbortSignal): Promise<BulkAction> {
  const path = bulkActionPath(id);
  const res = await graph.request<unknown>({ method: 'GET', path, signal });
  return toBulkAction(entityOf(res, 'bulk action', 'GET', path));
}

export interface RetryCall {
  bulkActionId: string;
  /** Undefined: Graph retries every failed device of the action. */
  cloudPcIds?: string[];
  signal?: AbortSignal;
  onThrottle?: (n: ThrottleNotice) => void;
}

/** Thrown before anything is sent: an empty id list has no documented meaning (Graph may read it as "all failed"). */
export class EmptyIdListError extends Error {
  constructor() {
    super(
      'Not sent: the retry named an empty list of Cloud PC ids, whose meaning Graph does not document. Name at least one Cloud PC, or none at all to retry every failed device.',
    );
  }
}

export async function postRetry(graph: GraphClient, call: RetryCall): Promise<GraphResponse<unknown>> {
  if (call.cloudPcIds && call.cloudPcIds.length === 0) throw new EmptyIdListError();
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
  /** Undefined when Graph did not list the action's devices: membership cannot be checked then. */
  cloudPcIds?: ReadonlySet<string>;
}

/**
 * A bulk action's type and device list never change after it is created, so they are remembered:
 * a repeated non-destructive retry of chosen devices the admin insists on then costs one request instead of two.
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
      cloudPcIds: action.cloudPcIds && new Set(action.cloudPcIds.map((x) => x.toLowerCase())),
    };
    const key = id.toLowerCase();
    this.map.delete(key);
    this.map.set(key, facts);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return facts;
  }
}
