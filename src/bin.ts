#!/usr/bin/env node
// The command. It answers a client's first messages (initialize, tools/list) from data recorded at build time, before
// the SDK and the tools are loaded, then loads the full server (src/cli/run.ts) and hands it the open stdio session.
// Clients that start servers on demand give them seconds to answer; this keeps start-up near a bare Node.js process.

// stdout is the MCP channel: anything a dependency prints with console.log would corrupt it, so console output goes to stderr.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';
import { setFlagsFromString } from 'node:v8';
import { reportStdioStartup } from './cli/startup.js';
import { loadConfig } from './config/config.js';
import { processLifecycle } from './core/lifecycle.js';
import { earlyAnswers, type EarlyAnswerData } from './transports/stdio/earlyAnswers.js';
import { LineTransport } from './transports/stdio/lineTransport.js';
import type { RunningStdio } from './transports/stdio/serve.js';

// A server that handles many small calls keeps V8's young generation at its smallest, and compiles undici's
// WebAssembly HTTP parser once with the baseline compiler instead of again with the optimizing one: both keep RSS
// down over thousands of calls (`npm run bench`). Both are read when the heap grows or the parser is compiled, so
// setting them here, before the server loads, works. (Flags that change GC threading cannot be set this late: V8 aborts.)
setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--liftoff-only');
setFlagsFromString('--optimize-for-size');

/** Closing the session, the Graph pool and the simulator never takes longer; the client may already be gone. */
const STDIO_EXIT_CAP_MS = 3_000;

function fatal(err: unknown): never {
  process.stderr.write(`[cloudpc-mcp] fatal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

function earlyAnswerData(): EarlyAnswerData | undefined {
  try {
    return JSON.parse(readFileSync(new URL('./early-answers.json', import.meta.url), 'utf8')) as EarlyAnswerData;
  } catch {
    // Missing only in a partial build: the full server then answers everything itself, just later.
    return undefined;
  }
}

const argv = process.argv.slice(2);
const env = process.env;
const life = processLifecycle();
const pre = loadConfig(argv, env);
const preConfig = pre.ok ? pre.config : pre.fallback;
const servesStdio = pre.command === 'serve' && preConfig.transport === 'stdio';
// Reported now, before any client message: in a terminal a mistake ends the command here (exit 2).
const stopWith = servesStdio ? reportStdioStartup(pre, isatty(0), env).exitCode : undefined;

if (stopWith !== undefined) {
  process.exitCode = stopWith;
} else if (!servesStdio) {
  import('./cli/run.js').then((m) => m.main({ argv, env, life })).catch(fatal);
} else {
  let loading: Promise<RunningStdio | undefined> | undefined;
  const load = (): Promise<RunningStdio | undefined> =>
    (loading ??= import('./cli/run.js').then((m) => m.main({ argv, env, life, transport })).catch(fatal));
  // Before the server is loading no call can be in flight; once it is, a request read before the end is worth the wait.
  life.setShutdown(async (why) => {
    if (loading) await (await loading)?.close(why);
  }, STDIO_EXIT_CAP_MS);
  const data = earlyAnswerData();
  const transport = new LineTransport({
    early: data ? earlyAnswers(data, preConfig.readOnly, () => void load()) : undefined,
    needFullServer: () => void load(),
    onEnd: (why) => life.stop(why),
  });
  if (!data) void load();
}
