// list_cloud_pcs: turns "Bob's and Carol's PCs" into Cloud PC ids.
import { z } from 'zod';
import { CLOUD_PC_SELECT, CLOUD_PC_STATUSES, CLOUD_PCS_PATH, INCLUDE_UNKNOWN_ENUMS, toCloudPc } from '../graph/cloudPcs.js';
import { GraphError } from '../graph/errors.js';
import { collectPages, odataString, type Paged } from '../graph/paging.js';
import { defineTool } from './defineTool.js';
import { limitInput } from './inputs.js';
import { plural, table } from './textTable.js';

/** Every status a filter can ask for: the sentinel itself means nothing once the header asks for the real values. */
export const CLOUD_PC_STATUS_FILTERS = CLOUD_PC_STATUSES.filter((v) => v !== 'unknownFutureValue') as [string, ...string[]];

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 200;
const MAX_PAGES = 10;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Printable text only: these values go into an OData literal, and control characters have no business in a name.
const searchText = (what: string, max: number) =>
  z
    .string({ error: `${what} must be a string.` })
    .min(1, { error: `${what} must not be empty; omit it instead.` })
    .max(max, { error: `${what} is longer than ${max} characters.` })
    .regex(/^[^\u0000-\u001f\u007f]+$/, { error: `${what} must not contain control characters.` })
    // A lone UTF-16 surrogate cannot be percent-encoded into the query, so it would fail after validation instead of here.
    .refine((s) => !LONE_SURROGATE.test(s), { error: `${what} must be valid Unicode text (it contains a lone surrogate).` });

export const cloudPcRow = z.object({
  id: z.string(),
  displayName: z.string().optional(),
  managedDeviceName: z.string().optional(),
  userPrincipalName: z.string().optional(),
  status: z.string().optional(),
  provisioningPolicyName: z.string().optional(),
  servicePlanName: z.string().optional(),
  powerState: z.string().optional().describe('running, poweredOff or unknownFutureValue (cloudPcPowerState).'),
});

export const listCloudPcs = defineTool({
  name: 'list_cloud_pcs',
  title: 'Find Cloud PCs',
  kind: 'read',
  description:
    'Find Windows 365 Cloud PCs by user (userPrincipalName), by the start of their display name, or by status, and get their ids, names, users, status and provisioning policy. ' +
    'Use it to turn people or device names into the Cloud PC ids that retry_cloudpc_bulk_action takes.',
  input: {
    userPrincipalName: searchText('userPrincipalName', 256)
      .optional()
      .describe("The user's sign-in name, e.g. bob@contoso.com (exact match)."),
    nameStartsWith: searchText('nameStartsWith', 128).optional().describe('Start of the Cloud PC display name, e.g. CPC-bob.'),
    status: z
      .enum(CLOUD_PC_STATUS_FILTERS, { error: `status must be one of: ${CLOUD_PC_STATUS_FILTERS.join(', ')}.` })
      .optional()
      .describe('Only Cloud PCs with this status (every cloudPcStatus value, including the ones Graph added later such as movingRegion).'),
    limit: limitInput(MAX_LIMIT, DEFAULT_LIMIT),
  },
  output: {
    cloudPcs: z.array(cloudPcRow),
    more: z.boolean().describe('True when more matching Cloud PCs exist than were returned.'),
    simulated: z.boolean(),
  },
  async handle(args, ctx) {
    const limit = args.limit ?? DEFAULT_LIMIT;
    const clauses: string[] = [];
    if (args.userPrincipalName) clauses.push(`userPrincipalName eq ${odataString(args.userPrincipalName)}`);
    if (args.nameStartsWith) clauses.push(`startswith(displayName,${odataString(args.nameStartsWith)})`);
    if (args.status) clauses.push(`status eq ${odataString(args.status)}`);
    const read = (clauses: string[], keep?: (item: Record<string, unknown>) => boolean, top = Math.min(limit, 100)) => {
      const query: Record<string, string> = { $select: CLOUD_PC_SELECT, $top: String(top) };
      if (clauses.length) query.$filter = clauses.join(' and ');
      // Without the Prefer header, statuses Graph added after unknownFutureValue come back as unknownFutureValue.
      const first = { method: 'GET' as const, path: CLOUD_PCS_PATH, query, headers: { ...INCLUDE_UNKNOWN_ENUMS } };
      return collectPages(ctx.deps.graph(), first, { maxItems: limit, maxPages: MAX_PAGES, signal: ctx.signal, keep });
    };
    let page: Paged;
    let refused = '';
    try {
      page = await read(clauses);
    } catch (err) {
      // startswith on cloudPCs is not documented: where Graph refuses it, the same pages are read without it and the
      // names are matched here, within the same page cap.
      if (!(args.nameStartsWith && err instanceof GraphError && err.status === 400)) throw err;
      const prefix = args.nameStartsWith.toLowerCase();
      const named = (item: Record<string, unknown>) =>
        typeof item.displayName === 'string' && item.displayName.toLowerCase().startsWith(prefix);
      page = await read(
        clauses.filter((c) => !c.startsWith('startswith(')),
        named,
        100,
      );
      refused = ` Graph refused the startswith filter (HTTP 400${err.code ? ` ${err.code}` : ''}), so names were matched here among the first ${page.scanned} Cloud PCs read${page.more ? ' (not all of them: narrow by user or status)' : ''}.`;
    }
    const rows = page.items.map(toCloudPc);
    const more = page.foreignNextLink
      ? `; more exist, but Graph's link to the next page points outside the Graph root (${page.foreignNextLink}) and was not followed`
      : page.more
        ? '; more exist: narrow the filters or raise limit'
        : '';
    const head = `${plural(rows.length, 'Cloud PC')}${more}${ctx.deps.simulated ? ' [simulated tenant]' : ''}.${refused}`;
    const body = rows.length
      ? table(
          ['id', 'name', 'user', 'status', 'policy', 'power'],
          rows.map((r) => [
            r.id,
            r.displayName ?? r.managedDeviceName,
            r.userPrincipalName,
            r.status,
            r.provisioningPolicyName,
            r.powerState,
          ]),
        )
      : '';
    return { structured: { cloudPcs: rows, more: page.more, simulated: ctx.deps.simulated }, text: body ? `${head}\n${body}` : head };
  },
});
