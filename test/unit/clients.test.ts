// What users copy into their clients must be true to the code: the MCP Registry server.json (checked against the
// registry's published schema with a real JSON Schema validator), mcp.json.example and the snippets in docs/clients.md
// (commands, flags and environment variables the server accepts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { loadConfig } from '../../src/config/config.js';
import { SETTINGS } from '../../src/config/settings.js';
import { ALL_PROMPTS } from '../../src/prompts/index.js';
import { ROOT } from '../e2e/harness.js';

const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  name: string;
  version: string;
  mcpName?: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
const serverJson = JSON.parse(read('server.json')) as Record<string, any>;
const SCHEMA_FILE = 'test/schemas/server.schema.2025-12-11.json';
const schema = JSON.parse(read(SCHEMA_FILE)) as { $id: string };
const settings = new Map(SETTINGS.map((s) => [s.env, s]));
const flags = new Set(SETTINGS.map((s) => s.flag).filter((f): f is NonNullable<typeof f> => f !== null));

function registryValidator() {
  // Unknown keywords and formats are errors (so nothing in the schema is silently skipped); `example`, an annotation of
  // OpenAPI origin, is declared. Ajv's style lints (strictRequired, strictTypes) are off: they judge how a schema is
  // written, not what it accepts, and the registry writes its schema for any draft-07 validator.
  const ajv = new Ajv({ strictSchema: true, strictRequired: false, strictTypes: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addVocabulary(['example']);
  return ajv.compile(schema);
}

/** A way a client starts the server: the command, its arguments and the environment it sets. */
interface Launch {
  where: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** Client-side placeholders filled with what a user would type. */
const filled = (v: string) => v.replace('${workspaceFolder}', ROOT).replace(/\$\{input:[^}]+\}/g, 'contoso.onmicrosoft.com');

/** Checks a launch runs this server: the command resolves to the package's bin, and the server accepts every setting. */
function expectTrueToCode(l: Launch): void {
  const binPath = Object.values(pkg.bin)[0]!;
  let serverArgs: string[];
  if (l.command === 'node') {
    expect(l.args[0], l.where).toMatch(new RegExp(`(^|/)${binPath.replace(/[.]/g, '\\.')}$`));
    serverArgs = l.args.slice(1);
  } else if (l.command === 'npx' || (l.command === 'cmd' && l.args[0] === '/c' && l.args[1] === 'npx')) {
    const a = l.command === 'cmd' ? l.args.slice(2) : l.args;
    expect(a.slice(0, 2), l.where).toEqual(['-y', pkg.name]);
    // npx runs the bin named like the package.
    expect(Object.keys(pkg.bin), l.where).toContain(pkg.name);
    serverArgs = a.slice(2);
  } else {
    expect(Object.keys(pkg.bin), l.where).toContain(l.command);
    serverArgs = l.args;
  }
  for (const a of serverArgs.filter((x) => x.startsWith('--'))) expect(flags.has(a.split('=')[0]!), `${l.where}: flag ${a}`).toBe(true);
  for (const name of Object.keys(l.env)) expect(settings.has(name), `${l.where}: ${name} is a setting`).toBe(true);
  const env = Object.fromEntries(Object.entries(l.env).map(([k, v]) => [k, filled(v)]));
  const r = loadConfig(serverArgs.map(filled), env);
  expect(r.ok ? [] : r.problems, l.where).toEqual([]);
}

/** Entries of a client configuration (mcpServers or servers) that start a process. */
function launchesIn(where: string, config: Record<string, any>): Launch[] {
  const servers = (config.mcpServers ?? config.servers ?? {}) as Record<
    string,
    { command?: string; args?: string[]; env?: Record<string, string> }
  >;
  return Object.entries(servers)
    .filter(([, s]) => s.command)
    .map(([name, s]) => ({ where: `${where} ${name}`, command: s.command!, args: s.args ?? [], env: s.env ?? {} }));
}

/**
 * `claude mcp add` with the same parsing rules as Claude Code's CLI, which is built on commander: `-e/--env` and
 * `-H/--header` are variadic (they take every following word up to the next option or `--`), then the name, the
 * command or URL and its arguments; an env entry that is not KEY=value is refused with Claude Code's own message.
 * (The variadic --env swallowing a name written after it: anthropics/claude-code#29221.)
 */
function claudeMcpAdd(line: string): {
  name: string;
  commandOrUrl: string;
  args: string[];
  env: Record<string, string>;
  transport?: string;
} {
  // A placeholder such as <client app id> is one word to a reader.
  const words = line
    .replace(/<[^>]+>/g, (p) => p.replace(/\s+/g, '_'))
    .trim()
    .split(/\s+/);
  expect(words.slice(0, 3)).toEqual(['claude', 'mcp', 'add']);
  let parsed: { name: string; commandOrUrl: string; args: string[]; opts: { env?: string[]; transport?: string } } | undefined;
  const program = new Command('claude').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  program
    .command('mcp')
    .command('add')
    .exitOverride()
    .argument('<name>')
    .argument('<commandOrUrl>')
    .argument('[args...]')
    .option('-s, --scope <scope>')
    .option('-t, --transport <transport>')
    .option('-e, --env <env...>')
    .option('-H, --header <header...>')
    .option('--client-id <clientId>')
    .option('--client-secret')
    .option('--callback-port <port>')
    .action(
      (name: string, commandOrUrl: string, args: string[], opts: { env?: string[]; transport?: string }) =>
        void (parsed = { name, commandOrUrl, args, opts }),
    );
  program.parse(words.slice(1), { from: 'user' });
  const env: Record<string, string> = {};
  for (const e of parsed!.opts.env ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(e);
    if (!m)
      throw new Error(`Invalid environment variable format: ${e}, environment variables should be added as: -e KEY1=value1 -e KEY2=value2`);
    env[m[1]!] = m[2]!;
  }
  return {
    name: parsed!.name,
    commandOrUrl: parsed!.commandOrUrl,
    args: parsed!.args,
    env,
    ...(parsed!.opts.transport ? { transport: parsed!.opts.transport } : {}),
  };
}

/** Every `claude mcp add` line in sh blocks, parsed as Claude Code parses it. */
function claudeCodeAdds(doc: string): { line: string; add: ReturnType<typeof claudeMcpAdd> }[] {
  return [...doc.matchAll(/^claude mcp add .+$/gm)].map((m) => ({ line: m[0], add: claudeMcpAdd(m[0]) }));
}

/** The stdio ones as launches of this server. */
function claudeCodeLaunches(doc: string): Launch[] {
  return claudeCodeAdds(doc)
    .filter(({ add }) => !/^https?:/.test(add.commandOrUrl))
    .map(({ line, add }) => ({ where: `claude mcp add: ${line}`, command: add.commandOrUrl, args: add.args, env: add.env }));
}

const fenced = (doc: string, lang: string) => [...doc.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

describe('server.json for the MCP Registry', () => {
  it("is valid against the registry's published schema (kept in the repository with its source)", () => {
    const validate = registryValidator();
    expect(validate(serverJson), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(serverJson.$schema).toBe(schema.$id);
    expect(read('test/schemas/SOURCES.md')).toContain(schema.$id);
  });

  it('is checked by a validator that refuses what the registry refuses', () => {
    const validate = registryValidator();
    expect(validate({ ...serverJson, name: 'cloudpc-mcp' })).toBe(false);
    expect(validate({ ...serverJson, description: 'x'.repeat(101) })).toBe(false);
    expect(validate({ ...serverJson, packages: [{ ...serverJson.packages[0], version: 'latest' }] })).toBe(false);
  });

  it("names the npm package as published: name, version, and mcpName for the registry's ownership check", () => {
    expect(pkg.mcpName).toBe(serverJson.name);
    expect(serverJson.version).toBe(pkg.version);
    expect(serverJson.packages).toHaveLength(1);
    expect(serverJson.packages[0]).toMatchObject({
      registryType: 'npm',
      identifier: pkg.name,
      version: pkg.version,
      transport: { type: 'stdio' },
    });
  });

  it('offers environment variables the server reads, with its defaults and values it accepts', () => {
    for (const v of serverJson.packages[0].environmentVariables as { name: string; default?: string; choices?: string[] }[]) {
      const s = settings.get(v.name);
      expect(s, v.name).toBeDefined();
      if (v.default !== undefined) expect(v.default, v.name).toBe(s!.def);
      for (const value of [...(v.choices ?? []), ...(v.default !== undefined ? [v.default] : [])]) {
        const r = loadConfig([], { [v.name]: value });
        expect(r.ok ? [] : r.problems, `${v.name}=${value}`).toEqual([]);
      }
    }
  });
});

describe('mcp.json.example (VS Code)', () => {
  const example = JSON.parse(read('mcp.json.example')) as { inputs?: { id: string }[]; servers: Record<string, { type: string }> };

  it('starts this server with settings it accepts', () => {
    const launches = launchesIn('mcp.json.example', example);
    expect(launches.map((l) => l.where)).toEqual(['mcp.json.example cloudpc', 'mcp.json.example cloudpc-simulator']);
    for (const l of launches) expectTrueToCode(l);
    expect(launches[1]!.args).toContain('--simulate');
  });

  it('declares every input it uses, in the stdio shape VS Code reads', () => {
    const ids = new Set((example.inputs ?? []).map((i) => i.id));
    for (const m of JSON.stringify(example).matchAll(/\$\{input:([^}]+)\}/g)) expect(ids.has(m[1]!), m[1]).toBe(true);
    for (const s of Object.values(example.servers)) expect(s.type).toBe('stdio');
  });
});

describe('docs/clients.md', () => {
  const doc = read('docs/clients.md');

  it('shows client configurations that start this server with settings it accepts', () => {
    const launches = fenced(doc, 'json').flatMap((block, i) => launchesIn(`json block ${i + 1}`, JSON.parse(block)));
    expect(launches.length).toBeGreaterThanOrEqual(2);
    for (const l of launches) expectTrueToCode(l);
  });

  it("shows `claude mcp add` commands that start this server, and remote URLs at the server's endpoint", () => {
    const launches = claudeCodeLaunches(fenced(doc, 'sh').join('\n'));
    expect(launches.length).toBeGreaterThanOrEqual(3);
    expect(launches.some((l) => l.args.includes('--simulate'))).toBe(true);
    const remote = claudeCodeAdds(fenced(doc, 'sh').join('\n')).filter(({ add }) => /^https:/.test(add.commandOrUrl));
    expect(remote.map(({ add }) => [add.name, add.transport])).toEqual([['cloudpc', 'http']]);
    for (const l of launches) expectTrueToCode(l);
    const remotes = [...doc.matchAll(/https:\/\/(?:cloudpc-mcp\.contoso\.com|<your host>)\/[\w/]*/g)].map((m) => m[0]);
    expect(remotes.length).toBeGreaterThanOrEqual(3);
    for (const url of remotes) expect(url).toMatch(/\/mcp$/);
  });

  it("shows the published and global-install forms with the package's real name", () => {
    expect(doc).toContain(`npx -y ${pkg.name}`);
    expect(doc).toContain(`npm install -g ${pkg.name}`);
    for (const form of ['"command": "npx", "args": ["-y", "cloudpc-mcp"]', '"command": "cmd", "args": ["/c", "npx",'])
      expect(doc).toContain(form);
    expectTrueToCode({ where: 'Windows npx form', command: 'cmd', args: ['/c', 'npx', '-y', pkg.name], env: {} });
  });

  it('documents settings with the defaults the server has', () => {
    const rows = doc.split('\n').filter((l) => /^\| `[A-Z_]+` \|/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const row of rows) {
      const [name, , def] = row
        .split('|')
        .slice(1, 4)
        .map((c) => c.trim());
      const s = settings.get(name!.replace(/`/g, ''));
      expect(s, name).toBeDefined();
      expect(def!.replace(/`/g, '').replace(/ \(.*\)$/, ''), name).toBe(s!.def.replace(/ \(.*\)$/, ''));
    }
  });

  it('names the npm script that builds the extension and where it writes it', () => {
    expect(pkg.scripts.mcpb).toMatch(/scripts\/build-mcpb\.mjs/);
    expect(read('scripts/build-mcpb.mjs')).toContain("'build', 'mcpb', 'cloudpc-mcp.mcpb'");
    expect(doc).toContain('`npm run mcpb` builds `build/mcpb/cloudpc-mcp.mcpb`');
  });

  it('lists the prompts the server offers, with their arguments', () => {
    for (const p of ALL_PROMPTS) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${p.name}\` |`));
      expect(row, p.name).toBeDefined();
      for (const a of p.arguments) expect(row, `${p.name} ${a.name}`).toContain(`\`${a.name}\``);
    }
  });
});

describe('`claude mcp add` as Claude Code parses it', () => {
  it("the parser has the CLI's rules: a name after a variadic --env is taken as a variable and refused", () => {
    expect(() =>
      claudeMcpAdd('claude mcp add --transport stdio --env AZURE_TENANT_ID=contoso.onmicrosoft.com cloudpc -- node server.js'),
    ).toThrow(/Invalid environment variable format: cloudpc/);
    expect(claudeMcpAdd('claude mcp add cloudpc --env A=1 -e B=2 -- node server.js --simulate')).toEqual({
      name: 'cloudpc',
      commandOrUrl: 'node',
      args: ['server.js', '--simulate'],
      env: { A: '1', B: '2' },
    });
  });

  it.each(['README.md', 'docs/clients.md'])('every form %s shows works as written, and one adds the simulator', (page) => {
    const adds = claudeCodeAdds(fenced(read(page), 'sh').join('\n'));
    expect(adds.length).toBeGreaterThanOrEqual(2);
    for (const l of claudeCodeLaunches(fenced(read(page), 'sh').join('\n'))) expectTrueToCode(l);
    expect(adds.some(({ add }) => add.name === 'cloudpc-simulator' && add.args.includes('--simulate'))).toBe(true);
  });
});
