// The embedded Graph simulator: a real HTTP server on loopback that answers the Graph beta paths this project
// uses (bulk actions, retry, Cloud PCs, remote action history, action status reports, $batch), in each documented
// shape (variants.ts), with injectable faults and a control surface. Used by --simulate, the demo, the bench and the
// end-to-end tests.

import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { FaultController } from './faults.js';
import type { AuthConfig } from './graph.js';
import { createSimServer } from './server.js';
import { stateView, type SimulatorState } from './state.js';
import { Store } from './store.js';
import type { SeedName } from './seeds.js';
import type { RecordedRequest, RecordedRetry } from './types.js';
import { unknownVariants, type SimulatorVariant } from './variants.js';

export { DEMO_IDS, DEMO_TENANT_DOMAIN, FAILURES, lastNight } from './seed.js';
export { SAME_TYPE_AGAIN_ID } from './variants.js';
export { LARGE_IDS, LARGE_SHAPE } from './seedLarge.js';
export { SEED_NAMES, type SeedName } from './seeds.js';
export { SIMULATOR_VARIANTS, VARIANT_NAMES, unknownVariants, type SimulatorVariant } from './variants.js';
export { FaultController } from './faults.js';
export type { DeviceStateView, SimulatorState } from './state.js';
export type { ActiveFault, FaultMatch, FaultSpec, FiredFault } from './faults.js';
export type {
  BulkActionRecord,
  CloudPcRecord,
  DeviceActionState,
  DeviceRun,
  RecordedRequest,
  RecordedRetry,
  StatusDetail,
  Tenant,
} from './types.js';

export const SIMULATED_TOKEN = 'simulated-token';
export const SIMULATED_APP_TOKEN = 'simulated-app-token';

export interface SimulatorOptions {
  /** Default 0: a random free port. */
  port?: number;
  /** Default '127.0.0.1'. Anything that is not loopback is refused. */
  host?: string;
  /** The only delegated bearer token accepted; default 'simulated-token'. */
  token?: string;
  /**
   * An app-only token (default 'simulated-app-token'; null disables it). It may read, but retry answers 403
   * because Graph does not support application permissions for retry.
   */
  appToken?: string | null;
  /** Default 'demo' (the Contoso tenant); 'empty' has nothing; 'large' is the bench's 10,000-PC tenant. */
  seed?: SeedName;
  /** Variants switched on from the start (and again after reset()); default none. See variants.ts. */
  variants?: readonly SimulatorVariant[];
  /** How long retried devices stay in progress before they resolve; default 4000 ms of simulator clock. */
  progressMs?: number;
  /** Server-side page size for lists; $top can only make pages smaller. Default 10. */
  pageSize?: number;
  /** Clock in epoch ms; default Date.now. advance() adds to it. */
  now?: () => number;
}

export interface Simulator {
  /** Graph root, e.g. 'http://127.0.0.1:PORT'; clients append /beta/... */
  url: string;
  token: string;
  appToken: string | null;
  /** Every Graph request received (control-surface calls excluded). Never holds an Authorization value. */
  requests: RecordedRequest[];
  /** Every accepted retry, oldest first. */
  retries: RecordedRetry[];
  faults: FaultController;
  state: SimulatorState;
  /** The variants switched on now; change them with setVariants (or PUT /_simulator/variants). */
  variants(): SimulatorVariant[];
  /** Switches exactly these variants on (the others off) until the next reset(). */
  setVariants(on: readonly SimulatorVariant[]): void;
  /** Current simulator time in epoch ms. */
  now(): number;
  /** Moves the simulator clock forward (on top of the injected clock). */
  advance(ms: number): void;
  /** TCP connections accepted since start, and open now: shows whether a client keeps its connections alive. */
  connections(): { opened: number; open: number };
  /** Re-seeds the tenant and clears requests, retries, faults and fault history; variants go back to the start set. */
  reset(): void;
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/i;

function checkOptions(opts: SimulatorOptions): { host: string; auth: AuthConfig; pageSize: number } {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.test(host)) throw new Error(`The Graph simulator only listens on loopback; refusing host '${host}'.`);
  const auth: AuthConfig = {
    token: opts.token ?? SIMULATED_TOKEN,
    appToken: opts.appToken === undefined ? SIMULATED_APP_TOKEN : opts.appToken,
  };
  if (auth.token === '' || auth.token === auth.appToken)
    throw new Error('The simulator token must be non-empty and differ from the app token.');
  const pageSize = opts.pageSize ?? 10;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error('pageSize must be a positive integer.');
  const bad = unknownVariants(opts.variants ?? []);
  if (bad.length) throw new Error(`Unknown simulator variant(s): ${bad.join(', ')}.`);
  return { host, auth, pageSize };
}

/** Listens on host:port and returns the URL clients use (an IPv6 address in brackets). */
async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return `http://${addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
}

/** Counts and tracks the sockets a server accepts, so close() can end idle keep-alive connections at once. */
function trackSockets(server: Server): { sockets: Set<Socket>; opened: () => number } {
  const sockets = new Set<Socket>();
  let opened = 0;
  server.on('connection', (socket) => {
    opened++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return { sockets, opened: () => opened };
}

/** A clock that starts from the injected one and moves forward on advance(). */
function simulatorClock(base: () => number): { now: () => number; advance: (ms: number) => void } {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance: (ms) => {
      if (!(ms >= 0)) throw new Error('advance(ms) needs a non-negative number.');
      offset += ms;
    },
  };
}

/** Simulated latency on real timers, which close() cancels so a pending delay cannot keep the process alive. */
function cancellableDelays(): { sleep: (ms: number) => Promise<void>; cancelAll: () => void } {
  const timers = new Set<NodeJS.Timeout>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.add(t);
      }),
    cancelAll: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

/** Stops at once: pending delays, idle keep-alive sockets and open requests all end, so tests do not wait. */
function shutDown(server: Server, sockets: Set<Socket>, cancelDelays: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    cancelDelays();
    server.close(() => resolve());
    server.closeAllConnections();
    for (const s of sockets) s.destroy();
  });
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const { host, auth, pageSize } = checkOptions(opts);
  const { now, advance } = simulatorClock(opts.now ?? Date.now);
  const store = new Store(opts.seed ?? 'demo', opts.progressMs ?? 4000, now(), opts.variants ?? []);
  const faults = new FaultController();
  const requests: RecordedRequest[] = [];
  const delays = cancellableDelays();
  let closing: Promise<void> | null = null;
  let url = '';
  const reset = () => {
    store.reset(now());
    requests.length = 0;
    faults.clear();
    faults.resetHistory();
  };
  const server = createSimServer({
    store,
    faults,
    requests,
    auth,
    pageSize,
    now,
    sleep: delays.sleep,
    url: () => url,
    closing: () => closing !== null,
    control: { reset, advance, now },
  });
  const { sockets, opened } = trackSockets(server);
  url = await listen(server, opts.port ?? 0, host);
  const close = (): Promise<void> => (closing ??= shutDown(server, sockets, delays.cancelAll));
  return {
    url,
    token: auth.token,
    appToken: auth.appToken,
    requests,
    retries: store.retries,
    faults,
    state: stateView(store, now),
    variants: () => [...store.variants],
    setVariants: (on) => store.setVariants(on),
    now,
    advance,
    reset,
    connections: () => ({ opened: opened(), open: sockets.size }),
    close,
  };
}
