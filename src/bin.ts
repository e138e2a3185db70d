#!/usr/bin/env node
// The command. It answers a client's first messages (initialize, tools/list) from data recorded at build time, before
// the SDK and the tools are loaded, then loads the full server (src/index.ts) and hands it the open stdio session.
// Clients that start servers on demand give them seconds to answer; this keeps start-up near a bare Node.js process.

// stdout is the MCP channel: anything a dependency prints with console.log would corrupt it, so console output goes to stderr.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { loadConfig } from './config.js';
import { earlyAnswers, type PreludeData } from './stdio/earlyAnswers.js';
import { LineTransport } from './stdio/lineTransport.js';
import type { Running } from './index.js';

// A server that handles many small calls keeps V8's young generation at its smallest, and compiles undici's
// WebAssembly HTTP parser once with the baseline compiler instead of again with the optimizing one: measured by
// `npm run bench`, RSS after thousands of calls is ~68 MiB instead of ~110 MiB. Both are read when the heap grows or
// the parser is compiled, so setting them here, before the server loads, works. Not --optimize-for-size: it saved
// 3 MiB but made every call's JavaScript 40% slower. (Flags that change GC threading cannot be set this late: V8 aborts.)
setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--liftoff-only');

function fatal(err: unknown): never {
  process.stderr.write(`[cloudpc-mcp] fatal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

function preludeData(): PreludeData | undefined {
  try {
    return JSON.parse(readFileSync(new URL('./prelude-data.json', import.meta.url), 'utf8')) as PreludeData;
  } catch {
    // Missing only in a partial build: the full server then answers everything itself, just later.
    return undefined;
  }
}

const argv = process.argv.slice(2);
const env = process.env;
const pre = loadConfig(argv, env);
const preConfig = pre.ok ? pre.config : pre.fallback;
const servesStdio = pre.command === 'serve' && preConfig.transport === 'stdio';

if (!servesStdio) {
  import('./index.js').then((m) => m.main({ argv, env })).catch(fatal);
} else {
  let loading: Promise<Running | undefined> | undefined;
  const load = (): Promise<Running | undefined> =>
    (loading ??= import('./index.js')
      .then((m) => m.main({ argv, env, transport }))
      .then((r) => (loaded = r))
      .catch(fatal));
  let loaded: Running | undefined;
  const stop = (why: string, waitForLoad: boolean) => {
    if (loaded) return void loaded.shutdown(why);
    // Before the server is up no call can be in flight; only a pending request read before EOF is worth the wait.
    if (!loading || !waitForLoad) process.exit(0);
    void loading.then((r) => (r ? r.shutdown(why) : process.exit(0)));
  };
  const data = preludeData();
  const transport = new LineTransport({
    early: data ? earlyAnswers(data, preConfig.readOnly, () => void load()) : undefined,
    needFullServer: () => void load(),
    onEnd: () => stop('stdin closed', true),
  });
  process.on('SIGTERM', () => stop('SIGTERM', false));
  process.on('SIGINT', () => stop('SIGINT', false));
  if (!data) void load();
}
