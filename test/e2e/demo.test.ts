// The README's first command must keep working: `npm run demo` tells the whole story against the simulator.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT, baseEnv } from './harness.js';

it('npm run demo: find, inspect, resolve names, retry, plan, approve the plan, retry exactly it and watch, all against the simulator', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'dist/demo.js')], { env: baseEnv(), timeout: 120_000 });
  expect(stdout).toMatch(/list_cloudpc_bulk_actions/);
  expect(stdout).toMatch(/bob@contoso\.com/);
  expect(stdout).toMatch(/Retry accepted \[simulated tenant\].*2 selected Cloud PCs/);
  expect(stdout).toMatch(/Dry run, nothing sent/);
  // The plan, the person's approval of exactly it, and the retry of exactly it.
  const planId = /\[the plan: (plan-[0-9a-f]{32}), 2 Cloud PCs/.exec(stdout)?.[1];
  expect(planId).toBeDefined();
  expect(stdout).toMatch(new RegExp(`\\[the client shows the admin the plan\\] Approve retry plan ${planId}\\? .*exactly 2 Cloud PCs: CPC-erin`));
  expect(stdout).toMatch(new RegExp(`Retry accepted \\[simulated tenant\\]: Microsoft Graph accepted plan ${planId}.*approved via elicitation by the local user`));
  expect(stdout).toMatch(/… progress: /);
  expect(stdout).toMatch(/no longer pending/);
  expect(stdout).toMatch(/Demo complete/);
  expect(stdout).not.toMatch(/ERROR:/);
});
