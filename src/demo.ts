// `npm run demo`: a scripted MCP client session against `cloudpc-mcp --simulate`, printed as a transcript.
// It uses only what a real assistant would: the tools' listings, their results and elicitation.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The command users run: the bundled entry beside this file.
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cloudpc-mcp.cjs');
const out = (s = '') => process.stdout.write(s + '\n');
const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => '    ' + l)
    .join('\n');

// The transcript prints tool results as loose JSON (their shapes are the e2e tests' business); where it reads deeper,
// it says the shape it expects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type Structured = Record<string, any>;

type Call = (say: string, name: string, args: Record<string, unknown>, onProgress?: (m: string) => void) => Promise<Structured>;

interface Session {
  client: Client;
  /** One tool call, printed as the admin's request, the call and its answer. */
  call: Call;
}

const say = (s: string) => {
  out();
  out(`Assistant: ${s}`);
};

async function openSession(): Promise<Session> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, '--simulate'],
    // The demo client asks the admin itself (form elicitation), so the approval page is never needed here.
    env: { ...process.env, CLOUDPC_MCP_POLL_INTERVAL_MS: '1000', CLOUDPC_MCP_LOG_LEVEL: 'warn', CLOUDPC_MCP_APPROVAL_PAGE: 'off' },
    stderr: 'inherit',
  });
  const client = new Client({ name: 'cloudpc-mcp-demo', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    out(`  [the client shows the admin the plan] ${req.params.message}`);
    out('  [the admin reads it and clicks "Approve this plan"]');
    return { action: 'accept', content: { confirm: true } };
  });
  await client.connect(transport);
  const call: Call = async (say, name, args, onProgress) => {
    out();
    out(`Admin: ${say}`);
    out(`  → ${name} ${JSON.stringify(args)}`);
    const res = (await client.callTool({ name, arguments: args }, undefined, {
      onprogress: onProgress ? (p) => onProgress(p.message ?? `${p.progress}/${p.total ?? '?'}`) : undefined,
      timeout: 120_000,
    })) as CallToolResult;
    const text = res.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
    out(indent((res.isError ? 'ERROR: ' : '') + text));
    if (res.isError) throw new Error(`${name} failed`);
    return res.structuredContent ?? {};
  };
  return { client, call };
}

/** 1–3: what failed, which PCs, names → ids, and a retry of just those. Returns the restart and the ids retried. */
async function restartStory(call: Call): Promise<{ restart: Structured; reprovision: Structured; ids: string[] }> {
  const failed = await call('What failed recently?', 'list_cloudpc_bulk_actions', { status: 'failed', limit: 5 });
  const restart = (failed.bulkActions as Structured[]).find((a) => a.actionType === 'restart');
  const reprovision = (failed.bulkActions as Structured[]).find((a) => a.actionType === 'reprovision');
  if (!restart || !reprovision) throw new Error('the simulator has no failed restart and reprovision to show');
  await call(`Which PCs failed in "${restart.displayName}"?`, 'get_cloudpc_bulk_action', { bulkActionId: restart.id });
  const ids: string[] = [];
  for (const upn of ['bob@contoso.com', 'carol@contoso.com']) {
    const found = await call(`Find ${upn.split('@')[0]}'s Cloud PC.`, 'list_cloud_pcs', { userPrincipalName: upn });
    const pcs = found.cloudPcs as Structured[];
    ids.push(...pcs.map((p) => p.id as string));
    // Bob's restart failed because his PC was not running; the fix it named has happened since. (Graph shows a power
    // state for frontline PCs only, so the demo says it rather than reading it off his enterprise PC.)
    if (upn.startsWith('bob') && pcs[0]?.status === 'provisioned')
      say("Bob's failure asked for his Cloud PC to be started, and it has been since: a retry can work now.");
  }
  await call("Retry just Bob's and Carol's.", 'retry_cloudpc_bulk_action', { bulkActionId: restart.id, cloudPcIds: ids });
  return { restart, reprovision, ids };
}

/** 4: the destructive one: which failures a retry can fix, a plan of exactly those, a person's approval, the retry, watch. */
async function reprovisionStory(call: Call, reprovision: Structured): Promise<void> {
  const dry = await call(`And the reprovision "${reprovision.displayName}": what would a retry do?`, 'retry_cloudpc_bulk_action', {
    bulkActionId: reprovision.id,
    dryRun: true,
  });
  say(classStory(dry.devices as Structured[]));
  const planned = await call('Then plan only what a retry can fix.', 'retry_cloudpc_bulk_action', {
    bulkActionId: reprovision.id,
    only: 'retryable',
    dryRun: true,
  });
  const plan = planned.plan as { id: string; cloudPcIds: string[]; owner: string; expiresAt: string };
  const n = plan.cloudPcIds.length;
  out(`  [the plan: ${plan.id}, ${n} Cloud PC${n === 1 ? '' : 's'}, for ${plan.owner}, until ${plan.expiresAt}]`);
  const sent = await call('Go ahead and retry exactly those.', 'retry_cloudpc_bulk_action', {
    bulkActionId: reprovision.id,
    planId: plan.id,
  });
  const approval = sent.approval as { via: string; by: string } | undefined;
  out(`  [sent: ${JSON.stringify(sent.cloudPcIds)}; approved via ${approval?.via} by ${approval?.by}]`);
  await call('Did it work?', 'get_cloudpc_bulk_action', { bulkActionId: reprovision.id, waitSeconds: 60 }, (m) =>
    out(`  … progress: ${m}`),
  );
}

async function main(): Promise<void> {
  const { client, call } = await openSession();
  out('cloudpc-mcp demo: an MCP client session against the embedded Microsoft Graph simulator (no tenant, no sign-in).');
  const { tools } = await client.listTools();
  out(
    `Tools offered: ${tools.map((t) => `${t.name}${t.annotations?.destructiveHint ? ' (destructive)' : t.annotations?.readOnlyHint ? ' (read-only)' : ''}`).join(', ')}`,
  );

  const { restart, reprovision, ids } = await restartStory(call);
  await reprovisionStory(call, reprovision);
  // 5. Back to the restart retried earlier: did Bob's and Carol's PCs come back?
  const earlier = await call('And the restart I retried for Bob and Carol?', 'get_cloudpc_bulk_action', {
    bulkActionId: restart.id,
    waitSeconds: 60,
  });
  say(outcomeStory(earlier.devices as Structured[], ids));
  out();
  out(
    'Demo complete. Every result above came from the embedded simulator over real HTTP; point the server at a tenant to do this for real (see README).',
  );
  await client.close();
}

const firstName = (d: Structured) =>
  String(d.userPrincipalName ?? d.cloudPcId)
    .split('@')[0]!
    .replace(/^./, (c) => c.toUpperCase());

/** What the assistant makes of the classification: who a retry can help, and who needs a fix first. */
function classStory(devices: Structured[]): string {
  const parts = devices.map((d) => {
    if (d.failureClass === 'retryable')
      return `${firstName(d)}'s reprovision failed on a transient error (${d.reasonCode}), which a retry may fix`;
    if (d.failureClass === 'fixFirst' && d.reasonCode === 'resourceAvailabilityCheckNoSubnetIP') {
      return `${firstName(d)}'s reprovision will fail again until the subnet has free addresses (fix: ${String(d.fix).replace(/\.$/, '')})`;
    }
    return `${firstName(d)}'s is ${d.failureClass}: ${d.fix ?? d.reason ?? 'no known reason'}`;
  });
  return `${parts.join('; ')}.`;
}

/** The outcome of the earlier retry, device by device. */
function outcomeStory(devices: Structured[], retried: string[]): string {
  const mine = retried.map((id) => devices.find((d) => d.cloudPcId === id)).filter((d): d is Structured => d !== undefined);
  const ok = mine.filter((d) => d.state === 'succeeded').map(firstName);
  const not = mine.filter((d) => d.state !== 'succeeded').map((d) => `${firstName(d)} (${d.state})`);
  return `The earlier retry ${not.length ? 'did not fully work' : 'worked'}: ${ok.length ? `${ok.join(' and ')} ${ok.length === 1 ? 'is' : 'are'} back (succeeded)` : 'none succeeded'}${not.length ? `; still not done: ${not.join(', ')}` : ''}.`;
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
