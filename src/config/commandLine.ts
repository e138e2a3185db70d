// The command line, read through the settings table: every flag the table names, plus help, version and a command.
// node:util parseArgs splits the words (non-strict, with tokens); the checks are ours, because its strict-mode messages
// speak to programmers ("place it at the end of the command after '--'") rather than to admins. Its cost at start-up,
// measured 2026-12-06 (Node 20, 7 fresh processes): ~0.7 ms to import node:util and ~0.45 ms for the first call.
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

type OptionType = 'string' | 'boolean';

type Option = { type: OptionType; short?: string };
const OPTIONS: Record<string, Option> = Object.fromEntries([
  ...SETTINGS.filter((s) => s.flag).map((s): [string, Option] => [s.flag!.slice(2), { type: s.boolean ? 'boolean' : 'string' }]),
  ['help', { type: 'boolean', short: 'h' }],
  ['version', { type: 'boolean', short: 'v' }],
]);
const FLAG_TO_ENV = new Map(SETTINGS.filter((s) => s.flag).map((s) => [s.flag!.slice(2), s.env]));

/** How the user started the command, so that messages show commands that can be typed as shown (`npx` in a clone). */
export function commandName(env: Record<string, string | undefined>): string {
  return env['npm_command'] === 'exec' ? 'npx cloudpc-mcp' : 'cloudpc-mcp';
}

export function parseCommandLine(argv: readonly string[], name = 'cloudpc-mcp'): CommandLine {
  const helpHint = `run ${name} --help for the options`;
  const values = new Map<string, string | boolean>();
  const problems: CommandLine['problems'] = [];
  const problem = (message: string) => problems.push({ setting: 'command line', message });
  // Non-strict: an unknown option is a token (we name the flag meant), and a string option takes the next word, whatever it is.
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const positionals: string[] = [];
  let help = false;
  let version = false;
  // `--bogus value`: the value belongs to the unknown option; reporting it as a second mistake would only add noise.
  let afterUnknown = false;
  for (const t of tokens) {
    const swallow = afterUnknown;
    afterUnknown = false;
    if (t.kind === 'positional' && !(swallow && !(COMMANDS as readonly string[]).includes(t.value))) positionals.push(t.value);
    if (t.kind !== 'option') continue; // the '--' that ends the options
    const def = OPTIONS[t.name];
    const message = def ? valueProblem(t.rawName, def.type, t.value, t.inlineValue, helpHint) : unknownOption(t.rawName, helpHint);
    if (message) {
      problem(message);
      afterUnknown = !def && t.value === undefined;
      continue;
    }
    if (t.name === 'help') help = true;
    else if (t.name === 'version') version = true;
    else values.set(FLAG_TO_ENV.get(t.name)!, def!.type === 'boolean' ? true : t.value!);
  }
  let command: Command = help ? 'help' : version ? 'version' : 'serve';
  const [first, ...rest] = positionals;
  if (first !== undefined) {
    if ((COMMANDS as readonly string[]).includes(first)) {
      if (command === 'serve') command = first as Command;
    } else {
      problem(`unexpected argument "${first}"; commands are ${COMMANDS.join(', ')}; ${helpHint}.`);
    }
  }
  for (const p of rest) problem(`unexpected argument "${p}"; ${helpHint}.`);
  return { command, values, problems };
}

function valueProblem(
  raw: string,
  type: OptionType,
  value: string | undefined,
  inline: boolean | undefined,
  help: string,
): string | undefined {
  if (type === 'boolean')
    return value === undefined ? undefined : `${raw} takes no value (got "${value}"); write ${raw} alone to turn it on.`;
  if (value === undefined) return `${raw} needs a value, e.g. ${raw}=<value>; ${help}.`;
  // `--cloud --read-only`: the next flag was taken as the value, which is never what was meant.
  if (!inline && value.startsWith('-')) return `${raw} needs a value, but the next word is the option ${value}; write ${raw}=<value>.`;
  if (value.trim() === '') return `${raw} is empty; give a value or leave the option out.`;
  return undefined;
}

/** Names the flag meant when it is close to a real one, and says where an environment-only setting goes. */
function unknownOption(raw: string, help: string): string {
  const name = raw.replace(/^-+/, '');
  const envOnly = SETTINGS.find((s) => !s.flag && kebabOf(s.env) === name.toLowerCase());
  if (envOnly) {
    const why = /TOKEN|SECRET/.test(envOnly.env) ? ' (a flag would show it to every user who can list processes)' : '';
    return `unknown option ${raw}: ${envOnly.env} is set in the environment only, never as a flag${why}.`;
  }
  const near = raw.startsWith('--') ? closestFlag(name) : undefined;
  return `unknown option ${raw}${near ? ` (did you mean --${near}?)` : ''}; ${help}.`;
}

function kebabOf(env: string): string {
  return env
    .replace(/^(CLOUDPC_MCP_|AZURE_)/, '')
    .toLowerCase()
    .replace(/_/g, '-');
}

function closestFlag(name: string): string | undefined {
  let best: { flag: string; d: number } | undefined;
  for (const flag of Object.keys(OPTIONS)) {
    const d = flag.startsWith(name) && name.length >= 3 ? 1 : editDistance(name.toLowerCase(), flag);
    if (d <= 2 && (!best || d < best.d)) best = { flag, d };
  }
  return best?.flag;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
