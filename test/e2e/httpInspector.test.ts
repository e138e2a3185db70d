// A real outside client: the MCP Inspector's CLI (Node 22, from test/tooling/node22) lists the tools and retries a bulk
// action against the Graph simulator, over stdio and over Streamable HTTP, and over HTTP with an Entra bearer token
// as Copilot Studio would send it. Only --cli mode: the other modes open browsers and listen on ports.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDS, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { useSimulator } from '../support/simulator.js';
import { BIN } from './harness.js';
import { entraServerEnv, startEntraStandIn, type EntraStandIn } from '../support/entra/standIn.js';
import { INSPECTOR_CLI, NODE22, requireNode22Tools } from '../support/http-node22.js';
import { httpEnv, startHttpServer } from '../support/http-server.js';

const sim = useSimulator();
let home: string;
beforeAll(async () => {
  requireNode22Tools();
  // The Inspector keeps a catalog and secrets under HOME: give it an empty one of its own.
  home = mkdtempSync(path.join(tmpdir(), 'cloudpc-inspector-'));
});
afterAll(async () => {
  if (home) rmSync(home, { recursive: true, force: true });
});

async function inspector(args: string[]): Promise<{ result?: Record<string, unknown> }> {
  const { stdout } = await promisify(execFile)(NODE22, [INSPECTOR_CLI, '--cli', '--format', 'json', ...args], {
    cwd: home,
    env: { PATH: process.env.PATH ?? '', HOME: home, CI: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as { result?: Record<string, unknown> };
}

const retryArgs = (cloudPcId: string) => [
  '--method',
  'tools/call',
  '--tool-name',
  'retry_cloudpc_bulk_action',
  '--tool-args-json',
  JSON.stringify({ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [cloudPcId] }),
];

function expectToolNames(listing: { result?: Record<string, unknown> }) {
  const names = (listing.result?.tools as { name: string }[]).map((t) => t.name);
  expect(names).toEqual(
    expect.arrayContaining(['list_cloudpc_bulk_actions', 'get_cloudpc_bulk_action', 'list_cloud_pcs', 'retry_cloudpc_bulk_action']),
  );
}

function expectAccepted(out: { result?: Record<string, unknown> }, cloudPcId: string) {
  expect(out.result?.isError).toBeFalsy();
  expect(out.result?.structuredContent).toMatchObject({ status: 'accepted', cloudPcIds: [cloudPcId] });
  expect(sim.retries.at(-1)).toMatchObject({ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [cloudPcId] });
}

describe('MCP Inspector CLI as the client', () => {
  it('over stdio: lists the tools and retries one Cloud PC', async () => {
    // Node 20 runs the server, as it would for a user; the Inspector itself runs on Node 22.
    const target = ['-e', `CLOUDPC_MCP_GRAPH_URL=${sim.url}`, '-e', `CLOUDPC_MCP_ACCESS_TOKEN=${sim.token}`, '--', process.execPath, BIN];
    expectToolNames(await inspector(['--method', 'tools/list', ...target]));
    expectAccepted(await inspector([...retryArgs(DEMO_IDS.bobPc), ...target]), DEMO_IDS.bobPc);
  });

  it('over Streamable HTTP: lists the tools and retries one Cloud PC', async () => {
    const server = await startHttpServer(httpEnv({ CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_ACCESS_TOKEN: sim.token }));
    try {
      expectToolNames(await inspector([server.url, '--transport', 'http', '--method', 'tools/list']));
      expectAccepted(await inspector([server.url, '--transport', 'http', ...retryArgs(DEMO_IDS.carolPc)]), DEMO_IDS.carolPc);
    } finally {
      await server.stop();
    }
  });

  it('over Streamable HTTP with an Entra bearer token: the retry runs on behalf of the user', async () => {
    let entra: EntraStandIn | undefined;
    let userSim: Simulator | undefined;
    try {
      entra = await startEntraStandIn();
      userSim = await startSimulator({ token: entra.delegatedToken, appToken: entra.appToken });
      const server = await startHttpServer(httpEnv(entraServerEnv(entra, userSim.url)));
      try {
        const header = ['--header', `Authorization: Bearer ${await entra.mint({ upn: 'inspector-user@contoso.com' })}`];
        const out = await inspector([server.url, '--transport', 'http', ...header, ...retryArgs(DEMO_IDS.davePc)]);
        expect(out.result?.structuredContent).toMatchObject({ status: 'accepted', cloudPcIds: [DEMO_IDS.davePc] });
        expect(userSim.retries.at(-1)).toMatchObject({ bulkActionId: DEMO_IDS.failedRestart, cloudPcIds: [DEMO_IDS.davePc] });
        expect(server.stderr()).toContain('"upn":"inspector-user@contoso.com"');
      } finally {
        await server.stop();
      }
    } finally {
      await userSim?.close();
      await entra?.close();
    }
  });
});
