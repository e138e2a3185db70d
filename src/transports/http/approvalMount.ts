// Remote mode's share of the approval work: the plans (in the store every replica shares; they outlive the request),
// the approval page on the server's own address, and per caller the deps that bind plans to them.
import type { Caller } from '../../auth/credentials/obo.js';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../core/log.js';
import { entraSignIn } from '../../approval/entraSignIn.js';
import { mountedApprovalPage } from '../../approval/pages.js';
import type { Routes } from '../../approval/routes.js';
import type { ApprovalPage } from '../../tools/context.js';
import { PlanStore, type PlanOwner } from '../../tools/retry/plans.js';

export interface ApprovalMount {
  plans: PlanStore;
  page?: ApprovalPage;
  /** Undefined when the page is off. Answers true for the requests it handled. */
  routes?: Routes;
  depsFor(caller: Caller | undefined): { plans: PlanStore; owner: PlanOwner; approvalPage?: ApprovalPage };
}

export function mountApproval(config: Config, logger: Logger, publicUrl: string, plans: PlanStore): ApprovalMount {
  const mounted =
    config.approvalPage === 'off'
      ? undefined
      : mountedApprovalPage({
          plans,
          logger,
          mode: config.approvalPage,
          publicUrl,
          loopback: config.http.loopback,
          trustedProxyHops: config.http.limits.trustedProxyHops,
          ...(config.http.entra ? { signIn: entraSignIn(config.http.entra) } : {}),
        });
  return {
    plans,
    ...(mounted ? { page: mounted.page, routes: mounted.routes } : {}),
    depsFor(caller) {
      const owner: PlanOwner = caller
        ? { kind: 'entra', tid: caller.tid, oid: caller.oid, ...(caller.upn ? { upn: caller.upn } : {}) }
        : { kind: 'local' };
      return { plans, owner, ...(mounted ? { approvalPage: mounted.page } : {}) };
    },
  };
}
