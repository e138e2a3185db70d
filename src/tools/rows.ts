// Row shapes several tools return, in one place so that tools never import each other.
import { z } from 'zod';
import type { BulkAction } from '../graph/bulkActions.js';
import type { DeviceOutcome } from '../graph/outcomes/deviceOutcomes.js';
import { FAILURE_CLASSES } from '../graph/failureClasses.js';

const count = () => z.number().optional();

export const summaryShape = z
  .object({
    successfulCount: count(),
    failedCount: count(),
    inProgressCount: count(),
    pendingCount: count(),
    notSupportedCount: count(),
  })
  .describe('Device counts; a count Graph did not send is absent (unknown, shown as "?"), never 0.');

export const bulkActionRow = z.object({
  id: z.string(),
  displayName: z.string(),
  actionType: z.string(),
  status: z.string(),
  createdDateTime: z.string().optional(),
  initiatedByUserPrincipalName: z.string().optional(),
  cloudPcCount: z.number().optional().describe('Absent when Graph did not list the devices (unknown, not 0).'),
  summary: summaryShape.optional().describe('Absent when Graph sent no counts for this item.'),
  parameters: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .describe(
      'What the action does, from its own properties: restore point and time range, target service plan, disk encryption type, snapshot storage account.',
    ),
});

export function toRow(a: BulkAction): z.output<typeof bulkActionRow> {
  return {
    id: a.id,
    displayName: a.displayName,
    actionType: a.actionType,
    status: a.status,
    createdDateTime: a.createdDateTime,
    initiatedByUserPrincipalName: a.initiatedByUserPrincipalName,
    cloudPcCount: a.cloudPcIds?.length,
    summary: a.actionSummary,
    parameters: Object.keys(a.parameters).length ? a.parameters : undefined,
  };
}

export const deviceRow = z.object({
  cloudPcId: z.string(),
  name: z.string().optional(),
  userPrincipalName: z.string().optional(),
  state: z.string().describe('succeeded, failed, inProgress, pending, notSupported, canceled, none, or a newer Graph value as it is.'),
  lastUpdatedDateTime: z.string().optional(),
  reason: z.string().optional().describe("Why it failed in THIS bulk action (Graph's message and code); absent when unknown."),
  reasonCode: z.string().optional(),
  reasonStatus: z
    .enum(['found', 'noMatchingEntry', 'lookupFailed', 'notLookedUp'])
    .optional()
    .describe(
      'Failed devices: found; noMatchingEntry (no remote action of this action in the PC history); lookupFailed; notLookedUp (beyond the reason cap).',
    ),
  failureClass: z
    .enum(FAILURE_CLASSES as [string, ...string[]])
    .optional()
    .describe('retryable: a retry may fix it; fixFirst: fix the cause first; unknown.'),
  fix: z.string().optional().describe('What the admin should do, for classified failures.'),
  pcStatus: z.string().optional().describe("The PC's own current status (not the action's reason), read when no reason was found."),
});

export type DeviceRow = z.output<typeof deviceRow>;

export function toDeviceRow(d: DeviceOutcome): DeviceRow {
  return {
    cloudPcId: d.cloudPcId,
    name: d.name,
    userPrincipalName: d.userPrincipalName,
    state: d.state,
    lastUpdatedDateTime: d.lastUpdatedDateTime,
    reason: d.reason,
    reasonCode: d.reasonCode,
    reasonStatus: d.reasonStatus,
    failureClass: d.failureClass,
    fix: d.fix,
    pcStatus: d.pcStatus && d.pcStatusDetail ? `${d.pcStatus}: ${d.pcStatusDetail}` : d.pcStatus,
  };
}

export const classCounts = z
  .object({ retryable: z.number(), fixFirst: z.number(), unknown: z.number() })
  .describe('Failed devices by class (of those read).');

export const reasonSummary = z
  .object({
    lookedUp: z.number().describe('Failed devices whose reason was looked up: the first ones, up to the cap.'),
    failed: z.number(),
    cap: z.number().describe('CLOUDPC_MCP_MAX_REASON_LOOKUPS.'),
    historyForbidden: z
      .boolean()
      .describe(
        'Graph refused the remote action history (it needs CloudPC.ReadWrite.All); reasons came from lastRemoteActionResult where it matched.',
      ),
  })
  .describe('How far failure reasons were looked up.');
