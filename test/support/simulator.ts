// The simulator a test file (or a describe block) runs against: started before its tests, closed after them.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js';

export interface UseSimulatorOptions {
  /** Back to the seeded state before each test, so no test sees another's retries, faults or clock. */
  resetEach?: boolean;
}

/**
 * Registers the hooks that start a simulator for the enclosing file or describe block and close it after its tests
 * (after the block's own afterAll hooks, which usually stop servers that talk to it). The handle it returns stands for
 * that simulator from beforeAll on: tests read `sim.url`, `sim.retries`, call `sim.reset()` as on the real one.
 * `options` may be a function, called in beforeAll, for values that only exist by then.
 */
export function useSimulator(
  options: SimulatorOptions | (() => SimulatorOptions) = {},
  { resetEach = false }: UseSimulatorOptions = {},
): Simulator {
  let current: Simulator | undefined;
  beforeAll(async () => {
    current = await startSimulator(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    await current?.close();
    current = undefined;
  });
  if (resetEach) beforeEach(() => running().reset());
  const running = (key?: PropertyKey): Simulator => {
    if (!current)
      throw new Error(
        `useSimulator(): no simulator is running here${key === undefined ? '' : ` (read ${String(key)})`}; use it inside tests and hooks.`,
      );
    return current;
  };
  // A stand-in rather than the object itself, because the simulator only exists once beforeAll has run.
  return new Proxy({} as Simulator, {
    get(_, key) {
      const sim = running(key);
      const value: unknown = Reflect.get(sim, key, sim);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(sim) : value;
    },
  });
}
