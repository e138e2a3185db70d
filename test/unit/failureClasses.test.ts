// The classification table, code by code: every code in it gives its rule's class, well-known messages are
// recognised, and anything else is unknown — never guessed.
import { describe, expect, it } from 'vitest';
import { classifyDeviceFailure, FAILURE_RULES, namesIn } from '../../src/graph/failureClasses.js';
import { FAILURES } from '../../src/simulator/index.js';

const ruleFor = (name: string) => FAILURE_RULES.find((r) => r.name === name)!;

describe('failure classification: every code of the table', () => {
  const rows = FAILURE_RULES.flatMap((r) =>
    (r.codes ?? []).map((code) => [code, r.name, r.class, r.actions?.[0] ?? 'reprovision'] as const),
  );

  it('has codes to test', () => expect(rows.length).toBeGreaterThan(50));

  it.each(rows)('%s → %s (%s)', (code, rule, cls, actionType) => {
    const c = classifyDeviceFailure({ code }, actionType);
    expect(c).toMatchObject({ class: cls, rule });
    expect(c.fix).toMatch(/\S/);
    // Codes compare without case, as Graph's casing varies between payloads.
    expect(classifyDeviceFailure({ code: code.toUpperCase() }, actionType).class).toBe(cls);
  });

  it('no code is claimed by two rules', () => {
    const seen = new Map<string, string>();
    for (const r of FAILURE_RULES)
      for (const c of r.codes ?? []) {
        expect(seen.get(c.toLowerCase()), `${c} in ${r.name} and ${seen.get(c.toLowerCase())}`).toBeUndefined();
        seen.set(c.toLowerCase(), r.name);
      }
  });
});

describe('failure classification: well-known messages', () => {
  it.each([
    [
      "The subnet 'snet-a' of Azure network connection 'anc-b' has no free IP addresses.",
      'reprovision',
      'fixFirst',
      'subnetOutOfAddresses',
    ],
    ['Provisioning failed: not enough available IP addresses in the subnet.', 'reprovision', 'fixFirst', 'subnetOutOfAddresses'],
    ["The Cloud PC is in its grace period because the user's Windows 365 license was removed.", 'restart', 'fixFirst', 'gracePeriod'],
    ['The target license is not assigned to the user.', 'resize', 'fixFirst', 'licence'],
    ['The Cloud PC is not running. Start the Cloud PC and try again.', 'restart', 'fixFirst', 'pcNotRunning'],
    ['The Cloud PC is powered off.', 'troubleshoot', 'fixFirst', 'pcNotRunning'],
    ['Resizing is not supported for Windows 365 Frontline Cloud PCs.', 'resize', 'fixFirst', 'unsupported'],
    ['The operation is blocked by an Azure Policy assignment on the resource group.', 'reprovision', 'fixFirst', 'azurePolicyOrLock'],
    ['Access is denied: insufficient privileges to complete the operation.', 'restore', 'fixFirst', 'permissions'],
    ['Operation timed out. The Cloud PC did not respond before the deadline.', 'restart', 'retryable', 'timeout'],
    ['The service is busy; try again later.', 'restart', 'retryable', 'serviceBusy'],
    ['An internal error occurred while reprovisioning. Retry the action.', 'reprovision', 'retryable', 'internalError'],
  ])('%j (%s) → %s by %s', (message, actionType, cls, rule) => {
    expect(classifyDeviceFailure({ message }, actionType)).toMatchObject({ class: cls, rule });
  });

  it('a specific cause in the message wins over a generic code', () => {
    const c = classifyDeviceFailure({ code: 'internalServerError', message: "The subnet 'x' has no free IP addresses." }, 'reprovision');
    expect(c).toMatchObject({ class: 'fixFirst', rule: 'subnetOutOfAddresses' });
  });

  it('"not running" is a fix-first cause only for actions that need a running PC', () => {
    expect(classifyDeviceFailure({ message: 'The Cloud PC is not running.' }, 'restart').class).toBe('fixFirst');
    expect(classifyDeviceFailure({ message: 'The Cloud PC is not running.' }, 'powerOn').class).toBe('unknown');
  });

  it('names the subnet and connection a message gives in the fix, and reads well without them', () => {
    const named = classifyDeviceFailure(FAILURES.subnetFull, 'reprovision');
    expect(named.fix).toBe(
      "Add free IP addresses to subnet 'snet-cloudpc-weu' of Azure network connection 'Contoso-WEU-ANC' (or point the connection at a larger subnet), then retry.",
    );
    const bare = classifyDeviceFailure({ code: 'resourceAvailabilityCheckNoSubnetIP' }, 'reprovision');
    expect(bare.fix).toBe(
      'Add free IP addresses to the subnet of its Azure network connection (or point the connection at a larger subnet), then retry.',
    );
    expect(namesIn(undefined)).toEqual({});
    expect(typeof ruleFor('subnetOutOfAddresses').fix).toBe('function');
  });
});

describe('failure classification: unknown is never guessed', () => {
  it.each([
    [undefined],
    [{ code: 'imageBuildStepFailed', message: 'Step 7 of the image build did not complete.' }],
    [{ code: 'somethingNew' }],
    [{ message: 'Unexpected condition 0x80070005.' }],
  ])('%j → unknown', (detail) => {
    expect(classifyDeviceFailure(detail, 'reprovision')).toEqual({ class: 'unknown' });
  });

  it("uses Graph's own retriable flag, only for codes the table does not know", () => {
    expect(classifyDeviceFailure({ code: 'somethingNew', retriable: true }, 'restart')).toMatchObject({
      class: 'retryable',
      rule: 'graphRetriable',
    });
    expect(classifyDeviceFailure({ code: 'somethingNew', retriable: false }, 'restart')).toMatchObject({
      class: 'fixFirst',
      rule: 'graphRetriable',
    });
    // The table wins: Graph's flag on a not-running PC does not make a restart retry succeed.
    expect(classifyDeviceFailure({ ...FAILURES.notRunning, retriable: true }, 'restart')).toMatchObject({
      class: 'fixFirst',
      rule: 'pcNotRunning',
    });
  });

  it('classifies every failure the demo tenant seeds', () => {
    expect(classifyDeviceFailure(FAILURES.notRunning, 'restart').class).toBe('fixFirst');
    expect(classifyDeviceFailure(FAILURES.timedOut, 'restart').class).toBe('retryable');
    expect(classifyDeviceFailure(FAILURES.gracePeriod, 'restart').class).toBe('fixFirst');
    expect(classifyDeviceFailure(FAILURES.internal, 'reprovision').class).toBe('retryable');
    expect(classifyDeviceFailure(FAILURES.subnetFull, 'reprovision').class).toBe('fixFirst');
    expect(classifyDeviceFailure(FAILURES.frontlineResize, 'resize').class).toBe('fixFirst');
  });
});
