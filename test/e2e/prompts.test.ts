// Prompts and argument completion as a client meets them: the SDK's real client over stdio, the built command, the
// simulator over loopback HTTP. Clients show these prompts as slash commands and call completion/complete while the
// user fills in an argument.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import { McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { baseEnv, connect, type Connected } from './harness.js';

const sim = useSimulator({}, { resetEach: true });
let full: Connected;
let tools: Tool[];
const opened: Connected[] = [];

async function server(extra: Record<string, string> = {}, args: string[] = []): Promise<Connected> {
  const c = await connect({ env: baseEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token, ...extra }), args });
  opened.push(c);
  return c;
}

beforeAll(async () => {
  full = await server();
  tools = (await full.client.listTools()).tools;
});
afterAll(async () => {
  for (const c of opened) await c.close();
});

const render = async (c: Connected, name: string, args: Record<string, string> = {}) => {
  const r = await c.client.getPrompt({ name, arguments: args });
  expect(r.messages).toHaveLength(1);
  expect(r.messages[0]!.role).toBe('user');
  return (r.messages[0]!.content as { type: string; text: string }).text;
};

const complete = async (c: Connected, prompt: string, argument: string, value: string, context?: Record<string, string>) =>
  (
    await c.client.complete({
      ref: { type: 'ref/prompt', name: prompt },
      argument: { name: argument, value },
      ...(context ? { context: { arguments: context } } : {}),
    })
  ).completion;

/** Reads of the bulk action list that start from its first page (pages after it carry a $skiptoken). */
const firstPageReads = () => sim.requests.filter((r) => r.method === 'GET' && /\/bulkActions$/i.test(r.path) && !('$skiptoken' in r.query));
const listReads = () => firstPageReads().length;

/** The promise rejects with an McpError whose message matches. */
async function refused(p: Promise<unknown>, message: RegExp) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(McpError);
  expect((err as McpError).code).toBe(-32602);
  expect((err as McpError).message).toMatch(message);
}

describe('prompts', () => {
  it('are declared with completions, listed with their arguments, and the read-only server hides the retry prompt', async () => {
    expect(full.client.getServerCapabilities()).toMatchObject({ prompts: {}, completions: {} });
    const { prompts } = await full.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['triage_failed_bulk_actions', 'retry_user_failed_cloud_pcs', 'check_retry_outcome']);
    const retry = prompts.find((p) => p.name === 'retry_user_failed_cloud_pcs')!;
    expect(retry.title).toBe("Retry a user's failed Cloud PCs");
    expect(retry.arguments).toEqual([
      { name: 'user', description: expect.stringMatching(/sign-in name/), required: true },
      { name: 'bulkActionId', description: expect.stringMatching(/Default/), required: false },
    ]);

    const ro = await server({ CLOUDPC_MCP_READ_ONLY: 'true' });
    expect((await ro.client.listPrompts()).prompts.map((p) => p.name)).toEqual(['triage_failed_bulk_actions', 'check_retry_outcome']);
    await refused(
      ro.client.getPrompt({ name: 'retry_user_failed_cloud_pcs', arguments: { user: 'bob@contoso.com' } }),
      /read-only \(CLOUDPC_MCP_READ_ONLY\)/,
    );
  });

  it('render requests that name only tools the server offers, with arguments those tools take', async () => {
    const byName = new Map(tools.map((t) => [t.name, t]));
    const texts = [
      await render(full, 'triage_failed_bulk_actions'),
      await render(full, 'retry_user_failed_cloud_pcs', { user: 'bob@contoso.com' }),
      await render(full, 'retry_user_failed_cloud_pcs', { user: 'bob@contoso.com', bulkActionId: DEMO_IDS.failedRestart }),
      await render(full, 'check_retry_outcome', { bulkActionId: DEMO_IDS.failedRestart, user: 'bob@contoso.com' }),
    ];
    for (const text of texts) {
      const named = [...text.matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g)].map((m) => m[0]).filter((w) => /cloud|bulk/.test(w));
      expect(named.length).toBeGreaterThan(0);
      for (const n of named) expect(byName.has(n), `${n} is a tool`).toBe(true);
      // Every camelCase word is an argument of one of the tools the text names, so a renamed argument fails here.
      const inputs = new Set(named.flatMap((n) => Object.keys((byName.get(n)!.inputSchema.properties ?? {}) as object)));
      const words = [...new Set([...text.matchAll(/\b[a-z]+[A-Z][A-Za-z]*\b/g)].map((m) => m[0]))];
      for (const w of words) expect(inputs.has(w), `${w} is an argument of ${named.join(', ')}`).toBe(true);
    }
  });

  it('triage looks back over the hours given, from now, and only at the action type given', async () => {
    const text = await render(full, 'triage_failed_bulk_actions', { hours: '48', actionType: 'Reprovision' });
    const since = Date.parse(/createdAfter "([^"]+)"/.exec(text)![1]!);
    expect(Math.abs(Date.now() - 48 * 3_600_000 - since)).toBeLessThan(10 * 60_000);
    expect(text).toMatch(/actionType "reprovision"/);
    expect(text).toMatch(/Do not retry anything/);
    const dflt = await render(full, 'triage_failed_bulk_actions', { hours: '', actionType: '' });
    expect(dflt).toMatch(/the last 24 hours/);
  });

  it("the retry prompt asks for a dry run of exactly the user's failed devices, the go-ahead, and the outcome", async () => {
    const text = await render(full, 'retry_user_failed_cloud_pcs', { user: 'bob@contoso.com', bulkActionId: DEMO_IDS.failedRestart });
    expect(text).toMatch(/list_cloud_pcs with userPrincipalName "bob@contoso\.com"/);
    expect(text).toMatch(new RegExp(`get_cloudpc_bulk_action with bulkActionId "${DEMO_IDS.failedRestart}"`));
    expect(text).toMatch(/retry_cloudpc_bulk_action with that bulkActionId, cloudPcIds set to exactly those Cloud PC ids, and dryRun true/);
    expect(text).toMatch(/Only when I say go ahead/);
    expect(text).toMatch(/never confirm on my behalf/);
    expect(text).toMatch(/waitSeconds 120/);
  });

  it('refuse a missing or malformed argument with the fix, before anything is read', async () => {
    await refused(full.client.getPrompt({ name: 'retry_user_failed_cloud_pcs', arguments: {} }), /needs the argument "user"/);
    await refused(
      full.client.getPrompt({ name: 'check_retry_outcome', arguments: { bulkActionId: 'last night' } }),
      /bulkActionId must be a bulk action id \(a GUID/,
    );
    await refused(full.client.getPrompt({ name: 'retry_user_failed_cloud_pcs', arguments: { user: 'bob' } }), /such as bob@contoso\.com/);
    await refused(
      full.client.getPrompt({ name: 'triage_failed_bulk_actions', arguments: { hours: '1000' } }),
      /hours must be a whole number from 1 to 168/,
    );
    await refused(
      full.client.getPrompt({ name: 'triage_failed_bulk_actions', arguments: { days: '2' } }),
      /has no argument "days"\. Its arguments: hours, actionType/,
    );
    await refused(
      full.client.getPrompt({ name: 'triage', arguments: {} }),
      /Unknown prompt "triage"\. Available: triage_failed_bulk_actions/,
    );
    expect(sim.requests).toHaveLength(0);
  });
});

describe('argument completion', () => {
  it('offers the bulk actions with failed devices, newest first, matched by id, type or name', async () => {
    const all = await complete(full, 'retry_user_failed_cloud_pcs', 'bulkActionId', '');
    expect(all.values).toEqual(expect.arrayContaining([DEMO_IDS.failedRestart, DEMO_IDS.failedReprovision, DEMO_IDS.olderFailedRestart]));
    expect(all.values).not.toContain(DEMO_IDS.succeededRestart);
    expect(all.values.indexOf(DEMO_IDS.failedRestart)).toBeLessThan(all.values.indexOf(DEMO_IDS.olderFailedRestart));

    expect(
      (await complete(full, 'retry_user_failed_cloud_pcs', 'bulkActionId', DEMO_IDS.failedRestart.slice(0, 6).toUpperCase())).values,
    ).toEqual([DEMO_IDS.failedRestart]);
    const reprovisions = await complete(full, 'retry_user_failed_cloud_pcs', 'bulkActionId', 'reprov');
    expect(reprovisions.values).toContain(DEMO_IDS.failedReprovision);
    expect(reprovisions.values).not.toContain(DEMO_IDS.failedRestart);
    expect((await complete(full, 'retry_user_failed_cloud_pcs', 'bulkActionId', 'image update')).values).toEqual([
      DEMO_IDS.failedReprovision,
    ]);
    // Checking an outcome is not limited to failed actions: a retried one may have succeeded since.
    expect((await complete(full, 'check_retry_outcome', 'bulkActionId', '')).values).toContain(DEMO_IDS.succeededRestart);
  });

  it("narrows bulk actions to those with the chosen user's Cloud PCs", async () => {
    const erin = await complete(full, 'retry_user_failed_cloud_pcs', 'bulkActionId', '', { user: 'erin@contoso.com' });
    expect(erin.values).toContain(DEMO_IDS.failedReprovision);
    expect(erin.values).not.toContain(DEMO_IDS.failedRestart);
  });

  it('offers Cloud PC users by prefix, each once', async () => {
    const c = await complete(full, 'retry_user_failed_cloud_pcs', 'user', 'BO');
    expect(c.values).toEqual(['bob@contoso.com']);
    const a = await complete(full, 'check_retry_outcome', 'user', 'a');
    expect(a.values).toContain('alice@contoso.com');
    expect(new Set(a.values).size).toBe(a.values.length);
  });

  it('offers fixed values for fixed lists without reading Graph', async () => {
    expect((await complete(full, 'triage_failed_bulk_actions', 'actionType', 'power')).values).toEqual(['powerOn', 'powerOff']);
    expect((await complete(full, 'triage_failed_bulk_actions', 'hours', '')).values).toEqual(['24', '48', '72', '168']);
    expect(sim.requests).toHaveLength(0);
  });

  it('reads Graph once while the user types, not once per keystroke', async () => {
    const c = await server();
    for (const typed of ['', '8', '8f', '8f1']) await complete(c, 'retry_user_failed_cloud_pcs', 'bulkActionId', typed);
    expect(listReads()).toBe(1);
  });

  it('falls back to reading without $orderby when Graph refuses it, and still lists newest first', async () => {
    const c = await server();
    sim.faults.add({ kind: 'status', status: 400, match: { method: 'GET', path: '/beta/deviceManagement/virtualEndpoint/bulkActions' } });
    const r = await complete(c, 'retry_user_failed_cloud_pcs', 'bulkActionId', '');
    expect(r.values.indexOf(DEMO_IDS.failedRestart)).toBeGreaterThanOrEqual(0);
    expect(r.values.indexOf(DEMO_IDS.failedRestart)).toBeLessThan(r.values.indexOf(DEMO_IDS.olderFailedRestart));
    expect(sim.faults.fired).toHaveLength(1);
    expect(firstPageReads().map((q) => '$orderby' in q.query)).toEqual([true, false]);
  });

  it('answers an empty list when Graph fails, says why in the log, and asks Graph again next time', async () => {
    const c = await server();
    sim.faults.add({ kind: 'status', status: 403, match: { method: 'GET', path: '/beta/deviceManagement/virtualEndpoint/bulkActions' } });
    expect(await complete(c, 'retry_user_failed_cloud_pcs', 'bulkActionId', '')).toEqual({ values: [], total: 0, hasMore: false });
    expect(c.stderr()).toMatch(/completion of retry_user_failed_cloud_pcs\.bulkActionId failed; offered no values/);
    expect((await complete(c, 'retry_user_failed_cloud_pcs', 'bulkActionId', '')).values).toContain(DEMO_IDS.failedRestart);
  });

  it('refuses completion for a prompt or argument that does not exist', async () => {
    await refused(complete(full, 'nope', 'x', ''), /Unknown prompt "nope"/);
    await refused(complete(full, 'check_retry_outcome', 'cloudPcId', ''), /has no argument "cloudPcId"/);
  });

  it('works against the embedded simulator (--simulate) as well', async () => {
    const c = await connect({ env: baseEnv(), args: ['--simulate'] });
    opened.push(c);
    expect((await complete(c, 'check_retry_outcome', 'bulkActionId', DEMO_IDS.failedRestart.slice(0, 4))).values).toEqual([
      DEMO_IDS.failedRestart,
    ]);
  });
});
