// npm run build: type-check (tsc, no output), then bundle with esbuild.
// - dist/ is what ships (package.json "files"): the command (cloudpc-mcp.cjs), the demo (demo.js) and the standalone Graph
//   simulator (simulator.js), sharing chunks in dist/chunks/, plus the recorded early answers (early-answers/).
// - build/dev/ is for this repository only (never shipped): the simulator as a library for `npm run bench`, and the
//   script that records the early answers from the real server.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const at = (p) => new URL(p, root).pathname;
rmSync(at('dist'), { recursive: true, force: true });
rmSync(at('build/dev'), { recursive: true, force: true });
execFileSync(process.execPath, [at('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], { cwd: root, stdio: 'inherit' });

// Parts of dependencies the command never runs, kept out of the bundle through esbuild's own plugin API (less code
// to load and hold in memory). zod's namespace object keeps every error-message locale alive although only English is
// used; the SDK's server imports the Ajv validator although createServer always passes its own (src/mcp/formValidator.ts).
const trimDependencies = {
  name: 'trim-dependencies',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: 'zod-locales', namespace: 'trimmed', pluginData: { resolveDir: path.join(path.dirname(args.importer), '../locales') } }
        : undefined,
    );
    b.onResolve({ filter: /^\.\.\/validation\/ajv-provider\.js$/ }, (args) =>
      /[\\/]@modelcontextprotocol[\\/]sdk[\\/]/.test(args.importer) ? { path: 'ajv-provider', namespace: 'trimmed' } : undefined,
    );
    // node-redis's optional peers (OpenTelemetry metrics, a hash for client-side caching): loaded inside a try, never
    // used here; a stub that throws on load is what node-redis handles as "not installed".
    b.onResolve({ filter: /^(@opentelemetry\/api|@node-rs\/xxhash)$/ }, (args) =>
      /[\\/]@redis[\\/]client[\\/]/.test(args.importer) ? { path: args.path, namespace: 'absent' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
      contents: `throw new Error('cloudpc-mcp bundles no ${args.path}: an optional peer of node-redis it does not use.');`,
      loader: 'js',
    }));
    b.onLoad({ filter: /^zod-locales$/, namespace: 'trimmed' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
    b.onLoad({ filter: /^ajv-provider$/, namespace: 'trimmed' }, () => ({
      contents:
        "export class AjvJsonSchemaValidator { constructor() { throw new Error('cloudpc-mcp bundles no Ajv: pass jsonSchemaValidator (src/mcp/formValidator.ts) to the SDK Server.'); } }",
      loader: 'js',
    }));
  },
};

// The MCP Apps view runs in a browser: its own type check (DOM types), its own bundle, dist/view.js, which the server
// reads the first time a host asks for the view.
execFileSync(process.execPath, [at('node_modules/typescript/bin/tsc'), '-p', 'src/approval/view/tsconfig.json'], {
  cwd: root,
  stdio: 'inherit',
});
const view = await build({
  absWorkingDir: at('.'),
  entryPoints: ['src/approval/view/app.ts'],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome120',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
  plugins: [trimDependencies],
});
const viewScript = view.outputFiles[0].text;
mkdirSync(at('build/dev'), { recursive: true });
mkdirSync(at('dist'), { recursive: true });
writeFileSync(at('dist/view.js'), viewScript);
// Tests that import the sources (not the bundle) read the view script from here.
writeFileSync(at('build/dev/view.js'), viewScript);

const common = {
  absWorkingDir: at('.'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // @azure/identity loads its own optional parts (msal, the keychain plugin) at run time: it stays a package, and so
  // does `open`, which @azure/identity already installs and which finds its own xdg-open helper beside itself.
  external: ['@azure/*', 'keytar', 'open'],
  // Bundled CommonJS dependencies (undici) call require() for Node built-ins.
  banner: { js: "import{createRequire as __cpcRequire}from'node:module';const require=__cpcRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  // Server code lands in dist/chunks/; the view script beside the entry points, in dist/.
  define: { __CLOUDPC_VIEW_PATH__: JSON.stringify('../view.js') },
};

// The full server (src/cli/run.ts) and the simulator share chunks; the command itself is one file of its own that
// loads the server by a path esbuild leaves alone, so answering a client's first messages reads one small file.
const shipped = await build({
  ...common,
  metafile: true,
  plugins: [trimDependencies],
  entryPoints: { server: 'src/cli/run.ts', simulator: 'src/simulate.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  minify: true,
});
const serverEntry = {
  name: 'server-entry',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli\/run\.js$/ }, () => ({ path: './server.js', external: true }));
  },
};
// The command is CommonJS: a process whose entry point is an ES module starts Node's ES-module loader before it runs
// a line, and every node: import through that loader costs more; measured 2026-12-06 with `node bench/bench.mjs
// --cold-only` (Node 20), time to the tools/list answer went from 1.27x to 1.04x an ES-module bare-Node floor. The full
// server stays ES modules, imported after the first answers. src/bin.ts finds its files through import.meta.dirname,
// which CommonJS spells __dirname.
const command = await build({
  ...common,
  format: 'cjs',
  banner: {},
  define: { ...common.define, 'import.meta.dirname': '__dirname' },
  metafile: true,
  plugins: [serverEntry],
  entryPoints: { 'cloudpc-mcp': 'src/bin.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  minify: true,
});

// dist/cloudpc-mcp.js was the command before it became CommonJS: MCP client configurations and npx's cache of a clone
// may still name it. It runs the command, through the slower ES-module start.
writeFileSync(
  at('dist/cloudpc-mcp.js'),
  "#!/usr/bin/env node\n// The command is dist/cloudpc-mcp.cjs; this path is kept for configurations that name it.\nimport './cloudpc-mcp.cjs';\n",
  { mode: 0o755 },
);

// The demo is an MCP client, and the SDK's client validates tool results with Ajv: a build of its own, untrimmed.
const demo = await build({ ...common, metafile: true, entryPoints: { demo: 'src/demo.ts' }, outdir: 'dist', minify: true });

await build({
  ...common,
  entryPoints: { 'simulator-lib': 'src/simulator/index.ts', 'gen-early-answers': 'scripts/gen-early-answers.mjs' },
  outdir: 'build/dev',
  // The recorder must see the very server that ships: same sources, same dependencies, unminified for readable errors.
  plugins: [trimDependencies],
});
execFileSync(process.execPath, [at('build/dev/gen-early-answers.js'), at('dist/early-answers')], { cwd: root, stdio: 'inherit' });

// What the shipped bundles import from node_modules at run time, as esbuild resolved it: package.json's runtime
// dependencies must be exactly these (test/e2e/package.test.ts), so a global install pulls nothing the bundle carries.
const externals = new Set();
for (const { metafile } of [shipped, command, demo]) {
  for (const out of Object.values(metafile.outputs)) {
    for (const imp of out.imports)
      if (imp.external && !imp.path.startsWith('node:') && !imp.path.startsWith('./') && !isBuiltin(imp.path)) externals.add(imp.path);
  }
}
writeFileSync(at('build/dev/bundle-externals.json'), JSON.stringify([...externals].sort(), null, 2) + '\n');
