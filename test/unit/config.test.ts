import { describe, expect, it } from 'vitest';
import { formatProblems, loadConfig, readStdioServe } from '../../src/config/config.js';
import { SETTINGS } from '../../src/config/settings.js';

const ok = (argv: string[], env: Record<string, string> = {}) => {
  const r = loadConfig(argv, env);
  if (!r.ok) throw new Error(formatProblems(r.problems));
  return r.config;
};
const problemsOf = (argv: string[], env: Record<string, string> = {}) => {
  const r = loadConfig(argv, env);
  return r.ok ? [] : r.problems.map((p) => `${p.setting}: ${p.message}`);
};

describe('loadConfig', () => {
  it('defaults to the global cloud and its Graph root, with safe limits', () => {
    const c = ok([]);
    expect(c.cloud.name).toBe('global');
    expect(c.graphRoot).toBe('https://graph.microsoft.com');
    expect(c.timeoutMs).toBe(30_000);
    expect(c.auth).toBe('auto');
    expect(c.readOnly).toBe(false);
    expect(c.destructiveActions.has('reprovision')).toBe(true);
    expect(c.destructiveActions.has('restart')).toBe(false);
  });

  it.each([
    ['usgov', 'https://graph.microsoft.us'],
    ['usgovdod', 'https://dod-graph.microsoft.us'],
    ['china', 'https://microsoftgraph.chinacloudapi.cn'],
  ])('--cloud %s selects %s', (cloud, root) => {
    expect(ok(['--cloud', cloud]).graphRoot).toBe(root);
    expect(ok([], { CLOUDPC_MCP_CLOUD: cloud.toUpperCase() }).graphRoot).toBe(root);
  });

  it('warns that retry is not documented in the China and DoD clouds', () => {
    expect(ok(['--cloud', 'china']).warnings.join()).toMatch(/not documented/);
    expect(ok(['--cloud', 'usgovdod']).warnings.join()).toMatch(/L5/);
    expect(ok(['--cloud', 'usgov']).warnings).toEqual([]);
  });

  it('flags win over environment variables', () => {
    expect(ok(['--cloud', 'usgov'], { CLOUDPC_MCP_CLOUD: 'china' }).cloud.name).toBe('usgov');
  });

  it.each([
    [['--cloud', 'mars'], {}, /CLOUDPC_MCP_CLOUD.*"mars" is not one of: global, usgov, usgovdod, china/],
    [[], { CLOUDPC_MCP_GRAPH_URL: 'http://graph.example.com' }, /plain http is only allowed to loopback.*https:\/\/graph\.example\.com/],
    [[], { CLOUDPC_MCP_GRAPH_URL: 'not a url' }, /is not a URL/],
    [[], { CLOUDPC_MCP_GRAPH_URL: 'https://graph.microsoft.com/beta' }, /without the version segment: https:\/\/graph\.microsoft\.com /],
    [[], { CLOUDPC_MCP_GRAPH_URL: 'https://graph.microsoft.com/?x=1' }, /no credentials, query or fragment/],
    [[], { CLOUDPC_MCP_GRAPH_URL: 'ftp://127.0.0.1' }, /scheme "ftp:" is not allowed/],
    [['--timeout-ms', 'soon'], {}, /CLOUDPC_MCP_TIMEOUT_MS.*"soon" is not a whole number from 100 to 600000/],
    [[], { CLOUDPC_MCP_MAX_ATTEMPTS: '0' }, /CLOUDPC_MCP_MAX_ATTEMPTS/],
    [[], { CLOUDPC_MCP_READ_ONLY: 'maybe' }, /CLOUDPC_MCP_READ_ONLY: "maybe" is not a yes\/no value/],
    [['--bogus'], {}, /command line: .*bogus.*--help/],
    [['serve-now'], {}, /unexpected argument "serve-now"/],
    [[], { AZURE_CLIENT_ID: 'my-app' }, /AZURE_CLIENT_ID.*not an application \(client\) id/],
    [[], { CLOUDPC_MCP_AUTH: 'token' }, /needs CLOUDPC_MCP_ACCESS_TOKEN/],
    [[], { CLOUDPC_MCP_ACCESS_TOKEN: 'Bearer abc' }, /without "Bearer "/],
    [[], { AZURE_AUTHORITY_HOST: 'http://login.example' }, /AZURE_AUTHORITY_HOST.*not an https URL/],
    [[], { CLOUDPC_MCP_DESTRUCTIVE_ACTIONS: 're-provision' }, /not action type names: "re-provision"/],
    [[], { CLOUDPC_MCP_CONFIRM_POLICY: 'ask' }, /CLOUDPC_MCP_CONFIRM_POLICY.*human, refuse, model/],
  ] as const)('refuses %j %j with a message naming the setting and the fix', (argv, env, pattern) => {
    const problems = problemsOf([...argv], env);
    expect(problems.join('\n')).toMatch(pattern);
  });

  it('accepts plain http only to loopback addresses, for tests and local proxies', () => {
    expect(ok([], { CLOUDPC_MCP_GRAPH_URL: 'http://127.0.0.1:8080/' }).graphRoot).toBe('http://127.0.0.1:8080');
    expect(ok([], { CLOUDPC_MCP_GRAPH_URL: 'http://localhost:9/graph' }).graphRoot).toBe('http://localhost:9/graph');
    expect(ok([], { CLOUDPC_MCP_GRAPH_URL: 'http://[::1]:8080' }).graphRoot).toBe('http://[::1]:8080');
  });

  it('warns when the Graph URL is not a Microsoft Graph host, since the token goes there', () => {
    const c = ok([], { CLOUDPC_MCP_GRAPH_URL: 'https://proxy.contoso.com/graph' });
    expect(c.graphRoot).toBe('https://proxy.contoso.com/graph');
    expect(c.warnings.join()).toMatch(/not a Microsoft Graph host/);
    expect(ok([], { CLOUDPC_MCP_GRAPH_URL: 'https://graph.microsoft.us' }).warnings).toEqual([]);
  });

  it('keeps the operator token out of every problem message', () => {
    const r = loadConfig(['--cloud', 'nowhere'], { CLOUDPC_MCP_ACCESS_TOKEN: 'eyJsecret.value.sig' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatProblems(r.problems)).not.toContain('eyJsecret');
  });

  it('reads the destructive list case-insensitively and allows "none"', () => {
    expect([...ok([], { CLOUDPC_MCP_DESTRUCTIVE_ACTIONS: 'Reprovision, restore' }).destructiveActions]).toEqual(['reprovision', 'restore']);
    expect(ok(['--destructive-actions', 'none']).destructiveActions.size).toBe(0);
  });

  it('--simulate uses the simulator token and ignores a Graph URL with a warning', () => {
    const c = ok(['--simulate'], { CLOUDPC_MCP_GRAPH_URL: 'http://127.0.0.1:1' });
    expect(c.simulate).toBe(true);
    expect(c.auth).toBe('token');
    expect(c.warnings.join()).toMatch(/ignored/);
  });

  it('recognises --help and --version', () => {
    expect(loadConfig(['--help'], {}).command).toBe('help');
    expect(loadConfig(['-v'], {}).command).toBe('version');
  });
});

describe('commands', () => {
  it.each([
    [[], 'serve'],
    [['serve'], 'serve'],
    [['login', '--cloud', 'usgov'], 'login'],
    [['logout'], 'logout'],
  ] as const)('%j → %s', (argv, command) => {
    expect(loadConfig([...argv], {}).command).toBe(command);
  });
});

describe('approval settings', () => {
  it('defaults: a person approves, plans live 15 minutes, the page opens in the browser, a call waits 2 minutes', () => {
    const c = ok([]);
    expect(c).toMatchObject({ confirmPolicy: 'human', planTtlMs: 900_000, approvalPage: 'browser', approvalWaitMs: 120_000 });
    expect(c.warnings.join()).not.toMatch(/model/);
  });

  it.each([
    [['--confirm-policy', 'refuse'], {}, 'refuse'],
    [[], { CLOUDPC_MCP_CONFIRM_POLICY: 'Model' }, 'model'],
  ] as const)('%j %j → %s', (argv, env, policy) => {
    expect(ok([...argv], env).confirmPolicy).toBe(policy);
  });

  it('model is warned about at start-up: it lets the model approve its own destructive retries', () => {
    expect(ok([], { CLOUDPC_MCP_CONFIRM_POLICY: 'model' }).warnings.join('\n')).toMatch(
      /lets the AI model approve destructive retries itself/,
    );
  });

  it('the old name confirm-flag still means model, with a warning naming the new value', () => {
    const c = ok([], { CLOUDPC_MCP_CONFIRM_POLICY: 'confirm-flag' });
    expect(c.confirmPolicy).toBe('model');
    expect(c.warnings.join('\n')).toMatch(/now called model/);
  });

  it('takes plan lifetime, page mode and wait from flags or environment, and refuses nonsense with the range', () => {
    expect(ok(['--plan-ttl-seconds', '60', '--approval-page', 'link'], { CLOUDPC_MCP_APPROVAL_WAIT_SECONDS: '0' })).toMatchObject({
      planTtlMs: 60_000,
      approvalPage: 'link',
      approvalWaitMs: 0,
    });
    expect(problemsOf([], { CLOUDPC_MCP_PLAN_TTL_SECONDS: '0' }).join()).toMatch(/CLOUDPC_MCP_PLAN_TTL_SECONDS.*from 1 to 86400/);
    expect(problemsOf([], { CLOUDPC_MCP_APPROVAL_PAGE: 'popup' }).join()).toMatch(/browser, link, off/);
  });
});

// The command answers a stdio client's first messages from readStdioServe before loadConfig runs (src/bin.ts): where it
// answers, loadConfig must agree (serve over stdio, same read-only), or the early tool list would differ from the server's.
describe('readStdioServe', () => {
  const cases: [string[], Record<string, string>, { readOnly: boolean } | undefined][] = [
    [[], {}, { readOnly: false }],
    [['--read-only'], {}, { readOnly: true }],
    [['--simulate', '--read-only', '--read-only'], {}, { readOnly: true }],
    [['--remote-app-approval'], {}, { readOnly: false }],
    [[], { CLOUDPC_MCP_READ_ONLY: ' Yes ' }, { readOnly: true }],
    [[], { CLOUDPC_MCP_READ_ONLY: 'off' }, { readOnly: false }],
    [['--read-only'], { CLOUDPC_MCP_READ_ONLY: 'false' }, { readOnly: true }],
    [[], { CLOUDPC_MCP_TRANSPORT: 'STDIO', CLOUDPC_MCP_CLOUD: 'nowhere' }, { readOnly: false }],
    [[], { CLOUDPC_MCP_TRANSPORT: '  ' }, { readOnly: false }],
    // Only loadConfig can tell: a value, a command, a mistake, remote mode, a read-only setting that is not yes or no.
    [['--log-level', 'warn'], {}, undefined],
    [['--read-only=true'], {}, undefined],
    [['login'], {}, undefined],
    [['--help'], {}, undefined],
    [['-h'], {}, undefined],
    [['--readonly'], {}, undefined],
    [[], { CLOUDPC_MCP_TRANSPORT: 'http' }, undefined],
    [[], { CLOUDPC_MCP_TRANSPORT: 'websocket' }, undefined],
    [[], { CLOUDPC_MCP_READ_ONLY: 'maybe' }, undefined],
  ];
  it.each(cases)('%j with %j → %j, as loadConfig reads it', (argv, env, expected) => {
    expect(readStdioServe(argv, env)).toEqual(expected);
    if (!expected) return;
    const r = loadConfig(argv, env);
    const config = r.ok ? r.config : r.fallback;
    expect({ command: r.command, transport: config.transport, readOnly: config.readOnly }).toEqual({
      command: 'serve',
      transport: 'stdio',
      readOnly: expected.readOnly,
    });
  });

  it('agrees with loadConfig for every on/off flag of the settings table, alone and with CLOUDPC_MCP_READ_ONLY', () => {
    const flags = SETTINGS.filter((x) => x.boolean && x.flag).map((x) => x.flag!);
    expect(flags).toContain('--read-only');
    for (const flag of flags)
      for (const env of [{}, { CLOUDPC_MCP_READ_ONLY: 'true' }, { CLOUDPC_MCP_READ_ONLY: '0' }]) {
        const quick = readStdioServe([flag], env);
        const r = loadConfig([flag], env);
        expect(quick, `${flag} ${JSON.stringify(env)}`).toEqual({ readOnly: (r.ok ? r.config : r.fallback).readOnly });
      }
  });
});
