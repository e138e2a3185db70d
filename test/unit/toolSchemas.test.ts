// What the model sees (names, annotations, schemas) changes only on purpose: update with `npx vitest run -u` and review the diff.
import { describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { compileTool } from '../../src/tools/defineTool.js';

describe('tool listing', () => {
  const listings = ALL_TOOLS.map((t) => compileTool(t).listing);

  it('matches the reviewed snapshot', async () => {
    await expect(JSON.stringify(listings, null, 2) + '\n').toMatchFileSnapshot('../snapshots/tools.json');
  });

  it('derives all four annotation hints from the tool kind', () => {
    for (const t of ALL_TOOLS) {
      const a = compileTool(t).listing.annotations;
      expect(Object.keys(a).sort()).toEqual(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint', 'title']);
      expect(a.readOnlyHint).toBe(t.kind === 'read');
      expect(a.destructiveHint).toBe(t.kind === 'destructive');
    }
  });

  it('marks the retry tool destructive, not idempotent, open-world, with a title', () => {
    const retry = listings.find((l) => l.name === 'retry_cloudpc_bulk_action')!;
    expect(retry.annotations).toEqual({
      title: 'Retry a Cloud PC bulk action',
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: true,
    });
    // The tool's contract is a bulk action (and optional Cloud PCs); a planId is checked against it.
    expect(retry.inputSchema.required).toEqual(['bulkActionId']);
    expect(Object.keys(retry.inputSchema.properties as object)).toEqual([
      'bulkActionId',
      'cloudPcIds',
      'only',
      'includeNotFailed',
      'dryRun',
      'planId',
      'confirm',
    ]);
    expect(retry.inputSchema.additionalProperties).toBe(false);
  });

  it('gives hosts that render MCP Apps views the view on the bulk-action tools, and the decision tool to the view only', () => {
    const ui = Object.fromEntries(ALL_TOOLS.map((t) => [t.name, compileTool(t).uiListing._meta]));
    const view = { ui: { resourceUri: 'ui://cloudpc-mcp/bulk-action.html' }, 'ui/resourceUri': 'ui://cloudpc-mcp/bulk-action.html' };
    expect(ui.get_cloudpc_bulk_action).toEqual(view);
    expect(ui.retry_cloudpc_bulk_action).toEqual(view);
    expect(ui.decide_cloudpc_retry_plan).toEqual({ ui: { ...view.ui, visibility: ['app'] }, 'ui/resourceUri': view['ui/resourceUri'] });
    expect(ui.list_cloud_pcs).toBeUndefined();
    expect(listings.every((l) => l._meta === undefined)).toBe(true);
  });

  it('gives every tool an object output schema', () => {
    for (const l of listings) expect(l.outputSchema.type).toBe('object');
  });
});
