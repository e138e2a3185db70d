// The command line, read through the settings table: every flag the table names, plus help, version and a command.
import { parseArgs } from 'node:util';
import { SETTINGS } from './settings.js';

/** serve: the MCP server (default). login/logout: terminal sign-in before configuring an assistant. */
export const COMMANDS = ['serve', 'login', 'logout'] as const;
export type Command = (typeof COMMANDS)[number] | 'help' | 'version';

export interface CommandLine {
  command: Command;
  /** Flag values by the setting's environment variable name (the table's key). */
  values: Map<string, string | boolean>;
  problems: { setting: string; message: string }[];
}

const OPTIONS = Object.fromEntries([
  ...SETTINGS.filter((s) => s.flag).map((s) => [s.flag!.slice(2), { type: s.boolean ? ('boolean' as const) : ('string' as const) }]),
  ['help', { type: 'boolean' as const, short: 'h' }],
  ['version', { type: 'boolean' as const, short: 'v' }],
]);

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const values = new Map<string, string | boolean>();
  const problems: CommandLine['problems'] = [];
  let command: Command = 'serve';
  try {
    const parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
    const v = parsed.values as Record<string, string | boolean | undefined>;
    for (const s of SETTINGS) {
      const given = s.flag ? v[s.flag.slice(2)] : undefined;
      if (given !== undefined) values.set(s.env, given);
    }
    if (v.help) command = 'help';
    else if (v.version) command = 'version';
    const [first, ...rest] = parsed.positionals;
    if (first !== undefined) {
      if ((COMMANDS as readonly string[]).includes(first)) {
        if (command === 'serve') command = first as Command;
      } else {
        problems.push({ setting: 'command line', message: `unexpected argument "${first}"; commands are ${COMMANDS.join(', ')}; run cloudpc-mcp --help for the options.` });
      }
    }
    for (const p of rest) problems.push({ setting: 'command line', message: `unexpected argument "${p}"; run cloudpc-mcp --help for the options.` });
  } catch (err) {
    problems.push({ setting: 'command line', message: `${(err as Error).message}; run cloudpc-mcp --help for the options.` });
  }
  return { command, values, problems };
}
