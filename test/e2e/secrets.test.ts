// Secrets against the paths most likely to leak them: a hostile network or proxy that reflects the Authorization
// header into an error body, and a service-principal sign-in that fails with a client secret in the environment.
// The fuzz, protocol and soak runs scan all their output for the same secrets; this file aims at the hard cases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSimulator } from '../support/simulator.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DEMO_IDS } from '../../src/simulator/index.js';
import { makeSecrets, SecretScanner, secretEnv } from '../support/hardening-secrets.js';
import { connectTapped, type TappedSession } from '../support/hardening-stdio.js';
import { baseEnv, textOf } from './harness.js';

const secrets = makeSecrets();
const scanner = new SecretScanner(secrets);
const sim = useSimulator({ token: secrets.token });
let session: TappedSession;
const logs: string[] = [];

beforeAll(async () => {
  session = await connectTapped({
    env: baseEnv({ ...secretEnv(secrets), CLOUDPC_MCP_GRAPH_URL: sim.url, CLOUDPC_MCP_MAX_ATTEMPTS: '1' }),
    observe: scanner.observe,
  });
  session.client.setNotificationHandler(
    (await import('@modelcontextprotocol/sdk/types.js')).LoggingMessageNotificationSchema,
    (n) => void logs.push(JSON.stringify(n.params)),
  );
  await session.client.setLoggingLevel('debug');
});
afterAll(async () => {
  await session?.proc.stop();
});

const header = () => `Authorization: Bearer ${secrets.token}`;
const RETRY = '/beta/deviceManagement/virtualEndpoint/bulkActions/*/retry';

describe('a network that reflects the token back', () => {
  const reflections: [string, () => { status: number; headers?: Record<string, string>; body: unknown }][] = [
    ['in a Graph error message', () => ({ status: 400, body: { error: { code: 'BadRequest', message: `Header rejected: ${header()}` } } })],
    ['as the Graph error code', () => ({ status: 403, body: { error: { code: secrets.token, message: 'Forbidden' } } })],
    [
      'in a nested innerError',
      () => ({
        status: 500,
        body: { error: { code: 'InternalServerError', message: 'x', innerError: { 'request-id': secrets.token, date: secrets.token } } },
      }),
    ],
    [
      'in a proxy HTML page without a title',
      () => ({
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: `<html><body><h1>Bad Gateway</h1><pre>${header()}</pre></body></html>`,
      }),
    ],
    [
      'in a plain-text body',
      () => ({
        status: 400,
        headers: { 'content-type': 'text/plain' },
        body: `request headers were: ${header()}; bare token ${secrets.token}`,
      }),
    ],
    ['in OAuth-style JSON', () => ({ status: 401, body: { error: 'invalid_token', error_description: `token ${secrets.token} expired` } })],
  ];

  it.each(reflections)('%s: neither the read nor the retry result, nor any log, repeats it', async (_name, make) => {
    for (const [tool, args, match] of [
      ['list_cloud_pcs', { limit: 1 }, { method: 'GET' as const }],
      ['retry_cloudpc_bulk_action', { bulkActionId: DEMO_IDS.failedRestart }, { method: 'POST' as const, path: RETRY }],
    ] as const) {
      sim.reset();
      sim.faults.add({ kind: 'status', ...make(), match });
      const r = (await session.client.callTool({ name: tool, arguments: args })) as CallToolResult;
      expect(r.isError, tool).toBe(true);
      const text = textOf(r);
      // Checked through a scanner so that a failure prints the text with the secret masked, never the secret.
      const inResult = new SecretScanner(secrets);
      inResult.scan(`${tool} result`, text);
      expect(inResult.report()).toBe('');
      // The rest of what Graph said still reaches the admin.
      expect(text).toMatch(/HTTP \d{3}/);
      expect(sim.faults.fired).toHaveLength(1);
    }
    expect(scanner.report()).toBe('');
  });
});

describe('a service-principal sign-in that fails', () => {
  it('the client secret never appears in the result, the logs or stdout', async () => {
    const local = new SecretScanner(secrets);
    const { CLOUDPC_MCP_ACCESS_TOKEN: _operatorToken, ...servicePrincipal } = secretEnv(secrets);
    const s = await connectTapped({
      env: baseEnv({
        ...servicePrincipal,
        CLOUDPC_MCP_AUTH: 'environment',
        // Loopback only: the authority is a closed local port, so the sign-in fails without leaving the machine.
        AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9',
        CLOUDPC_MCP_GRAPH_URL: sim.url,
        // Nothing of this run may be kept in the developer's own profile.
        HOME: '/nonexistent',
      }),
      observe: local.observe,
    });
    try {
      sim.reset();
      const r = (await s.client.callTool({ name: 'list_cloud_pcs', arguments: {} })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/token|sign/i);
      expect(sim.requests).toHaveLength(0);
    } finally {
      const exit = await s.close();
      expect(exit.code).toBe(0);
    }
    expect(local.scanned).toBeGreaterThan(0);
    expect(local.report()).toBe('');
    expect(s.proc.describeViolations()).toBe('');
  });
});

describe('the whole session', () => {
  it('log notifications, results and stderr carried no secret, and stdout only JSON-RPC', async () => {
    for (const l of logs) scanner.scan('MCP log notification', l);
    const exit = await session.close();
    expect(exit.code).toBe(0);
    expect(scanner.report()).toBe('');
    expect(session.proc.describeViolations()).toBe('');
  });
});
