// The README's first command must keep working: `npm run demo` tells the whole story against the simulator.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT, baseEnv } from './harness.js';

it('npm run demo: find, inspect and classify, resolve names, retry, plan only what a retry can fix, approve the plan, retry exactly it, watch, and check the earlier retry', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'dist/demo.js')], { env: baseEnv(), timeout: 120_000 });
  expect(stdout).toMatch(/list_cloudpc_bulk_actions/);
  // Plain column headers, no abbreviations.
  expect(stdout).toMatch(/\| not supported \|/);
  expect(stdout).not.toMatch(/n\.s\./);
  // Classification with the fix for what a retry cannot fix.
  expect(stdout).toMatch(/fix first \(a retry fails again until this is fixed\)/);
  expect(stdout).toMatch(/bob@contoso\.com/);
  expect(stdout).toMatch(/Retry accepted \[simulated tenant\].*2 selected Cloud PCs/);
  expect(stdout).toMatch(/Dry run, nothing sent/);
  expect(stdout).toMatch(/Assistant: .*Frank's reprovision will fail again until the subnet has free addresses/);
  // Full failure reasons: wrapped over lines, never cut.
  expect(stdout.replace(/\s*\|\s*/g, ' ').replace(/\s+/g, ' ')).toMatch(
    /The subnet 'snet-cloudpc-weu' of Azure network connection 'Contoso-WEU-ANC' has no free IP addresses\./,
  );
  // A plan of only what a retry can fix (erin's PC), the person's approval of exactly it, and the retry of exactly it.
  const planId = /\[the plan: (plan-[0-9a-f]{32}), 1 Cloud PC,/.exec(stdout)?.[1];
  expect(planId).toBeDefined();
  expect(stdout).toMatch(
    new RegExp(`\\[the client shows the admin the plan\\] Approve retry plan ${planId}\\?\\n.*exactly 1 Cloud PC: CPC-erin`),
  );
  expect(stdout).toMatch(
    new RegExp(
      `Retry accepted \\[simulated tenant\\]: Microsoft Graph accepted plan ${planId}[\\s\\S]*Approved via elicitation by the local user`,
    ),
  );
  expect(stdout).toMatch(/Left out \(1\):\n\s*- .*frank/);
  expect(stdout).toMatch(/… progress: /);
  expect(stdout).toMatch(/no longer pending/);
  // The story ends by checking the earlier retry.
  expect(stdout).toMatch(/Assistant: The earlier retry worked: Bob and Carol are back \(succeeded\)/);
  expect(stdout).toMatch(/Demo complete/);
  expect(stdout).not.toMatch(/ERROR:/);
});
