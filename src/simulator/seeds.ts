// The tenants the simulator can start with.

import { buildDemoTenant } from './seedActions.js';
import { buildLargeTenant } from './seedLarge.js';
import type { Tenant } from './types.js';

/** demo: the Contoso tenant of the demo and tests; empty: nothing; large: the bench's 10,000-PC tenant. */
export const SEED_NAMES = ['demo', 'empty', 'large'] as const;
export type SeedName = (typeof SEED_NAMES)[number];

export function buildTenant(seed: SeedName, now: number): Tenant {
  if (seed === 'empty') return { cloudPcs: [], bulkActions: [] };
  return seed === 'large' ? buildLargeTenant(now) : buildDemoTenant(now);
}
