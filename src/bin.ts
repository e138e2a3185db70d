#!/usr/bin/env node
// The command. It answers a client's first messages (initialize, tools/list) from data recorded at build time, before
// the SDK and the tools are loaded, then loads the full server (src/cli/run.ts) and hands it the open stdio session.
// Clients that start servers on demand give them seconds to answer; this keeps start-up near a bare Node.js process.
// The build makes this file CommonJS (dist/cloudpc-mcp.cjs): Node starts its ES-module loader only when the full
// server is imported, after the first answers, which saves ~6 ms of start-up (docs/performance.md).

// stdout is the MCP channel: anything a dependency prints with console.log would corrupt it, so console output goes to stderr.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { reportStdioStartup } from './cli/startup.js';
import { loadConfig, readStdioServe, type ConfigResult } from './config/config.js';
import { processLifecycle } from './core/lifecycle.js';
import { earlyAnswers, type EarlyAnswerData } from './transports/stdio/earlyAnswers.js';
import { LineTransport } from './transports/stdio/lineTransport.js';
import type { RunningStdio } from './transports/stdio/serve.js';

/**
 * A server that handles many small calls keeps V8's young generation at its smallest, grows its old generation as a
 * memory-bound process would (--optimize-for-size), and compiles undici's WebAssembly HTTP parser once with the
 * baseline compiler instead of again with the optimizing one: together they keep RSS down over thousands of calls
 * (`npm run bench`). All are read when the heap grows or code is compiled, so they are set just before the server
 * loads, after the first answers have gone out. (Flags that change GC threading cannot be set this late: V8 aborts.)
 */
async function tuneForServing(): Promise<void> {
  // Imported here: node:v8 is not loaded at start-up, and loading it would delay the first answers.
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--optimize-for-size');
}

function loadServer(
  options: Omit<Parameters<typeof import('./cli/run.js').main>[0], 'result' | 'env' | 'life'>,
): Promise<RunningStdio | undefined> {
  return tuneForServing()
    .then(() => import('./cli/run.js'))
    .then((m) => m.main({ result: configured(), env, life, ...options }))
    .catch(fatal);
}

/** Closing the session, the Graph pool and the simulator never takes longer; the client may already be gone. */
const STDIO_EXIT_CAP_MS = 3_000;

function fatal(err: unknown): never {
  process.stderr.write(`[cloudpc-mcp] fatal: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

function earlyAnswerData(): EarlyAnswerData | undefined {
  try {
    const read = (name: string) => readFileSync(path.join(import.meta.dirname, 'early-answers', `${name}.json`), 'utf8');
    const head = JSON.parse(read('initialize')) as Pick<EarlyAnswerData, 'protocolVersions' | 'initialize'>;
    const listings = new Map<string, string>();
    return {
      ...head,
      listing(name) {
        try {
          if (!listings.has(name)) listings.set(name, read(name));
          return listings.get(name);
        } catch {
          return undefined;
        }
      },
    };
  } catch {
    // Missing only in a partial build: the full server then answers everything itself, just later.
    return undefined;
  }
}

const argv = process.argv.slice(2);
const env = process.env;
const life = processLifecycle();
let pre: ConfigResult | undefined;
const configured = (): ConfigResult => (pre ??= loadConfig(argv, env));
let reported: ReturnType<typeof reportStdioStartup> | undefined;
const report = (): ReturnType<typeof reportStdioStartup> =>
  (reported ??= reportStdioStartup(configured(), process.stdin.isTTY === true, env));

/** Serves the stdio session: the early answers from the recorded data, then the full server it loads. */
function serveStdio(readOnly: boolean): void {
  let loading: Promise<RunningStdio | undefined> | undefined;
  const load = (): Promise<RunningStdio | undefined> => (loading ??= (report(), loadServer({ transport })));
  // Before the server is loading no call can be in flight; once it is, a request read before the end is worth the wait.
  life.setShutdown(async (why) => {
    if (loading) await (await loading)?.close(why);
  }, STDIO_EXIT_CAP_MS);
  const data = earlyAnswerData();
  const transport = new LineTransport({
    early: data ? earlyAnswers(data, readOnly, () => void load()) : undefined,
    needFullServer: () => void load(),
    onEnd: (why) => {
      report();
      life.stop(why);
    },
  });
  if (!data) void load();
}

// Started by an MCP client with nothing but on/off flags (the usual case), the server answers the client's first
// messages before it reads the rest of its configuration: that takes ~2 ms, which the client would otherwise wait for,
// at each start. What is wrong with the configuration is logged when the full server loads (right after the client's
// tools/list), when the client leaves, or after a second, whichever comes first; every tool call answers with it.
// The answers depend only on what readStdioServe reads, which it reads as loadConfig does.
const quick = readStdioServe(argv, env);
if (quick && process.stdin.isTTY !== true) {
  serveStdio(quick.readOnly);
  setTimeout(report, 1_000).unref();
} else {
  const result = configured();
  const config = result.ok ? result.config : result.fallback;
  const servesStdio = result.command === 'serve' && config.transport === 'stdio';
  // Reported now, before any client message: in a terminal a mistake ends the command here (exit 2).
  const stopWith = servesStdio ? report().exitCode : undefined;
  if (stopWith !== undefined) process.exitCode = stopWith;
  else if (!servesStdio) void loadServer({});
  else serveStdio(config.readOnly);
}
