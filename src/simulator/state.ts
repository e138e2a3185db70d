// Read access to the simulated tenant for tests and the bench. Every call first lets the simulator clock resolve due
// retries, as a request would.

import { serializeAction, serializePc } from './serialize.js';
import type { Store } from './store.js';
import type { DeviceRun, Tenant } from './types.js';

export interface DeviceStateView {
  cloudPcId: string;
  state: DeviceRun['state'];
  detail: DeviceRun['detail'];
  retryCount: number;
  startDateTime: string;
  lastUpdatedDateTime: string;
}

export interface SimulatorState {
  /** Bulk actions exactly as GET .../bulkActions/{id} would serialise them. */
  bulkActions(): Record<string, unknown>[];
  bulkAction(id: string): Record<string, unknown> | undefined;
  cloudPcs(): Record<string, unknown>[];
  cloudPc(id: string): Record<string, unknown> | undefined;
  /** Per-device state of one bulk action, or undefined for an unknown id. */
  devices(bulkActionId: string): DeviceStateView[] | undefined;
  /** The live records, for tests that need to arrange unusual state. */
  readonly tenant: Tenant;
}

export function stateView(store: Store, now: () => number): SimulatorState {
  const fresh = () => store.advance(now());
  return {
    bulkActions: () => {
      fresh();
      return store.tenant.bulkActions.map((a) => serializeAction(store, a));
    },
    bulkAction: (id) => {
      fresh();
      const a = store.findAction(id);
      return a ? serializeAction(store, a) : undefined;
    },
    cloudPcs: () => {
      fresh();
      return store.tenant.cloudPcs.map((p) => serializePc(store, p));
    },
    cloudPc: (id) => {
      fresh();
      const p = store.findPc(id);
      return p ? serializePc(store, p) : undefined;
    },
    devices: (id) => {
      fresh();
      return store.findAction(id)?.runs.map((r) => ({
        cloudPcId: r.cloudPcId,
        state: r.state,
        detail: r.detail,
        retryCount: r.retryCount,
        startDateTime: new Date(r.startDateTime).toISOString(),
        lastUpdatedDateTime: new Date(r.lastUpdatedDateTime).toISOString(),
      }));
    },
    get tenant() {
      return store.tenant;
    },
  };
}
