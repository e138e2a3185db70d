// npm run build: type-check and compile (tsc → dist/, used by tests, the demo and the simulator), record the early
// answers, then bundle the command (esbuild → dist/cloudpc-mcp.js + dist/chunks/): one small entry file that loads
// the full server as a separate chunk on demand.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
rmSync(new URL('dist/chunks', root), { recursive: true, force: true });
execFileSync(process.execPath, [new URL('node_modules/typescript/bin/tsc', root).pathname, '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [new URL('scripts/gen-prelude-data.mjs', root).pathname], { cwd: root, stdio: 'inherit' });

await build({
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
