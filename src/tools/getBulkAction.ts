// get_cloudpc_bulk_action: one bulk action, which devices failed and why (this action's reasons, classified), and
// (optionally) waiting for it to finish.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { getBulkAction, type BulkAction } from '../graph/bulkActions.js';
import type { DeviceOutcome, DeviceOutcomes } from '../graph/outcomes/deviceOutcomes.js';
import type { ToolContext } from './context.js';
import { defineTool } from './defineTool.js';
import { guid } from './inputs.js';
import {
  classCountsOf,
  classLabel,
  classLines,
  countsLine,
  outcomesFor,
  reasonCapLine,
  reasonText,
  startReading,
  unavailableLines,
} from './outcomes.js';
import { bulkActionRow, classCounts, deviceRow, reasonSummary, toDeviceRow, toRow } from './rows.js';
import { plural, table } from './textTable.js';

export const MAX_WAIT_SECONDS = 600;
// Enough rows to name every failed device of a typical action without flooding the chat.
const MAX_DEVICE_ROWS_IN_TEXT = 30;
// One report page: above it, "which PCs failed" reads only the failures unless asked otherwise.
const ALL_DEVICES_UP_TO = 100;
const REASON_WIDTH = 60;

export const getBulkActionTool = defineTool({
  name: 'get_cloudpc_bulk_action',
  title: 'Get a Cloud PC bulk action and its device outcomes',
  kind: 'read',
  view: true,
  description:
    'Get one Windows 365 Cloud PC bulk action: its type, status and counts, and per device whether it succeeded or failed and why ' +
    '(the reason recorded for this action, never an older one), with device names and users. Failed devices are grouped by class: ' +
    'retryable (a retry may fix it), fixFirst (with the fix to make before retrying) or unknown. ' +
    'Set waitSeconds to wait (up to 600 s) until the action is no longer pending, e.g. after a retry; progress notifications report the counts while waiting.',
  input: {
    bulkActionId: guid('bulkActionId').describe('Id (GUID) of the bulk action.'),
    includeDevices: z
      .boolean({ error: 'includeDevices must be true or false.' })
      .optional()
      .describe('Include the per-device outcome. Default true.'),
    onlyFailed: z
      .boolean({ error: 'onlyFailed must be true or false.' })
      .optional()
      .describe(
        `Read only the failed devices (cheap on large actions). Default: true for actions of more than ${ALL_DEVICES_UP_TO} Cloud PCs, false otherwise.`,
      ),
    waitSeconds: z
      .number({ error: 'waitSeconds must be a number.' })
      .int({ error: 'waitSeconds must be a whole number.' })
      .min(0, { error: 'waitSeconds must be 0 or more.' })
      .max(MAX_WAIT_SECONDS, { error: `waitSeconds must be at most ${MAX_WAIT_SECONDS}; call again to keep waiting.` })
      .optional()
      .describe('Wait up to this many seconds for the action to leave pending. Default 0 (answer at once).'),
  },
  output: {
    bulkAction: bulkActionRow.extend({ scheduledDuringMaintenanceWindow: z.boolean().optional() }),
    devices: z.array(deviceRow).describe('Per-device outcome, as far as Graph reports it.'),
    devicesMore: z.boolean().describe('True when the action has more devices than were read.'),
    onlyFailed: z.boolean().describe('True when only the failed devices were read.'),
    devicesUnavailable: z.string().optional().describe('Why per-device outcomes could not be read, if so.'),
    failureClasses: classCounts.optional(),
    reasons: reasonSummary.optional(),
    waited: z
      .object({ seconds: z.number(), finished: z.boolean().describe('False when the wait ended with the action still pending.') })
      .optional(),
    simulated: z.boolean(),
  },
  async handle(args, ctx) {
    const started = Date.now();
    const waiting = !!args.waitSeconds && args.waitSeconds > 0;
    // The action and its report go out together; after a wait the report is read afresh.
    const reading = args.includeDevices === false || waiting ? undefined : startReading(ctx, args.bulkActionId, args.onlyFailed);
    let action = await getBulkAction(ctx.deps.graph(), args.bulkActionId, ctx.signal);
    let waited: { seconds: number; finished: boolean } | undefined;
    if (waiting) {
      action = await waitWhilePending(ctx, action, started + args.waitSeconds! * 1000);
      waited = { seconds: Math.round((Date.now() - started) / 1000), finished: action.status !== 'pending' };
    }
    const onlyFailed = args.onlyFailed ?? (action.cloudPcIds?.length ?? 0) > ALL_DEVICES_UP_TO;
    const outcomes: DeviceOutcomes =
      args.includeDevices === false
        ? { devices: [], more: false, onlyFailed }
        : await outcomesFor(ctx, action, { onlyFailed, reasons: true }, reading);
    const failed = outcomes.devices.filter((d) => d.state === 'failed');
    return {
      structured: {
        bulkAction: { ...toRow(action), scheduledDuringMaintenanceWindow: action.scheduledDuringMaintenanceWindow },
        devices: outcomes.devices.map(toDeviceRow),
        devicesMore: outcomes.more,
        onlyFailed: outcomes.onlyFailed,
        devicesUnavailable: outcomes.unavailable,
        failureClasses: failed.length ? classCountsOf(failed) : undefined,
        reasons: outcomes.reasons,
        waited,
        simulated: ctx.deps.simulated,
      },
      text: render(ctx, action, outcomes, waited),
    };
  },
});

async function waitWhilePending(ctx: ToolContext, first: BulkAction, deadline: number): Promise<BulkAction> {
  let action = first;
  let last = countsLine(action);
  const total = action.cloudPcIds?.length;
  const report = () => {
    const s = action.actionSummary ?? {};
    ctx.progress(
      (s.successfulCount ?? 0) + (s.failedCount ?? 0) + (s.notSupportedCount ?? 0),
      total,
      `${action.status}: ${countsLine(action)}`,
    );
  };
  report();
  while (action.status === 'pending' && Date.now() < deadline) {
    // Aborts at once on MCP cancellation: the wait is the caller's, not the server's.
    await sleep(Math.min(ctx.deps.config.pollIntervalMs, deadline - Date.now()), undefined, { signal: ctx.signal });
    action = await getBulkAction(ctx.deps.graph(), action.id, ctx.signal);
    const now = countsLine(action);
    if (now !== last || action.status !== 'pending') report();
    last = now;
  }
  return action;
}

function render(
  ctx: ToolContext,
  action: BulkAction,
  outcomes: DeviceOutcomes,
  waited: { seconds: number; finished: boolean } | undefined,
): string {
  const of = action.cloudPcIds ? plural(action.cloudPcIds.length, 'Cloud PC') : '? Cloud PCs';
  const lines = [
    `${action.actionType} bulk action "${action.displayName}" (${action.id}) is ${action.status}: ${countsLine(action)}, of ${of}.` +
      ` Created ${action.createdDateTime ?? '(unknown)'} by ${action.initiatedByUserPrincipalName ?? '(unknown)'}.${ctx.deps.simulated ? ' [simulated tenant]' : ''}`,
  ];
  if (waited) {
    lines.push(
      waited.finished
        ? `Waited ${waited.seconds} s; the action is no longer pending.`
        : `Waited ${waited.seconds} s; the action is still pending. Call again with waitSeconds to keep watching.`,
    );
  }
  lines.push(...unavailableLines(outcomes, action));
  if (outcomes.onlyFailed && outcomes.devices.length + (outcomes.unavailable ? 1 : 0) > 0)
    lines.push('Only the failed devices were read (onlyFailed).');
  lines.push(...classLines(outcomes.devices));
  const capLine = reasonCapLine(outcomes);
  if (capLine) lines.push(capLine);
  if (outcomes.devices.length) {
    // Failed devices first: they are what the admin asks about.
    const order = ['failed', 'inProgress', 'pending', 'notSupported', 'succeeded'];
    const sorted = [...outcomes.devices].sort((a, b) => rank(order, a.state) - rank(order, b.state));
    const shown = sorted.slice(0, MAX_DEVICE_ROWS_IN_TEXT);
    const cap = outcomes.reasons?.cap ?? ctx.deps.config.maxReasonLookups;
    lines.push(
      table(
        ['Cloud PC id', 'name', 'user', 'state', 'class', 'reason'],
        shown.map((d: DeviceOutcome) => [
          d.cloudPcId,
          d.name,
          d.userPrincipalName,
          d.state,
          d.state === 'failed' ? classLabel(d.failureClass) : undefined,
          reasonText(d, cap),
        ]),
        { maxCell: REASON_WIDTH, wrap: [5] },
      ),
    );
    if (sorted.length > shown.length) lines.push(`… and ${sorted.length - shown.length} more devices in the structured result.`);
  }
  if (outcomes.more) lines.push('The action has more devices than were read.');
  return lines.join('\n');
}

function rank(order: string[], state: string): number {
  const i = order.indexOf(state);
  return i === -1 ? order.length : i;
}
