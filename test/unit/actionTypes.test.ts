import { describe, expect, it } from 'vitest';
import { ACTION_TYPES_DESTRUCTIVE_DEFAULT, actionTypeOf, isDestructive, odataTypeOf } from '../../src/core/actionTypes.js';

describe('action types', () => {
  it.each([
    ['#microsoft.graph.cloudPcBulkRestart', 'restart'],
    ['#microsoft.graph.cloudPcBulkPowerOn', 'powerOn'],
    ['#microsoft.graph.cloudPcBulkDisasterRecoveryFailover', 'disasterRecoveryFailover'],
    ['#microsoft.graph.cloudPcBulkSomethingNew', 'somethingNew'],
    ['#microsoft.graph.cloudPcBulkAction', 'action'],
    [undefined, 'unknown'],
    ['#microsoft.graph.user', 'unknown'],
  ])('%s → %s', (odata, type) => {
    expect(actionTypeOf(odata)).toBe(type);
  });

  it('round-trips known names to @odata.type', () => {
    expect(odataTypeOf('reprovision')).toBe('#microsoft.graph.cloudPcBulkReprovision');
  });

  const defaults = new Set(ACTION_TYPES_DESTRUCTIVE_DEFAULT.map((s) => s.toLowerCase()));
  it.each([
    ['reprovision', true],
    ['restore', true],
    ['resize', true],
    ['disasterRecoveryFailover', true],
    ['restart', false],
    ['powerOn', false],
    ['troubleshoot', false],
    ['somethingNew', true],
    ['unknown', true],
  ])('%s destructive by default: %s', (type, expected) => {
    expect(isDestructive(type, defaults)).toBe(expected);
  });

  it('an operator list of "none" still asks for action types this version does not know', () => {
    expect(isDestructive('reprovision', new Set())).toBe(false);
    expect(isDestructive('somethingNew', new Set())).toBe(true);
  });
});
