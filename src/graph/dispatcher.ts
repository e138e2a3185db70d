// The Graph connection pool: one per process (remote mode shares it across callers). Each origin goes straight there or
// through the proxy the environment names for it (proxy.ts), with one keep-alive pool per proxy. Built from undici's
// public Agent, ProxyAgent and Dispatcher only.
import { Agent, Dispatcher, ProxyAgent } from 'undici';
import { proxyRoute, type ProxyChoice, type ProxyEnv, type ProxyRoute } from './proxy.js';

/**
 * Idle sockets are dropped well before typical front-door idle limits, so a reused socket is rarely reset under a
 * POST (which would leave the retry in doubt).
 */
export const GRAPH_AGENT_OPTIONS = { keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connect: { timeout: 10_000 } } as const;

/** Connections per origin: one client (stdio) needs few; remote mode serves many callers at once. */
export const GRAPH_CONNECTIONS = { stdio: 16, remote: 64 } as const;

/** 'environment': HTTPS_PROXY / HTTP_PROXY / NO_PROXY decide per origin. 'never': always straight to the origin. */
export type ProxyUse = 'environment' | 'never';

export interface GraphPoolOptions {
  /** Connections per origin (GRAPH_CONNECTIONS). */
  connections: number;
  /** Default 'environment'. */
  proxy?: ProxyUse;
  /** Where the proxy variables are read, once per origin; default process.env. */
  env?: ProxyEnv;
}

/** Routes each request by its origin to the direct pool or to the pool of its proxy. */
export class GraphPool extends Dispatcher {
  readonly #opts: Required<GraphPoolOptions>;
  readonly #routes = new Map<string, ProxyRoute>();
  readonly #viaProxy = new Map<string, ProxyAgent>();
  #direct: Agent | undefined;

  constructor(opts: GraphPoolOptions) {
    super();
    this.#opts = { proxy: 'environment', env: process.env, ...opts };
  }

  /** How requests to this origin travel. The environment is read on the first request to it and then kept. */
  route(origin: string): ProxyRoute {
    let route = this.#routes.get(origin);
    if (!route) {
      route = this.#opts.proxy === 'never' ? { kind: 'direct', why: 'this pool never uses a proxy' } : proxyRoute(origin, this.#opts.env);
      this.#routes.set(origin, route);
    }
    return route;
  }

  /** The proxy requests to this origin go through, if any. */
  proxyFor(origin: string): ProxyChoice | undefined {
    const route = this.route(origin);
    return route.kind === 'proxy' ? route : undefined;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.#poolFor(String(options.origin)).dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all(this.#pools().map((p) => p.close())).then(() => undefined);
    if (!callback) return done;
    void done.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const err = typeof a === 'function' ? null : (a ?? null);
    const callback = typeof a === 'function' ? a : b;
    const done = Promise.all(this.#pools().map((p) => p.destroy(err))).then(() => undefined);
    if (!callback) return done;
    void done.then(callback, callback);
  }

  #pools(): Dispatcher[] {
    return [...(this.#direct ? [this.#direct] : []), ...this.#viaProxy.values()];
  }

  #poolFor(origin: string): Dispatcher {
    const route = this.route(origin);
    // Config reports a bad proxy value before any request; this is the last word for a caller that skipped it.
    if (route.kind === 'invalid') throw new Error(`${route.variable} ${route.problem}.`);
    if (route.kind === 'direct') return (this.#direct ??= new Agent({ ...GRAPH_AGENT_OPTIONS, connections: this.#opts.connections }));
    let pool = this.#viaProxy.get(route.url.href);
    if (!pool) {
      // ProxyAgent takes Basic credentials from the URL itself. It replaces `connect` with its tunnel; reaching the proxy
      // and the TLS handshake through the tunnel keep undici's default connect timeout, the same 10 s.
      pool = new ProxyAgent({ ...GRAPH_AGENT_OPTIONS, connections: this.#opts.connections, uri: route.url.href });
      this.#viaProxy.set(route.url.href, pool);
    }
    return pool;
  }
}

export function createGraphAgent(opts: GraphPoolOptions): GraphPool {
  return new GraphPool(opts);
}

/** The proxy a dispatcher sends requests for this origin through; undefined when direct or not a GraphPool. */
export function proxyOf(dispatcher: Dispatcher, origin: string): ProxyChoice | undefined {
  return dispatcher instanceof GraphPool ? dispatcher.proxyFor(origin) : undefined;
}
