// The command run by hand in a terminal (a real pseudo-terminal), against the same command started by an MCP client
// (pipes). In a terminal a person reads stderr: the server says what it is at once, and a mistake ends it with exit
// code 2 before anything is typed. A client hides stderr: the server starts anyway and answers every call with the fix.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { BIN, ROOT, baseEnv, connect, textOf } from './harness.js';
import { Terminal } from '../support/terminal.js';

const open: Terminal[] = [];
function terminal(args: string[], env: Record<string, string> = baseEnv()): Terminal {
  const t = new Terminal(process.execPath, [BIN, ...args], env);
  open.push(t);
  return t;
}
afterEach(() => {
  for (const t of open.splice(0)) t.close();
});

/** What a mistake must never carry into a terminal: node:util's advice for programmers, and the client's wording. */
function expectAdminWording(output: string): void {
  expect(output).not.toMatch(/positional argument|after '--'|"--/);
  expect(output).not.toContain("MCP client's");
  expect(output).toContain('Fix the command line or the environment variables and run it again');
}

describe('run in a terminal', () => {
  it('says at once what it is, that it waits for an MCP client, and how to get help; it still serves what is typed; Ctrl+C ends it', async () => {
    const t = terminal([]);
    const banner = await t.waitFor(/Press Ctrl\+C to stop\./);
    expect(banner).toMatch(/^cloudpc-mcp \d+\.\d+\.\d+: an MCP server for Windows 365 Cloud PC bulk actions/);
    expect(banner).toContain('waiting for an MCP client on stdin/stdout');
    expect(banner).toMatch(/cloudpc-mcp --help +every option/);
    expect(banner).toMatch(/cloudpc-mcp login +sign in once/);

    t.type('{"jsonrpc":"2.0","id":7,"method":"ping"}\n');
    await t.waitFor(/\{"jsonrpc":"2\.0","id":7,"result":\{\}\}/);
    t.type('\x03');
    expect(await t.exitCode()).toBe(0);
  });

  it('an unknown flag ends it with exit code 2 before anything is typed, saying only what matters', async () => {
    const t = terminal(['--readonly']);
    expect(await t.exitCode()).toBe(2);
    expect(t.output).toContain('cloudpc-mcp did nothing, because of these mistakes.');
    expect(t.output).toContain(
      '- command line: unknown option --readonly (did you mean --read-only?); run cloudpc-mcp --help for the options.',
    );
    expectAdminWording(t.output);
    expect(t.output).not.toContain('waiting for an MCP client');
  });

  it('a flag without its value, and a bad environment variable, are both named, with exit code 2', async () => {
    const t = terminal(['--cloud'], baseEnv({ CLOUDPC_MCP_TIMEOUT_MS: 'soon' }));
    expect(await t.exitCode()).toBe(2);
    expect(t.output).toContain('--cloud needs a value');
    expect(t.output).toMatch(/CLOUDPC_MCP_TIMEOUT_MS \(--timeout-ms\): "soon" is not a whole number/);
    expectAdminWording(t.output);
  });

  it('login: a mistake is worded for the terminal (exit 2); --simulate explains that the simulator needs no sign-in', async () => {
    const bad = terminal(['login', '--tenant', 'contoso.onmicrosoft.com']);
    expect(await bad.exitCode()).toBe(2);
    expect(bad.output).toContain('cloudpc-mcp login did nothing, because of these mistakes.');
    expect(bad.output).toContain('unknown option --tenant (did you mean --tenant-id?)');
    expectAdminWording(bad.output);

    const sim = terminal(['login', '--simulate']);
    expect(await sim.exitCode()).toBe(2);
    expect(sim.output).toMatch(
      /Nothing to log in to: --simulate runs the server against its embedded Graph simulator, which needs no sign-in/,
    );
  });

  it('--simulate with CLOUDPC_MCP_ACCESS_TOKEN set says the token is ignored', async () => {
    const t = terminal(['--simulate'], baseEnv({ CLOUDPC_MCP_ACCESS_TOKEN: 'opaque-operator-token' }));
    const shown = await t.waitFor(/Press Ctrl\+C to stop\.[\s\S]*CLOUDPC_MCP_ACCESS_TOKEN is ignored/);
    expect(shown).toContain('embedded Graph simulator');
    expect(shown).not.toContain('opaque-operator-token');
    t.type('\x03');
    expect(await t.exitCode()).toBe(0);
  });
});

describe('started by an MCP client (stdin is not a terminal)', () => {
  it('logs the mistake at start-up, before any message, with no banner', async () => {
    const child = spawn(process.execPath, [BIN, '--readonly'], { env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString('utf8');
        if (err.includes('every tool call answers with these problems')) resolve();
      });
    });
    child.kill();
    expect(err).toContain('configuration: command line: unknown option --readonly (did you mean --read-only?)');
    expect(err).not.toContain('waiting for an MCP client');
  });

  // With nothing but on/off flags the first answers go out before the configuration is read (src/bin.ts); a mistake in
  // the environment is still logged, whether the client says nothing or leaves at once.
  it('logs a mistake in the environment while the client says nothing, and when it leaves at once', async () => {
    const silent = spawn(process.execPath, [BIN], { env: baseEnv({ CLOUDPC_MCP_CLOUD: 'mars' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    silent.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    await new Promise<void>((resolve) => {
      silent.stderr.on('data', (d: Buffer) => {
        err += d.toString('utf8');
        if (err.includes('every tool call answers with these problems')) resolve();
      });
    });
    silent.kill();
    expect(err).toMatch(/configuration: CLOUDPC_MCP_CLOUD \(--cloud\): "mars" is not one of/);
    expect(out).toBe('');

    const leaving = spawn(process.execPath, [BIN, '--read-only'], {
      env: baseEnv({ CLOUDPC_MCP_CLOUD: 'mars' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let err2 = '';
    leaving.stderr.on('data', (d: Buffer) => (err2 += d.toString('utf8')));
    leaving.stdin.end();
    await new Promise((r) => leaving.once('exit', r));
    expect(err2).toMatch(/configuration: CLOUDPC_MCP_CLOUD \(--cloud\): "mars" is not one of/);
  });

  it('keeps serving, and every call answers with the fix worded for the client configuration', async () => {
    const c = await connect({ env: baseEnv(), args: ['--readonly'] });
    try {
      const { tools } = await c.client.listTools();
      expect(tools.length).toBeGreaterThan(0);
      const r = (await c.client.callTool({ name: 'list_cloudpc_bulk_actions', arguments: {} })) as CallToolResult;
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("Fix these settings in the MCP client's server configuration (env or args) and restart the server");
      expect(textOf(r)).toContain('unknown option --readonly (did you mean --read-only?)');
      expect(textOf(r)).not.toMatch(/positional argument|after '--'/);
    } finally {
      await c.close();
    }
  });
});

describe('from a clone, as the README and docs write it', () => {
  // npm as a user runs it: no npm_* variables from the `npm test` that started vitest, and no registry check.
  const npmEnv = () => baseEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });

  it("`npx cloudpc-mcp` in the clone runs this clone's command, and its messages show commands typed the same way", async () => {
    const t = new Terminal('npx', ['cloudpc-mcp', '--readonly'], npmEnv(), ROOT);
    open.push(t);
    expect(await t.exitCode()).toBe(2);
    expect(t.output).toContain('npx cloudpc-mcp did nothing, because of these mistakes.');
    expect(t.output).toContain('unknown option --readonly (did you mean --read-only?); run npx cloudpc-mcp --help for the options.');
  });

  it('`npx cloudpc-mcp` with no command shows the banner with npx in its examples', async () => {
    const t = new Terminal('npx', ['cloudpc-mcp', '--simulate'], npmEnv(), ROOT);
    open.push(t);
    const banner = await t.waitFor(/Press Ctrl\+C to stop\./);
    expect(banner).toMatch(/npx cloudpc-mcp login +sign in once/);
    t.type('\x03');
    await t.exitCode();
  });
});
