// A bounded soak: many tool calls, several in flight, against a simulator injecting faults. It checks that every
// call ends and that every result tells the truth about the retry, matched by client-request-id against the
// retries the simulator actually applied. Transport-agnostic: it needs an MCP Client and the simulator.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS, type Simulator } from '../../src/simulator/index.js';
import { pickFault, seededRandom } from './hardening-faults.js';
import { operationOf } from './hardening-operations.js';

export type OutcomeClass =
  | 'retry accepted'
  | 'retry not sent (needs confirmation)'
  | 'retry not sent (nothing to retry)'
  | 'retry ambiguous (may have been accepted)'
  | 'retry refused, throttled'
  | 'retry failed cleanly'
  | 'read ok'
  | 'read failed cleanly';

export interface SoakOptions {
  client: Client;
  sim: Simulator;
  calls: number;
  concurrency: number;
  seed: number;
  /** Share of calls before which one fault is queued (if fewer than maxQueuedFaults are waiting). */
  faultRate?: number;
  maxQueuedFaults?: number;
  /** Longer than the server's per-attempt deadline: used for the 'slow past deadline' faults. */
  slowMs: number;
  /** A hang detector per call, not a speed limit. */
  callTimeoutMs?: number;
  /** Called once after this many calls have ended (memory baseline after warm-up). */
  warmUp?: { calls: number; then: () => void };
}

export interface SoakResult {
  calls: number;
  ended: number;
  outcomes: Partial<Record<OutcomeClass, number>>;
  faultsInjected: Record<string, number>;
  faultsFired: number;
  retriesApplied: number;
  graphRequests: number;
  ms: number;
  /** Broken promises: each one is a failure of the server, with enough detail to find it. */
  violations: string[];
}

const CLIENT_REQUEST_ID = /client-request-id: ([0-9a-fA-F-]{36})/;
const MAYBE_ACCEPTED = /may have been accepted/i;

// Non-destructive actions: retried without a prompt. The reprovision needs confirm: true, so it is sent with it.
const RETRY_TARGETS: { id: string; devices?: string[]; confirm?: boolean }[] = [
  { id: DEMO_IDS.failedRestart, devices: [DEMO_IDS.bobPc, DEMO_IDS.carolPc, DEMO_IDS.davePc] },
  { id: DEMO_IDS.olderFailedRestart, devices: [DEMO_IDS.carolPc] },
  { id: DEMO_IDS.failedTroubleshoot },
  { id: DEMO_IDS.succeededRestart },
  { id: DEMO_IDS.pendingPowerOn },
  { id: DEMO_IDS.failedReprovision, devices: [DEMO_IDS.erinPc, DEMO_IDS.frankPc], confirm: true },
];

function textOf(r: CallToolResult): string {
  return (r.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

interface Planned {
  name: string;
  args: Record<string, unknown>;
}

function plan(random: () => number): Planned {
  const r = random();
  if (r < 0.55) {
    const t = RETRY_TARGETS[Math.floor(random() * RETRY_TARGETS.length)]!;
    const args: Record<string, unknown> = { bulkActionId: t.id };
    if (t.devices && random() < 0.5) {
      args.cloudPcIds = t.devices
        .filter(() => random() < 0.7)
        .slice(0, 2)
        .concat(t.devices[0]!);
      // Insisting sends the ids whatever their state, so the retry POST (where the faults bite) is reached often.
      args.includeNotFailed = true;
    }
    if (t.confirm) args.confirm = true;
    return { name: 'retry_cloudpc_bulk_action', args };
  }
  if (r < 0.7)
    return {
      name: 'get_cloudpc_bulk_action',
      args: { bulkActionId: RETRY_TARGETS[Math.floor(random() * RETRY_TARGETS.length)]!.id, includeDevices: random() < 0.2 },
    };
  if (r < 0.85)
    return {
      name: 'list_cloudpc_bulk_actions',
      args: { limit: 1 + Math.floor(random() * 20), ...(random() < 0.3 ? { status: 'failed' } : {}) },
    };
  return { name: 'list_cloud_pcs', args: { limit: 1 + Math.floor(random() * 30) } };
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const { client, sim } = opts;
  const random = seededRandom(opts.seed);
  const faultRate = opts.faultRate ?? 0.4;
  const maxQueued = opts.maxQueuedFaults ?? 8;
  const res: SoakResult = {
    calls: opts.calls,
    ended: 0,
    outcomes: {},
    faultsInjected: {},
    faultsFired: 0,
    retriesApplied: 0,
    graphRequests: 0,
    ms: 0,
    violations: [],
  };
  const violate = (v: string) => {
    if (res.violations.length < 50) res.violations.push(v);
  };
  const count = (c: OutcomeClass) => (res.outcomes[c] = (res.outcomes[c] ?? 0) + 1);
  // Every retry the server claimed (accepted) or admitted might have happened (ambiguous), by client-request-id.
  const accepted = new Map<string, string | undefined>();
  const ambiguous = new Set<string>();
  const cleanRefusals = new Set<string>();

  sim.reset();
  const firedBefore = sim.faults.fired.length;
  let requestsSeen = 0;
  const started = Date.now();
  let next = 0;
  let warmedUp = false;

  const one = async (): Promise<void> => {
    const p = plan(random);
    if (random() < faultRate && sim.faults.pending().length < maxQueued) {
      const f = pickFault(random, opts.slowMs);
      sim.faults.add(f.spec);
      res.faultsInjected[f.name] = (res.faultsInjected[f.name] ?? 0) + 1;
    }
    let result: CallToolResult;
    try {
      result = (await client.callTool({ name: p.name, arguments: p.args }, undefined, {
        timeout: opts.callTimeoutMs ?? 60_000,
      })) as CallToolResult;
    } catch (e) {
      violate(`${p.name} ${JSON.stringify(p.args)} did not end with a result: ${(e as Error).message}`);
      return;
    }
    res.ended++;
    const text = textOf(result);
    if (!text.trim()) violate(`${p.name}: empty result text`);
    if (/Internal error in cloudpc-mcp/.test(text)) violate(`${p.name}: internal error: ${text}`);
    const crid = CLIENT_REQUEST_ID.exec(text)?.[1];

    if (p.name !== 'retry_cloudpc_bulk_action') {
      count(result.isError ? 'read failed cleanly' : 'read ok');
      if (result.isError && MAYBE_ACCEPTED.test(text)) violate(`${p.name}: a read claims a retry may have been accepted: ${text}`);
      return;
    }
    if (!result.isError) {
      const s = result.structuredContent as { status?: string; clientRequestId?: string; requestId?: string };
      if (s.status === 'accepted') {
        count('retry accepted');
        if (!s.clientRequestId) violate(`accepted retry without a clientRequestId: ${text}`);
        else if (accepted.has(s.clientRequestId)) violate(`clientRequestId ${s.clientRequestId} reported accepted twice`);
        else accepted.set(s.clientRequestId, s.requestId);
      } else if (s.status === 'nothingToRetry') {
        count('retry not sent (nothing to retry)');
        if (s.clientRequestId) violate(`nothingToRetry with a clientRequestId (something was sent?): ${text}`);
      } else {
        count('retry not sent (needs confirmation)');
      }
      return;
    }
    if (MAYBE_ACCEPTED.test(text)) {
      count('retry ambiguous (may have been accepted)');
      if (!crid) violate(`ambiguous retry result without a client-request-id: ${text}`);
      else ambiguous.add(crid);
      if (!/check the bulk action/i.test(text)) violate(`ambiguous result does not say to check the bulk action first: ${text}`);
      return;
    }
    count(/throttl|HTTP 503|Service unavailable/i.test(text) ? 'retry refused, throttled' : 'retry failed cleanly');
    if (crid) cleanRefusals.add(crid);
  };

  const worker = async () => {
    while (next < opts.calls) {
      next++;
      await one();
      if (opts.warmUp && !warmedUp && res.ended >= opts.warmUp.calls) {
        warmedUp = true;
        opts.warmUp.then();
      }
      // sim.requests is capped; count and check operations as they come rather than at the end.
      for (; requestsSeen < sim.requests.length; requestsSeen++) {
        const r = sim.requests[requestsSeen]!;
        if (!operationOf(r)) violate(`request outside the allow-list: ${r.method} ${r.path}`);
      }
      if (sim.requests.length > 5_000) {
        res.graphRequests += sim.requests.length;
        sim.requests.length = 0;
        requestsSeen = 0;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  res.graphRequests += sim.requests.length;
  res.ms = Date.now() - started;
  res.faultsFired = sim.faults.fired.length - firedBefore;

  // The truth check: what the simulator applied against what the server said.
  const applied = new Map<string, number>();
  for (const r of sim.retries) {
    const id = r.clientRequestId ?? '(none)';
    applied.set(id, (applied.get(id) ?? 0) + 1);
  }
  res.retriesApplied = sim.retries.length;
  for (const [id, n] of applied) {
    if (n > 1) violate(`retry with client-request-id ${id} was applied ${n} times`);
    if (!accepted.has(id) && !ambiguous.has(id)) violate(`retry ${id} was applied but reported as neither accepted nor possibly accepted`);
  }
  for (const [id, requestId] of accepted) {
    const r = sim.retries.find((x) => x.clientRequestId === id);
    if (!r) violate(`retry ${id} was reported accepted but never applied`);
    else if (requestId !== r.requestId) violate(`retry ${id}: reported request-id ${requestId}, Graph's was ${r.requestId}`);
  }
  for (const id of cleanRefusals) if (applied.has(id)) violate(`retry ${id} was reported as not processed but was applied`);
  sim.faults.clear();
  return res;
}
