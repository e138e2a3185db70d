// Graph's own reference examples (test/fixtures/graph-reference, verbatim from the API reference pages), read by the
// product's own readers: what an admin is shown from them must be true to them. These bodies are the oracle we did not
// write; npm run typecheck also holds them to Graph's official beta types.
import { describe, expect, it } from 'vitest';
import { historyNameMatches, isDestructive, ACTION_TYPES_DESTRUCTIVE_DEFAULT } from '../../src/core/actionTypes.js';
import { isThin, toBulkAction } from '../../src/graph/bulkActions.js';
import { toCloudPc } from '../../src/graph/cloudPcs.js';
import { latestPerDevice } from '../../src/graph/outcomes/deviceOutcomes.js';
import { unwrapEntity } from '../../src/graph/entity.js';
import { classifyDeviceFailure } from '../../src/graph/failureClasses.js';
import { statusDetailOf, toRemoteActionEntry } from '../../src/graph/outcomes/remoteActions.js';
import { parametersText } from '../../src/tools/retry/answerText.js';
import { actionStatusReportExample } from '../fixtures/graph-reference/actionStatusReport.js';
import { getBulkActionExample } from '../fixtures/graph-reference/getBulkAction.js';
import { listBulkActionsExample } from '../fixtures/graph-reference/listBulkActions.js';
import { listCloudPcsExample1, listCloudPcsExample2 } from '../fixtures/graph-reference/listCloudPcs.js';
import { remoteActionResultsExample } from '../fixtures/graph-reference/remoteActionResults.js';

const destructiveDefaults = new Set(ACTION_TYPES_DESTRUCTIVE_DEFAULT.map((t) => t.toLowerCase()));

describe('List bulkActions example', () => {
  const [item] = listBulkActionsExample.value.map(toBulkAction);

  it('reads the item inside its extra {"value": …} wrapper as a power-on action', () => {
    expect(item).toMatchObject({
      id: '0d76d02b-e0a0-4f58-baff-d1718cc2d144',
      actionType: 'powerOn',
      status: 'succeeded',
      initiatedByUserPrincipalName: 'johnd@contoso.com',
    });
  });

  it('takes a thin item’s missing counts and empty device list as unknown, never as zero or "no devices"', () => {
    expect(item!.actionSummary).toBeUndefined();
    expect(item!.cloudPcIds).toBeUndefined();
    expect(isThin(item!)).toBe(true);
  });
});

describe('Get cloudPcBulkAction example', () => {
  const action = toBulkAction(unwrapEntity(getBulkActionExample));

  it('unwraps the entity and keeps the abstract base type as a type it does not know, which a person must approve', () => {
    expect(action.id).toBe('231ad98f-41b3-872b-dd37-c70bf22cbdac');
    expect(action.actionType).not.toBe('restart');
    expect(isDestructive(action.actionType, destructiveDefaults)).toBe(true);
  });

  it('takes a summary with no counts as unknown counts', () => {
    expect(action.actionSummary).toBeUndefined();
    expect(action.cloudPcIds).toEqual(['Guid']);
  });
});

describe('List cloudPCs examples', () => {
  it('reads each PC; a null managed device name is absent, not the string "null"', () => {
    const [demo] = listCloudPcsExample1.value.map((p) => toCloudPc(p));
    expect(demo).toMatchObject({
      id: '662009bc-7732-4f6f-8726-25883518ffff',
      displayName: 'Demo-1',
      status: 'provisioned',
      userPrincipalName: 'dujanjic@contoso.com',
    });
    expect(demo!.powerState).toBeUndefined();
    const failed = listCloudPcsExample2.value.map((p) => toCloudPc(p));
    expect(failed.map((p) => [p.status, p.managedDeviceName])).toEqual([
      ['failed', undefined],
      ['failed', undefined],
    ]);
  });

  it('reads the deprecated statusDetails with Graph’s own retriable hint, and classes intuneEnrollFailed by it', () => {
    const detail = statusDetailOf(listCloudPcsExample2.value[0]!.statusDetails);
    expect(detail).toMatchObject({ code: 'intuneEnrollFailed', retriable: true });
    expect(classifyDeviceFailure(detail, 'reprovision')).toMatchObject({ class: 'retryable', rule: 'graphRetriable' });
  });
});

describe('retrieveCloudPcRemoteActionResults example', () => {
  const entry = toRemoteActionEntry(remoteActionResultsExample.value[0])!;

  it('reads the entry with null details as no reason', () => {
    expect(entry).toMatchObject({ actionName: 'CloudPcPowerOn', actionState: 'done' });
    expect(entry.statusDetail).toBeUndefined();
  });

  it('takes "CloudPcPowerOn" as a power-on’s entry and as no other action’s', () => {
    expect(historyNameMatches('powerOn', entry.actionName)).toBe(true);
    for (const other of ['restart', 'powerOff', 'reprovision', 'disasterRecovery'])
      expect(historyNameMatches(other, entry.actionName)).toBe(false);
  });
});

describe('getActionStatusReports example', () => {
  const rows = actionStatusReportExample.Values.map((v) =>
    Object.fromEntries(actionStatusReportExample.Schema.map((c, i) => [c.Column, v[i]])),
  );

  it('reads the failed Resize row as a failed device with its name and owner', () => {
    expect(latestPerDevice(rows)).toMatchObject([
      {
        cloudPcId: 'bdc8e6dd-0455-4412-83d9-c818664fe1f1',
        name: 'CloudPC-Connie',
        userPrincipalName: 'connie@cpccustomer001.onmicrosoft.com',
        state: 'failed',
        requestDateTime: '2020-07-23T10:10:57Z',
        lastUpdatedDateTime: '2023-07-23T18:14:34Z',
      },
    ]);
  });

  it('describes the action by the parameters the row carries, labelled by the action-type record', () => {
    const params = rows[0]!.ActionParameters as Record<string, unknown>;
    const resize = toBulkAction({ '@odata.type': '#microsoft.graph.cloudPcBulkResize', id: 'x', ...params });
    expect(parametersText(resize)).toBe('target service plan 3bba9856-7cf2-4396-904a-00de74fba3a4');
  });
});
