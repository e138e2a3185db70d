// The pure decisions behind "what failed and why", table by table: which history entry is this action's, how the
// report's rows and states read, when a list may stop early, what a thin or wrapped body means.
import { describe, expect, it } from 'vitest';
import { statusMatches } from '../../src/graph/bulkActionList.js';
import { isThin, toBulkAction } from '../../src/graph/bulkActions.js';
import { latestPerDevice, stateName } from '../../src/graph/outcomes/deviceOutcomes.js';
import { unwrapEntity } from '../../src/graph/entity.js';
import { newestFirstStop } from '../../src/graph/paging.js';
import { historyNameMatches } from '../../src/core/actionTypes.js';
import { belongsTo, matchingEntry, statusDetailOf } from '../../src/graph/outcomes/remoteActions.js';

const CREATED = '2024-06-10T02:00:00Z';
const restart = { actionType: 'restart', createdDateTime: CREATED };
const entry = (actionName: string, startDateTime: string, code = 'x', state = 'failed') => ({
  actionName,
  actionState: state,
  startDateTime,
  statusDetail: { code, message: code },
});

describe('which remote action result belongs to the bulk action', () => {
  it.each([
    ['Reboot, after creation', entry('Reboot', '2024-06-10T02:01:00Z'), restart, true],
    ['Reboot, at creation', entry('Reboot', CREATED), restart, true],
    ['reboot in lower case', entry('reboot', '2024-06-10T02:01:00Z'), restart, true],
    ['Restart spelled as the bulk type', entry('Restart', '2024-06-10T02:01:00Z'), restart, true],
    ['a 2023 Reboot', entry('Reboot', '2023-11-14T02:00:00Z'), restart, false],
    ['Reprovision for a restart', entry('Reprovision', '2024-06-10T02:01:00Z'), restart, false],
    [
      'CloudPcPowerOn for a power-on (as the reference example names it)',
      entry('CloudPcPowerOn', '2024-06-10T02:01:00Z'),
      { actionType: 'powerOn', createdDateTime: CREATED },
      true,
    ],
    ['Resize for a resize', entry('Resize', '2024-06-11T00:00:00Z'), { actionType: 'resize', createdDateTime: CREATED }, true],
    ['no start time', { actionName: 'Reboot' }, restart, false],
    ['action of unknown creation time', entry('Reboot', '2024-06-10T02:01:00Z'), { actionType: 'restart' }, false],
    [
      'an action type this server does not know',
      entry('Reboot', '2024-06-10T02:01:00Z'),
      { actionType: 'unknown', createdDateTime: CREATED },
      false,
    ],
  ])('%s → %s', (_why, e, action, expected) => {
    expect(belongsTo(e, action)).toBe(expected);
  });

  it("picks the entry of this attempt, whatever the order Graph lists them in: never a later action's", () => {
    const raw = [
      entry('Reboot', '2024-06-10T02:05:00Z', 'first'),
      entry('Reboot', '2024-06-10T02:09:00Z', 'again'),
      entry('Reboot', '2023-11-14T02:00:00Z', 'old'),
      entry('Reboot', '2024-06-11T09:00:00Z', 'next week', 'done'),
      entry('Troubleshoot', '2024-06-10T02:06:00Z', 'other'),
      'not an object',
      null,
    ];
    // The report row places the attempt: requested at 02:00, last updated 02:10. Inside it, the newest entry.
    const row = { ...restart, requestDateTime: '2024-06-10T02:00:00Z', lastUpdatedDateTime: '2024-06-10T02:10:00Z' };
    expect(matchingEntry(raw, row)?.statusDetail?.code).toBe('again');
    // A later attempt of the same type (the next restart) is past the row's end: never this attempt's.
    expect(matchingEntry([entry('Reboot', '2024-06-11T09:00:00Z', 'next week', 'done')], row)).toBeUndefined();
    // No end known: the earliest entry after the start, the one nearest the request.
    expect(matchingEntry(raw, restart)?.statusDetail?.code).toBe('first');
    expect(matchingEntry([entry('Reboot', '2023-11-14T02:00:00Z')], restart)).toBeUndefined();
  });

  it.each([
    ['inside the row', '2024-06-10T02:05:00Z', {}, true],
    ["a little before the row's request (whole seconds, clocks)", '2024-06-10T01:59:30Z', {}, true],
    ["well before the row's request", '2024-06-10T01:50:00Z', {}, false],
    ["a little after the row's last update", '2024-06-10T02:10:30Z', {}, true],
    ["minutes after the row's last update (the next action, started right after)", '2024-06-10T02:14:00Z', {}, false],
    ["well after the row's last update (a later action)", '2024-06-10T05:00:00Z', {}, false],
    ["createdDateTime null: the row's request places it", '2024-06-10T02:05:00Z', { createdDateTime: undefined }, true],
    ["no row time: the action's createdDateTime places it", '2024-06-10T02:05:00Z', { requestDateTime: undefined }, true],
    ['nothing places the attempt', '2024-06-10T02:05:00Z', { requestDateTime: undefined, createdDateTime: undefined }, false],
  ])('an entry %s → %s', (_why, start, change, expected) => {
    const attempt = { ...restart, requestDateTime: '2024-06-10T02:00:00Z', lastUpdatedDateTime: '2024-06-10T02:10:00Z', ...change };
    expect(belongsTo(entry('Reboot', start), attempt)).toBe(expected);
  });

  it("reads statusDetail, else the deprecated statusDetails, and Graph's retriable flag", () => {
    const [withDetails] = [
      { actionName: 'Reboot', startDateTime: CREATED, statusDetail: null, statusDetails: { code: 'c', message: 'm' } },
    ];
    expect(matchingEntry([withDetails], restart)?.statusDetail).toEqual({ code: 'c', message: 'm', retriable: undefined });
    expect(statusDetailOf({ code: 'c', additionalInformation: [{ name: 'retriable', value: 'true' }] })).toEqual({
      code: 'c',
      message: undefined,
      retriable: true,
    });
    expect(statusDetailOf({ code: 'c', additionalInformation: [{ name: 'Retriable', value: false }] })?.retriable).toBe(false);
    expect(statusDetailOf({ code: '', message: '' })).toBeUndefined();
    expect(statusDetailOf(null)).toBeUndefined();
  });

  // Graph's history names a bulk action's entries by cloudPcRemoteActionName or by the strings its reference examples
  // show; a type with no known name never matches, so its reason is "unknown" rather than another action's.
  it.each([
    ['restart', 'Reboot', true],
    ['restart', 'restart', true],
    ['restart', 'CloudPcReboot', true],
    ['reprovision', 'Reprovision', true],
    ['move', 'moveRegion', true],
    ['move', 'move', false],
    ['setReviewStatus', 'placeUnderReview', true],
    ['setReviewStatus', 'setReviewStatus', false],
    ['powerOn', 'CloudPcPowerOn', true],
    ['createSnapshot', 'createSnapshot', true],
    ['reinstallAgent', 'reinstallAgent', false],
    ['disasterRecoveryFailover', 'disasterRecoveryFailover', false],
    ['modifyDiskEncryptionType', 'modifyDiskEncryptionType', false],
    ['unknown', 'unknown', false],
    ['somethingNew', 'somethingNew', false],
    ['resize', 'Reboot', false],
  ])('a %s bulk action owns history entries named %s: %s', (type, name, expected) => {
    expect(historyNameMatches(type, name)).toBe(expected);
  });
});

describe('the action status report', () => {
  it.each([
    ['none', 'none'],
    ['None', 'none'],
    ['pending', 'pending'],
    ['canceled', 'canceled'],
    ['active', 'inProgress'],
    ['done', 'succeeded'],
    ['failed', 'failed'],
    ['notSupported', 'notSupported'],
    ['awaitingAdminAction', 'awaitingAdminAction'],
    ['someFutureState', 'someFutureState'],
    [undefined, 'unknown'],
  ])('ActionState %s is shown as %s', (raw, shown) => {
    expect(stateName(raw)).toBe(shown);
  });

  it('keeps one row per Cloud PC, the latest by LastUpdatedDateTime, whatever the row order', () => {
    const rows = [
      { CloudPcId: 'PC-1', ActionState: 'done', LastUpdatedDateTime: '2024-06-11T09:30:00Z', RequestDateTime: CREATED },
      { CloudPcId: 'pc-1', ActionState: 'failed', LastUpdatedDateTime: '2024-06-10T02:10:00Z', RequestDateTime: CREATED },
      { CloudPcId: 'pc-2', ActionState: 'failed', LastUpdatedDateTime: '2024-06-10T02:10:00Z' },
      { CloudPcId: '', ActionState: 'failed' },
      { ActionState: 'failed' },
    ];
    const out = latestPerDevice(rows);
    expect(out.map((d) => [d.cloudPcId, d.state])).toEqual([
      ['PC-1', 'succeeded'],
      ['pc-2', 'failed'],
    ]);
    expect(out[0]!.requestDateTime).toBe(CREATED);
  });

  // One row per device or one per attempt: either way the latest row decides, and on a tie of last updates the later
  // request (a new attempt) does.
  it.each([
    ['one row per device, now done', [['done', '02:00', '02:30']], 'succeeded'],
    [
      'failed, then a retry that succeeded',
      [
        ['failed', '02:00', '02:10'],
        ['done', '03:00', '03:05'],
      ],
      'succeeded',
    ],
    [
      'the same, read in the other order',
      [
        ['done', '03:00', '03:05'],
        ['failed', '02:00', '02:10'],
      ],
      'succeeded',
    ],
    [
      'succeeded once, then failed on a later attempt',
      [
        ['done', '02:00', '02:10'],
        ['failed', '03:00', '03:05'],
      ],
      'failed',
    ],
    [
      'a retry still running',
      [
        ['failed', '02:00', '02:10'],
        ['active', '03:00', '03:00'],
      ],
      'inProgress',
    ],
    [
      'a tie of last updates: the later request',
      [
        ['failed', '02:00', '03:00'],
        ['done', '02:30', '03:00'],
      ],
      'succeeded',
    ],
  ])('%s → %s', (_why, attempts, expected) => {
    const rows = attempts.map(([state, req, last]) => ({
      CloudPcId: 'pc',
      ActionState: state,
      RequestDateTime: `2024-06-10T${req}:00Z`,
      LastUpdatedDateTime: `2024-06-10T${last}:00Z`,
    }));
    expect(latestPerDevice(rows).map((d) => d.state)).toEqual([expected]);
  });
});

describe('bulk action list items', () => {
  it('a thin item has unknown counts and devices, never zeros', () => {
    const thin = toBulkAction({
      id: 'a',
      '@odata.type': '#microsoft.graph.cloudPcBulkRestart',
      status: 'failed',
      actionSummary: null,
      cloudPcIds: [],
    });
    expect(thin.actionSummary).toBeUndefined();
    expect(thin.cloudPcIds).toBeUndefined();
    expect(isThin(thin)).toBe(true);
    const partial = toBulkAction({ id: 'a', actionSummary: { failedCount: 2 }, cloudPcIds: ['x'] });
    expect(partial.actionSummary).toEqual({ failedCount: 2 });
    expect(isThin(partial)).toBe(false);
  });

  it("carries the derived type's own properties", () => {
    const a = toBulkAction({
      id: 'a',
      restorePointDateTime: '2024-06-01T00:00:00Z',
      timeRange: 'before',
      ignoreUnhealthySnapshots: false,
      other: 'x',
    });
    expect(a.parameters).toEqual({ restorePointDateTime: '2024-06-01T00:00:00Z', timeRange: 'before', ignoreUnhealthySnapshots: false });
  });

  const item = (status: string, failedCount?: number) =>
    toBulkAction({ id: 'a', status, actionSummary: failedCount === undefined ? null : { failedCount }, cloudPcIds: ['x'] });
  it.each([
    ['failed', item('failed', 3), true],
    ['failed', item('pending', 2), true],
    ['failed', item('succeeded', 1), true],
    ['failed', item('succeeded', 0), false],
    ['failed', item('pending'), undefined],
    ['failed', item('failed'), true],
    ['pending', item('pending', 2), true],
    ['succeeded', item('succeeded', 1), true],
    ['succeeded', item('failed', 1), false],
  ] as const)('status filter %s on %j → %s', (status, a, expected) => {
    expect(statusMatches(a, status)).toBe(expected);
  });
});

describe('paging stops early only on a verified newest-first order', () => {
  const since = Date.parse('2024-06-10T00:00:00Z');
  const run = (times: string[]) => {
    const stop = newestFirstStop(since, (i) => Date.parse(String(i.createdDateTime)));
    return times.findIndex((t) => stop({ createdDateTime: t }));
  };
  it.each([
    [
      'newest first: stops at the first older item',
      ['2024-06-12T00:00:00Z', '2024-06-11T00:00:00Z', '2024-06-09T00:00:00Z', '2024-06-08T00:00:00Z'],
      2,
    ],
    ['oldest first (Graph ignored $orderby): never stops', ['2024-06-01T00:00:00Z', '2024-06-11T00:00:00Z', '2024-06-09T00:00:00Z'], -1],
    ['a single older item proves no order: does not stop on it', ['2024-06-01T00:00:00Z'], -1],
    ['two older items in order: stops on the second', ['2024-06-05T00:00:00Z', '2024-06-04T00:00:00Z'], 1],
    ['an item without a date breaks the proof', ['2024-06-12T00:00:00Z', 'not a date', '2024-06-08T00:00:00Z'], -1],
  ])('%s', (_why, times, expected) => {
    expect(run(times)).toBe(expected);
  });
});

describe('entity bodies', () => {
  it.each([
    ['flat', { id: 'a', x: 1 }, { id: 'a', x: 1 }],
    ['wrapped in value', { '@odata.context': 'c', value: { id: 'a', x: 1 } }, { id: 'a', x: 1 }],
    ['no id', { x: 1 }, undefined],
    ['value without id', { value: { x: 1 } }, undefined],
    ['a collection', { value: [{ id: 'a' }] }, undefined],
    ['empty id', { id: '' }, undefined],
    ['not an object', 'x', undefined],
  ])('%s', (_why, body, expected) => {
    expect(unwrapEntity(body)).toEqual(expected);
  });
});
