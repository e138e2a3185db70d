// The official MCP conformance suite against remote mode, run with the Node 22 from test/tooling/node22. The baseline file
// lists the scenarios that do not apply to this server and why; every other scenario must pass.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './harness.js';
import { CONFORMANCE_CLI, NODE22, requireNode22Tools } from '../support/http-node22.js';
import { httpEnv, startHttpServer, type HttpServerProcess } from '../support/http-server.js';

const BASELINE = path.join(ROOT, 'test/support/http-conformance-baseline.yml');
const MUST_PASS = ['server-initialize', 'ping', 'logging-set-level', 'tools-list', 'prompts-list', 'dns-rebinding-protection'];

let server: HttpServerProcess;
let out: string;
beforeAll(async () => {
  requireNode22Tools();
  server = await startHttpServer(httpEnv({ CLOUDPC_MCP_SIMULATE: 'true', CLOUDPC_MCP_LOG_LEVEL: 'info' }));
  out = mkdtempSync(path.join(tmpdir(), 'cloudpc-conformance-'));
});
afterAll(async () => {
  await server?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('MCP conformance suite (server scenarios, Streamable HTTP)', () => {
  it('passes every scenario that applies, as the baseline says', async () => {
    const run = await promisify(execFile)(
      NODE22,
      [CONFORMANCE_CLI, 'server', '--url', server.url, '--expected-failures', BASELINE, '-o', out],
      {
        cwd: out,
        env: { PATH: process.env.PATH ?? '', HOME: out },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).then(
      (r) => ({ code: 0, text: r.stdout + r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, text: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
    // On failure the suite's own summary says which scenario regressed (or which baseline entry is stale).
    expect(run.code, run.text.slice(-4000)).toBe(0);
    for (const scenario of MUST_PASS) expect(run.text).toMatch(new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`));
  });
});
