// get_cloudpc_bulk_action: one bulk action, which devices failed and why, and (optionally) waiting for it to finish.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { getBulkAction, type BulkAction } from '../graph/bulkActions.js';
import { deviceOutcomesOf, type DeviceOutcomes } from '../graph/deviceOutcomes.js';
import { defineTool } from './defineTool.js';
import { guid } from './inputs.js';
import { bulkActionRow, toRow } from './rows.js';
import { plural, table } from './render.js';

export const MAX_WAIT_SECONDS = 600;
// Enough rows to name every failed device of a typical action without flooding the chat.
const MAX_DEVICE_ROWS_IN_TEXT = 30;

const deviceRow = z.object({
  cloudPcId: z.string(),
  name: z.string().optional(),
  userPrincipalName: z.string().optional(),
  state: z.string(),
  lastUpdatedDateTime: z.string().optional(),
  detail: z.string().optional(),
});

function countsLine(a: BulkAction): string {
  const s = a.actionSummary;
  return `${s.successfulCount} succeeded, ${s.failedCount} failed, ${s.inProgressCount} in progress, ${s.pendingCount} pending, ${s.notSupportedCount} not supported`;
}

export const getBulkActionTool = defineTool({
  name: 'get_cloudpc_bulk_action',
  title: 'Get a Cloud PC bulk action and its device outcomes',
  kind: 'read',
  view: true,
  description:
    'Get one Windows 365 Cloud PC bulk action: its type, status and counts, and per device whether it succeeded or failed and why, with device names and users. ' +
    'Set waitSeconds to wait (up to 600 s) until the action is no longer pending, e.g. after a retry; progress notifications report the counts while waiting.',
  input: {
    bulkActionId: guid('bulkActionId').describe('Id (GUID) of the bulk action.'),
    includeDevices: z.boolean({ error: 'includeDevices must be true or false.' }).optional().describe('Include the per-device outcome. Default true.'),
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
    devicesUnavailable: z.string().optional().describe('Why per-device outcomes could not be read, if so.'),
    waited: z
      .object({ seconds: z.number(), finished: z.boolean().describe('False when the wait ended with the action still pending.') })
      .optional(),
    simulated: z.boolean(),
  },
  async handle(args, ctx) {
    const graph = ctx.deps.graph();
    const started = Date.now();
    let action = await getBulkAction(graph, args.bulkActionId, ctx.signal);
    let waited: { seconds: number; finished: boolean } | undefined;
    if (args.waitSeconds && args.waitSeconds > 0) {
      const deadline = started + args.waitSeconds * 1000;
      let last = countsLine(action);
      const total = action.cloudPcIds.length || undefined;
      const report = () => {
        const s = action.actionSummary;
        ctx.progress(s.successfulCount + s.failedCount + s.notSupportedCount, total, `${action.status}: ${countsLine(action)}`);
      };
      report();
      while (action.status === 'pending' && Date.now() < deadline) {
        // Aborts at once on MCP cancellation: the wait is the caller's, not the server's.
        await sleep(Math.min(ctx.deps.config.pollIntervalMs, deadline - Date.now()), undefined, { signal: ctx.signal });
        action = await getBulkAction(graph, args.bulkActionId, ctx.signal);
        const now = countsLine(action);
        if (now !== last || action.status !== 'pending') report();
        last = now;
      }
      waited = { seconds: Math.round((Date.now() - started) / 1000), finished: action.status !== 'pending' };
    }
    const outcomes: DeviceOutcomes = args.includeDevices === false ? { devices: [], more: false } : await deviceOutcomesOf(graph, action, ctx.signal);

    const row = { ...toRow(action), scheduledDuringMaintenanceWindow: action.scheduledDuringMaintenanceWindow };
    const lines = [
      `${action.actionType} bulk action "${action.displayName}" (${action.id}) is ${action.status}: ${countsLine(action)}, of ${plural(action.cloudPcIds.length, 'Cloud PC')}.` +
        ` Created ${action.createdDateTime ?? '(unknown)'} by ${action.initiatedByUserPrincipalName ?? '(unknown)'}.${ctx.deps.simulated ? ' [simulated tenant]' : ''}`,
    ];
    if (waited) {
      lines.push(
        waited.finished
          ? `Waited ${waited.seconds} s; the action is no longer pending.`
          : `Waited ${waited.seconds} s; the action is still pending. Call again with waitSeconds to keep watching.`,
      );
    }
    if (outcomes.unavailable) lines.push(`Per-device outcomes unavailable: ${outcomes.unavailable}.`);
    if (outcomes.devices.length) {
      // Failed devices first: they are what the admin asks about.
      const order = ['failed', 'inProgress', 'pending', 'notSupported', 'succeeded'];
      const sorted = [...outcomes.devices].sort((a, b) => rank(order, a.state) - rank(order, b.state));
      const shown = sorted.slice(0, MAX_DEVICE_ROWS_IN_TEXT);
      lines.push(
        table(
          ['Cloud PC id', 'name', 'user', 'state', 'why'],
          shown.map((d) => [d.cloudPcId, d.name, d.userPrincipalName, d.state, d.detail]),
          60,
        ),
      );
      if (sorted.length > shown.length) lines.push(`… and ${sorted.length - shown.length} more devices in the structured result.`);
    }
    return {
      structured: {
        bulkAction: row,
        devices: outcomes.devices,
        devicesMore: outcomes.more,
        devicesUnavailable: outcomes.unavailable,
        waited,
        simulated: ctx.deps.simulated,
      },
      text: lines.join('\n'),
    };
  },
});

function rank(order: string[], state: string): number {
  const i = order.indexOf(state);
  return i === -1 ? order.length : i;
}
