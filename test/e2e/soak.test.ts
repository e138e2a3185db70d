// Fault soak over stdio. `npm test` runs a short form; `npm run soak` (scripts/soak.mjs) runs the full length by
// setting SOAK_CALLS. Bounds here are hang and leak detectors, never speed requirements.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { makeSecrets, SecretScanner, startScannedSession } from '../support/hardening-secrets.js';
import { runSoak, type SoakResult } from '../support/hardening-soak.js';
import type { TappedSession } from '../support/hardening-stdio.js';

const CALLS = Number(process.env.SOAK_CALLS ?? 600);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const SEED = Number(process.env.SOAK_SEED ?? 5_000);
const TIMEOUT_MS = 300;
const AGENT_POOL = 16;

const secrets = makeSecrets();
const scanner = new SecretScanner(secrets);
let sim: Simulator;
let session: TappedSession;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ sim, session, stop } = await startScannedSession(secrets, scanner, {
    CLOUDPC_MCP_TIMEOUT_MS: String(TIMEOUT_MS),
    CLOUDPC_MCP_MAX_THROTTLE_WAIT_MS: '3000',
  }));
});
afterAll(async () => {
  await stop?.();
});

async function until(cond: () => boolean, boundMs: number): Promise<boolean> {
  for (const end = Date.now() + boundMs; Date.now() < end;) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe('fault soak over stdio', () => {
  // The test's own deadline grows with the run: it is there to catch a hang, not to time the server.
  it(
    `${CALLS} calls, ${CONCURRENCY} in flight, on a failing network: every call ends, every result tells the truth, nothing leaks`,
    { timeout: 60_000 + CALLS * 50 },
    async () => {
      let baseline: { rssKb: number; fds: number } | undefined;
      const result: SoakResult = await runSoak({
        client: session.client,
        sim,
        calls: CALLS,
        concurrency: CONCURRENCY,
        seed: SEED,
        slowMs: TIMEOUT_MS * 2,
        warmUp: { calls: Math.min(200, Math.floor(CALLS / 4)), then: () => (baseline = session.proc.procStats()) },
      });

      // Idle keep-alive connections are closed by the simulator after its keep-alive timeout (5 s); anything still
      // open after that is a socket the server abandoned (for instance a stalled request it never destroyed).
      const drained = await until(() => sim.connections().open === 0, 15_000);
      await until(() => (session.proc.procStats()?.fds ?? 0) <= (baseline?.fds ?? Infinity), 5_000);
      const after = session.proc.procStats();
      const summary = {
        ...result,
        simulatorConnections: { ...sim.connections(), drained },
        server: { baseline, after, rssGrowthKb: baseline && after ? after.rssKb - baseline.rssKb : undefined },
      };
      console.info(`soak: ${JSON.stringify(summary)}`);
      if (process.env.SOAK_REPORT) writeFileSync(process.env.SOAK_REPORT, JSON.stringify(summary, null, 2));

      expect(result.violations).toEqual([]);
      expect(result.ended).toBe(CALLS);
      // The mix bit: retries were accepted, some ended in doubt, and faults actually fired.
      expect(result.outcomes['retry accepted'] ?? 0).toBeGreaterThan(0);
      expect(result.outcomes['retry ambiguous (may have been accepted)'] ?? 0).toBeGreaterThan(0);
      expect(result.faultsFired).toBeGreaterThan(CALLS * 0.1);
      expect(drained, `simulator still has ${sim.connections().open} open connections`).toBe(true);
      // /proc exists on Linux, where this runs in CI; elsewhere the server-side checks are skipped.
      if (process.platform === 'linux') expect(baseline && after).toBeTruthy();
      if (baseline && after) {
        expect(after.fds, 'server file descriptors back to the warm-up level').toBeLessThanOrEqual(baseline.fds + AGENT_POOL);
        // A leak detector with a wide margin: RSS is not forced down by a GC, so only gross growth fails.
        expect(after.rssKb - baseline.rssKb).toBeLessThan(150 * 1024);
      }
    },
  );

  it('stdout carried only JSON-RPC, no secret was written anywhere, and the server exits cleanly on EOF', async () => {
    const exit = await session.close();
    expect(session.proc.describeViolations()).toBe('');
    expect(scanner.report()).toBe('');
    expect(exit.code).toBe(0);
  });
});
