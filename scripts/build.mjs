// npm run build: type-check and compile (tsc → dist/, used by tests, the demo and the simulator), record the early
// answers, then bundle the command (esbuild → dist/cloudpc-mcp.js + dist/chunks/): one small entry file that loads
// the full server as a separate chunk on demand.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
rmSync(new URL('dist/chunks', root), { recursive: true, force: true });
execFileSync(process.execPath, [new URL('node_modules/typescript/bin/tsc', root).pathname, '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [new URL('scripts/gen-prelude-data.mjs', root).pathname], { cwd: root, stdio: 'inherit' });

// Two parts of dependencies the command never runs, kept out of the bundle (measured by `npm run bench`: less code to
// hold in memory). zod's namespace object keeps every error-message locale alive although only English is used; the
// SDK's server imports the Ajv validator although createServer always passes its own (src/formValidator.ts).
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
    b.onLoad({ filter: /^zod-locales$/, namespace: 'trimmed' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
    b.onLoad({ filter: /^ajv-provider$/, namespace: 'trimmed' }, () => ({
      contents:
        "export class AjvJsonSchemaValidator { constructor() { throw new Error('cloudpc-mcp bundles no Ajv: pass jsonSchemaValidator (src/formValidator.ts) to the SDK Server.'); } }",
      loader: 'js',
    }));
  },
};

await build({
  plugins: [trimDependencies],
  absWorkingDir: root.pathname,
  entryPoints: { 'cloudpc-mcp': 'src/bin.ts' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  // @azure/identity loads its own optional parts (msal, the keychain plugin) at run time: it stays a package.
  external: ['@azure/*', 'keytar'],
  // Bundled CommonJS dependencies (undici) call require() for Node built-ins.
  banner: { js: "import{createRequire as __cpcRequire}from'node:module';const require=__cpcRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
