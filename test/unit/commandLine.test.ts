// The command line as an admin types it: each mistake gets one message that names the flag and the fix, worded for a
// person (never node:util's advice about '--' or a quote it opened and never closed).
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/config/commandLine.js';
import { formatProblems, loadConfig } from '../../src/config/config.js';

const problemsOf = (argv: string[]) => parseCommandLine(argv).problems.map((p) => p.message);

describe('command line mistakes', () => {
  it.each([
    [['--bogus'], 'unknown option --bogus; run cloudpc-mcp --help for the options.'],
    [['--bogus', 'value'], 'unknown option --bogus; run cloudpc-mcp --help for the options.'],
    [['-x'], 'unknown option -x; run cloudpc-mcp --help for the options.'],
    [['--readonly'], 'unknown option --readonly (did you mean --read-only?); run cloudpc-mcp --help for the options.'],
    [['--tenant', 'contoso.com'], 'unknown option --tenant (did you mean --tenant-id?); run cloudpc-mcp --help for the options.'],
    [['--simulat'], 'unknown option --simulat (did you mean --simulate?); run cloudpc-mcp --help for the options.'],
    [
      ['--access-token', 'abc'],
      'unknown option --access-token: CLOUDPC_MCP_ACCESS_TOKEN is set in the environment only, never as a flag (a flag would show it to every user who can list processes).',
    ],
    [
      ['--authority-host=https://x'],
      'unknown option --authority-host: AZURE_AUTHORITY_HOST is set in the environment only, never as a flag.',
    ],
    [['--cloud'], '--cloud needs a value, e.g. --cloud=<value>; run cloudpc-mcp --help for the options.'],
    [['--cloud', '--read-only'], '--cloud needs a value, but the next word is the option --read-only; write --cloud=<value>.'],
    [['--cloud='], '--cloud is empty; give a value or leave the option out.'],
    [['--simulate=yes'], '--simulate takes no value (got "yes"); write --simulate alone to turn it on.'],
    [['serve-now'], 'unexpected argument "serve-now"; commands are serve, login, logout; run cloudpc-mcp --help for the options.'],
    [['login', 'now'], 'unexpected argument "now"; run cloudpc-mcp --help for the options.'],
    [['--', '--cloud'], 'unexpected argument "--cloud"; commands are serve, login, logout; run cloudpc-mcp --help for the options.'],
  ])('%j → one message: %s', (argv, message) => {
    expect(problemsOf(argv)).toEqual([message]);
  });

  it('an unknown option never swallows the command after it', () => {
    const line = parseCommandLine(['--bogus', 'login']);
    expect(line.command).toBe('login');
    expect(line.problems).toHaveLength(1);
  });

  it('reads good flags in every spelling', () => {
    const line = parseCommandLine(['--cloud=usgov', '--read-only', 'login', '--timeout-ms', '5000']);
    expect(line.problems).toEqual([]);
    expect(line.command).toBe('login');
    expect(Object.fromEntries(line.values)).toEqual({
      CLOUDPC_MCP_CLOUD: 'usgov',
      CLOUDPC_MCP_READ_ONLY: true,
      CLOUDPC_MCP_TIMEOUT_MS: '5000',
    });
  });

  it('--help and --version win over the command', () => {
    expect(parseCommandLine(['login', '-h']).command).toBe('help');
    expect(parseCommandLine(['-v']).command).toBe('version');
    expect(parseCommandLine(['-hv']).command).toBe('help');
  });

  it('words after -- are arguments, never options', () => {
    const line = parseCommandLine(['login', '--', '--read-only']);
    expect(line.command).toBe('login');
    expect(line.values.size).toBe(0);
    expect(line.problems.map((p) => p.message)).toEqual(['unexpected argument "--read-only"; run cloudpc-mcp --help for the options.']);
  });
});

describe('formatProblems', () => {
  const r = loadConfig(['--cloud', 'mars'], {});
  const problems = r.ok ? [] : r.problems;

  it('tells an MCP client to fix its server configuration', () => {
    expect(formatProblems(problems)).toMatch(
      /^cloudpc-mcp is misconfigured, so no Graph call was made\. Fix these settings in the MCP client's server configuration/,
    );
  });

  it('tells a terminal to fix the command line or environment, naming the command that was run', () => {
    const text = formatProblems(problems, { terminal: 'cloudpc-mcp login' });
    expect(text).toMatch(
      /^cloudpc-mcp login did nothing, because of these mistakes\. Fix the command line or the environment variables and run it again:\n- CLOUDPC_MCP_CLOUD \(--cloud\): "mars"/,
    );
    expect(text).not.toContain('MCP client');
  });
});
