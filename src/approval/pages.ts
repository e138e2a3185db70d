// The approval page as the retry tool sees it (ApprovalPage): where its link points and how it reaches the person.
// stdio: a page server of its own on 127.0.0.1, started on first use; remote mode: routes on the public server.
import http from 'node:http';
import path from 'node:path';
import { configDir } from '../auth/persistence/privateFiles.js';
import type { AddressInfo } from 'node:net';
import type { ApprovalPageMode } from '../config/config.js';
import { LOOPBACK_HOSTNAMES, loopbackOrigins } from '../config/http.js';
import type { Logger } from '../core/log.js';
import type { ApprovalPage } from '../tools/context.js';
import type { Plan, PlanStore } from '../tools/retry/plans.js';
import { browserOpener } from './browserOpener.js';
import { APPROVE_PATH, createRoutes, tokenLink, type Routes, type SignIn } from './routes.js';

function opener(mode: ApprovalPageMode, logger: Logger): ApprovalPage['open'] {
  if (mode !== 'browser') return async () => ({ opened: false, why: 'the operator chose CLOUDPC_MCP_APPROVAL_PAGE=link' });
  let dir: string;
  try {
    dir = path.join(configDir(process.env), 'approval');
  } catch (err) {
    const why = `the server has no folder of its own for the private redirect file (${(err as Error).message})`;
    return async () => ({ opened: false, why });
  }
  return browserOpener({ dir, logger });
}

async function tokenOf(plans: PlanStore, plan: Plan): Promise<string> {
  // A link already opened (its token spent) is issued anew when the plan is asked about again, e.g. after a closed tab.
  const token = await plans.store.pageToken(plan.id);
  // A plan decided meanwhile has no link to open: the page then says the plan was decided.
  return token ?? 'decided';
}

export interface OwnedApprovalPage extends ApprovalPage {
  close(): Promise<void>;
}

/** stdio: the page on its own loopback port, with one-time links. */
export function loopbackApprovalPage(opts: { plans: PlanStore; logger: Logger; mode: ApprovalPageMode }): OwnedApprovalPage {
  let server: http.Server | undefined;
  let origin: Promise<string> | undefined;
  let port = 0;
  const routes = createRoutes({
    plans: opts.plans,
    logger: opts.logger,
    origins: () => loopbackOrigins(port),
    hosts: () => new Set(LOOPBACK_HOSTNAMES.map((h) => `${h}:${port}`)),
    secure: false,
  });
  const start = (): Promise<string> =>
    new Promise((resolve, reject) => {
      server = http.createServer((req, res) => {
        routes(req, res).then(
          (handled) => handled || res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.'),
          () => res.writeHead(500).end(),
        );
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        server!.unref();
        opts.logger.info(`approval page listening on http://127.0.0.1:${port}${APPROVE_PATH}`);
        resolve(`http://127.0.0.1:${port}`);
      });
    });
  return {
    linkIsPublic: false,
    async linkFor(plan) {
      return tokenLink(await (origin ??= start()), plan.id, await tokenOf(opts.plans, plan));
    },
    open: opener(opts.mode, opts.logger),
    async close() {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

/** Remote mode: the page on the server's own address; with sign-in when the server has Entra, else one-time links. */
export function mountedApprovalPage(opts: {
  plans: PlanStore;
  logger: Logger;
  mode: ApprovalPageMode;
  publicUrl: string;
  loopback: boolean;
  signIn?: SignIn;
  trustedProxyHops?: number;
}): { page: ApprovalPage; routes: Routes } {
  const origin = new URL(opts.publicUrl).origin;
  const port = new URL(opts.publicUrl).port;
  const routes = createRoutes({
    plans: opts.plans,
    logger: opts.logger,
    origins: () => (opts.loopback ? [origin, ...loopbackOrigins(port)] : [origin]),
    ...(opts.loopback ? { hosts: () => new Set([new URL(origin).host, ...LOOPBACK_HOSTNAMES.map((h) => `${h}:${port}`)]) } : {}),
    ...(opts.signIn ? { signIn: opts.signIn } : {}),
    secure: origin.startsWith('https:'),
    trustedProxyHops: opts.trustedProxyHops ?? 0,
  });
  const page: ApprovalPage = opts.signIn
    ? {
        linkIsPublic: true,
        linkFor: async (plan) => `${origin}${APPROVE_PATH}/${plan.id}`,
        open: async () => ({ opened: false, why: "the page asks for the plan owner's sign-in, so its link goes to them" }),
      }
    : {
        linkIsPublic: false,
        linkFor: async (plan) => tokenLink(origin, plan.id, await tokenOf(opts.plans, plan)),
        open: opener(opts.mode, opts.logger),
      };
  return { page, routes };
}
