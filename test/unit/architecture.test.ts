// The rules that keep the code changeable: layers that only import downwards, dependencies through their public API
// only, and files and functions small enough to read. Each failure names the place and the rule.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionsOf, importsOf, layerOf, sourceFiles, SRC } from '../support/sourceShape.js';

// Lowest first: a layer may import only from layers before it (and itself). Entry points at src/ may import anything.
const LAYERS = [
  'core',
  'simulator',
  'graph',
  'config',
  'store',
  'auth',
  'tools',
  'prompts',
  'approval',
  'mcp',
  'transports/stdio',
  'transports/http',
  'cli',
];

// Files that are data rather than logic (the demo tenant's records), where length is not a reading burden.
const DATA_FILES = new Set(['simulator/seed.ts']);
// A file may grow to hold one whole idea rather than split it; functions stay short enough to read in one screen.
const MAX_FILE_LINES = 500;
const MAX_FUNCTION_LINES = 60;
// A folder with more files than this no longer shows its work at a glance: group it by concern into subfolders.
const MAX_FILES_PER_FOLDER = 20;

const files = sourceFiles();
const rel = (f: string) => path.relative(SRC, f);

describe('layers', () => {
  it('every source file sits in a known layer', () => {
    expect(files.map(layerOf).filter((l) => l !== '(entry)' && !LAYERS.includes(l))).toEqual([]);
  });

  it('only import from the same or a lower layer (no cycle between folders)', () => {
    const wrong: string[] = [];
    for (const f of files) {
      const from = layerOf(f);
      if (from === '(entry)') continue;
      for (const e of importsOf(f)) {
        if (!e.spec.startsWith('.')) continue;
        const to = layerOf(e.to);
        if (to === '(entry)') wrong.push(`${rel(f)} imports the entry point ${e.spec}`);
        else if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) wrong.push(`${rel(f)} (${from}) imports ${e.spec} (${to}), a higher layer`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('entry points are only bin.ts, demo.ts and simulate.ts', () => {
    expect(
      files
        .filter((f) => layerOf(f) === '(entry)')
        .map(rel)
        .sort(),
    ).toEqual(['bin.ts', 'demo.ts', 'simulate.ts']);
  });
});

describe('dependencies through their public API only', () => {
  it('imports no private file of a package (only its name or an exported subpath)', () => {
    const privatePath = /^(@[^/]+\/)?[^./][^/]*\/(lib|src|dist|build|internal)\//;
    // The MCP SDK publishes its modules under dist/ paths in its "exports" map: those are its public subpaths.
    const exported = (spec: string) => /^@modelcontextprotocol\/sdk\/(server|client|shared|types|validation|inMemory)/.test(spec);
    const found = files.flatMap((f) =>
      importsOf(f)
        .filter((e) => privatePath.test(e.spec) && !exported(e.spec))
        .map((e) => `${rel(f)}: ${e.spec}`),
    );
    expect(found).toEqual([]);
  });

  it("touches Azure Identity's internal plug-in context in one file only (docs/development.md names the exception)", () => {
    const found = files.filter((f) => /cachePluginControl|AzurePluginContext/.test(readFileSync(f, 'utf8'))).map(rel);
    expect(found).toEqual(['auth/persistence/identityPlugin.ts']);
  });

  it('patches no prototype and replaces no method of a dependency', () => {
    const patch = /\b[A-Z]\w*\.prototype\.\w+\s*(=|\.call\(|\.apply\()|Object\.(defineProperty|assign)\(\s*[A-Z]\w*\.prototype/;
    const found = files.filter((f) => patch.test(readFileSync(f, 'utf8'))).map(rel);
    expect(found).toEqual([]);
  });
});

describe('size', () => {
  it(`no source file is over ${MAX_FILE_LINES} lines (data files aside)`, () => {
    const long = files
      .filter((f) => !DATA_FILES.has(rel(f)))
      .map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, n]) => n > MAX_FILE_LINES)
      .map(([f, n]) => `${f}: ${n} lines`);
    expect(long).toEqual([]);
  });

  it(`no folder under src/ holds more than ${MAX_FILES_PER_FOLDER} files directly`, () => {
    const folders = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .flatMap((e) => [path.join(dir, e.name), ...folders(path.join(dir, e.name))]);
    const crowded = folders(SRC)
      .map((d) => [rel(d), readdirSync(d, { withFileTypes: true }).filter((e) => e.isFile()).length] as const)
      .filter(([, n]) => n > MAX_FILES_PER_FOLDER)
      .map(([d, n]) => `${d}/: ${n} files`);
    expect(crowded).toEqual([]);
  });

  it(`no function is over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = files
      .filter((f) => !DATA_FILES.has(rel(f)))
      .flatMap(functionsOf)
      .filter((fn) => fn.lines > MAX_FUNCTION_LINES)
      .map((fn) => `${rel(fn.file)}:${fn.line} ${fn.name}: ${fn.lines} lines`);
    expect(long).toEqual([]);
  });
});
