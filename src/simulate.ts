#!/usr/bin/env node
// Runs the Graph simulator on its own, for manual exploration and for tests that want it in another process:
//   node dist/simulator.js [--port 8787] [--seed demo|empty|large] [--variants a,b] [--progress-ms 4000] [--page-size 10] [--token T]
// Prints one JSON line {"url","token","appToken"} on stdout once listening; everything else goes to stderr.

import {
  SEED_NAMES,
  startSimulator,
  unknownVariants,
  VARIANT_NAMES,
  type SeedName,
  type SimulatorOptions,
  type SimulatorVariant,
} from './simulator/index.js';

function parseArgs(argv: string[]): SimulatorOptions {
  const opts: SimulatorOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const need = (): string => {
      if (value === undefined) throw new Error(`${flag} needs a value`);
      i++;
      return value;
    };
    const num = (): number => {
      const n = Number(need());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer`);
      return n;
    };
    switch (flag) {
      case '--port':
        opts.port = num();
        break;
      case '--host':
        opts.host = need();
        break;
      case '--seed': {
        const seed = need();
        if (!(SEED_NAMES as readonly string[]).includes(seed)) throw new Error(`--seed is one of ${SEED_NAMES.join(', ')}`);
        opts.seed = seed as SeedName;
        break;
      }
      case '--variants': {
        const names = need()
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean);
        const bad = unknownVariants(names);
        if (bad.length) throw new Error(`unknown variant(s) ${bad.join(', ')}; known: ${VARIANT_NAMES.join(', ')}`);
        opts.variants = names as SimulatorVariant[];
        break;
      }
      case '--progress-ms':
        opts.progressMs = num();
        break;
      case '--page-size':
        opts.pageSize = num();
        break;
      case '--token':
        opts.token = need();
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  const sim = await startSimulator(parseArgs(process.argv.slice(2)));
  process.stdout.write(JSON.stringify({ url: sim.url, token: sim.token, appToken: sim.appToken }) + '\n');
  process.stderr.write(`[cloudpc-mcp] Graph simulator listening on ${sim.url} (control surface: ${sim.url}/_simulator)\n`);
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`[cloudpc-mcp] simulator: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
