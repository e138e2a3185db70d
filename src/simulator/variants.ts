// Where Graph is documented to answer in more than one shape, the simulator can answer in each. Every variant is a
// switch: off by default (the tidy shape), on through startSimulator({ variants }), PUT /_simulator/variants, the
// standalone simulator's --variants and the server's --simulate-variants. docs/simulator.md lists them.

export const SIMULATOR_VARIANTS = {
  thinListItems: 'List items carry "actionSummary": null and "cloudPcIds": []; GET by id gives the full item.',
  wrappedEntities: 'A single entity (GET by id) comes wrapped as {"value": {...}}.',
  statusDetails: 'Remote action results carry the deprecated statusDetails instead of statusDetail.',
  duplicateReportRows: 'The action status report keeps one row per attempt (each with its own RequestDateTime), so a retried device appears in several rows.',
  reportFilterRefused: 'The action status report answers 400 to a filter on BulkActionId (the documented example filters on ActionState only).',
  reportForbidden: 'The action status report answers 403 (a role without report access).',
  reportMissing: 'The reports segment does not exist (as in a national cloud without the reports): 400 for any report.',
  sameTypeAgain: "Bob's and Carol's PCs are also in a second restart three hours after last night's: Bob's succeeds, Carol's fails for another reason.",
  nullCreatedDateTime: 'Bulk actions carry "createdDateTime": null (the property is nullable).',
  orderbyIgnored: 'The bulk action list ignores $orderby without an error (oldest first).',
  startswithRefused: 'The Cloud PC list answers 400 to a startswith() filter.',
  enumsNeedPrefer: 'Cloud PC statuses added after unknownFutureValue come back as unknownFutureValue, and cannot be filtered on, without "Prefer: include-unknown-enum-members".',
  unsupportedQuery: 'The bulk action list answers 400 to $filter and $orderby.',
  offRootNextLink: 'List pages point their @odata.nextLink at a non-production host, outside the Graph root.',
  staleLastRemoteAction: "A PC's lastRemoteActionResult is an older, unrelated action (it covers only Reboot, Rename, Reprovision, Restore and Troubleshoot).",
  remoteActionHistory: 'PCs carry older, unrelated remote actions in their history (a 2023 reboot that failed, …).',
  batchThrottling: 'In a $batch, every other part is throttled once (429 with its own Retry-After: 1).',
  partlyFailedNotFailed: 'An action where some devices failed and others succeeded reports status "succeeded".',
  readOnlyPermissions: 'The caller has only CloudPC.Read.All: the remote action history and retry answer 403.',
} as const;

export type SimulatorVariant = keyof typeof SIMULATOR_VARIANTS;

export const VARIANT_NAMES = Object.keys(SIMULATOR_VARIANTS) as SimulatorVariant[];

/** Names that are not variants, for a clear refusal (case-sensitive, as documented). */
export function unknownVariants(names: readonly string[]): string[] {
  return names.filter((n) => !(VARIANT_NAMES as string[]).includes(n));
}
