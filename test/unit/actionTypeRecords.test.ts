// The one record of bulk-action types, held to Graph's own metadata (the official beta types package), not to our
// simulator: every derived type Graph names has a row, each row's properties exist on its official interface, and the
// history names are Graph's cloudPcRemoteActionName values or the reference examples' strings.
import { describe, expect, it } from 'vitest';
import { ACTION_TYPE_RECORDS, historyNameMatches, normaliseActionName } from '../../src/core/actionTypes.js';
import { BULK_ACTION_TYPES } from '../../src/simulator/store.js';
import { remoteActionName } from '../../src/simulator/serialize.js';
import { derivedInterfaces, enumMembers } from '../support/graphBetaTypes.js';

const derived = derivedInterfaces('CloudPcBulkAction');
// Strings the retrieveCloudPcRemoteActionResults reference examples show (docs/graph.md, "History names").
const EXAMPLE_NAMES = ['Reboot', 'Rename', 'Reprovision', 'Resize', 'Restore', 'Troubleshoot', 'CloudPcPowerOn'];

describe('the action-type record and Graph’s metadata', () => {
  it('has a row for every CloudPcBulk* type Graph’s metadata names, and no other', () => {
    expect(derived.size).toBeGreaterThanOrEqual(15);
    const graphTypes = [...derived.keys()].map((n) => n[0]!.toLowerCase() + n.slice(1)).sort();
    expect(ACTION_TYPE_RECORDS.map((r) => r.odataType.replace('#microsoft.graph.', '')).sort()).toEqual(graphTypes);
  });

  it.each(ACTION_TYPE_RECORDS.map((r) => [r.type, r] as const))('%s: its properties are exactly its official interface’s own', (_, r) => {
    const official = derived.get(r.odataType.replace('#microsoft.graph.c', 'C'))!;
    expect(r.properties.map((p) => p.name).sort()).toEqual([...official].sort());
  });

  it('history names are Graph’s cloudPcRemoteActionName values or strings the reference examples show', () => {
    const known = new Set([...enumMembers('CloudPcRemoteActionName'), ...EXAMPLE_NAMES].map(normaliseActionName));
    for (const r of ACTION_TYPE_RECORDS)
      for (const n of r.historyNames) expect(known.has(normaliseActionName(n)), `${r.type}: ${n}`).toBe(true);
  });

  it.each([
    ['restart', 'Reboot', true],
    ['restart', 'restart', true],
    ['move', 'moveRegion', true],
    ['move', 'Move', false],
    ['setReviewStatus', 'placeUnderReview', true],
    ['powerOn', 'CloudPcPowerOn', true],
    ['powerOn', 'powerOn', true],
    ['reinstallAgent', 'ReinstallAgent', false],
    ['disasterRecovery', 'DisasterRecovery', false],
    ['somethingNew', 'SomethingNew', false],
  ])('a %s bulk action owns history entries named %s: %s', (type, name, owns) => {
    expect(historyNameMatches(type, name)).toBe(owns);
  });
});

describe('the simulator reads the record', () => {
  it('serves every type of the record', () => {
    expect([...BULK_ACTION_TYPES].sort()).toEqual(ACTION_TYPE_RECORDS.map((r) => r.odataType.replace('#microsoft.graph.', '')).sort());
  });

  it('has every type in the demo tenant’s seed', async () => {
    const { buildTenant } = await import('../../src/simulator/seeds.js');
    const seeded = new Set(buildTenant('demo', Date.UTC(2026, 11, 6, 9)).bulkActions.map((a) => a.type));
    expect([...seeded].sort()).toEqual([...BULK_ACTION_TYPES].sort());
  });

  it('writes history under the first history name, as the reference examples spell it, and none for a type without one', () => {
    expect(remoteActionName('cloudPcBulkRestart')).toBe('Reboot');
    expect(remoteActionName('cloudPcBulkPowerOn')).toBe('CloudPcPowerOn');
    expect(remoteActionName('cloudPcBulkMove')).toBe('moveRegion');
    expect(remoteActionName('cloudPcBulkSetReviewStatus')).toBe('placeUnderReview');
    for (const t of [
      'cloudPcBulkReinstallAgent',
      'cloudPcBulkModifyDiskEncryptionType',
      'cloudPcBulkDisasterRecovery',
      'cloudPcBulkTeleport',
    ]) {
      expect(remoteActionName(t), t).toBeUndefined();
    }
  });
});

describe('the simulator’s history over HTTP', () => {
  it('has no entry for a disaster-recovery action (no known history name) and names a restart "Reboot"', async () => {
    const { DEMO_IDS, startSimulator } = await import('../../src/simulator/index.js');
    const sim = await startSimulator();
    try {
      const history = async (pcId: string) => {
        const res = await fetch(`${sim.url}/beta/deviceManagement/virtualEndpoint/cloudPCs/${pcId}/retrieveCloudPcRemoteActionResults`, {
          headers: { authorization: `Bearer ${sim.token}` },
        });
        return ((await res.json()) as { value: { actionName: string; managedDeviceId: unknown }[] }).value;
      };
      const drPcs = sim.state.tenant.bulkActions.find((a) => a.id === DEMO_IDS.disasterRecovery)!.runs.map((r) => r.cloudPcId);
      const drRuns = new Set(
        drPcs.flatMap((id) => sim.state.tenant.bulkActions.filter((a) => a.runs.some((r) => r.cloudPcId === id))).map((a) => a.type),
      );
      expect(drRuns.has('cloudPcBulkDisasterRecovery')).toBe(true);
      for (const id of drPcs) {
        for (const e of await history(id)) expect(normaliseActionName(e.actionName)).not.toMatch(/disaster/);
      }
      const bob = await history(DEMO_IDS.bobPc);
      expect(bob.map((e) => e.actionName)).toContain('Reboot');
      expect(bob.every((e) => e.managedDeviceId === null)).toBe(true);
    } finally {
      await sim.close();
    }
  });
});
