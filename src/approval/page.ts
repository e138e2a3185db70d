// The approval page as a complete document: the shared renderer's output with a POST form, the shared style sheet and
// the shared sorting code, under a strict Content-Security-Policy (nothing but this page's own nonce'd style and script).
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Plan } from '../tools/retry/plans.js';
import { enableSorting, escapeHtml, renderView, VIEW_CSS, type ViewModel } from './viewHtml.js';
import { planView } from '../tools/retry/resultShape.js';

export function modelFromPlan(plan: Plan): ViewModel {
  const devices = plan.devices.map((d) => ({
    cloudPcId: d.cloudPcId,
    ...(d.name ? { name: d.name } : {}),
    ...(d.userPrincipalName ? { userPrincipalName: d.userPrincipalName } : {}),
    ...(d.state ? { state: d.state } : {}),
    ...((d.reason ?? d.detail) ? { reason: d.reason ?? d.detail } : {}),
    ...(d.retryClass ? { retryClass: d.retryClass } : {}),
    ...(d.fix ? { fix: d.fix } : {}),
  }));
  const view = planView(plan);
  return {
    bulkActionId: plan.bulkActionId,
    actionType: plan.actionType,
    displayName: plan.displayName,
    // The action's own counts, as they were when the plan was made; the plan's count is shown apart.
    ...(plan.actionCounts ? { summary: plan.actionCounts } : {}),
    devices,
    plan: {
      id: view.id,
      state: view.state,
      expiresAt: view.expiresAt,
      approvalNeeded: view.approvalNeeded,
      owner: view.owner,
      ...(view.actionDetails ? { actionDetails: view.actionDetails } : {}),
      ...(view.decision ? { decision: view.decision } : {}),
      ...(view.outcome ? { outcome: view.outcome } : {}),
    },
  };
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the form's POST, which is refused.
  'referrer-policy': 'same-origin',
};

function send(res: ServerResponse, status: number, title: string, main: string, extraHeaders: Record<string, string> = {}): void {
  const nonce = randomBytes(16).toString('base64');
  const body =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style nonce="${nonce}">${VIEW_CSS}</style></head><body><main>${main}</main>` +
    `<script nonce="${nonce}">(${enableSorting.toString()})(document.querySelector('main'));</script></body></html>`;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'content-length': String(Buffer.byteLength(body)),
    ...extraHeaders,
  });
  res.end(body);
}

export function sendPlanPage(
  res: ServerResponse,
  plan: Plan,
  opts: { csrf: string; formAction: string; notice?: string; now: number },
): void {
  const model = modelFromPlan(plan);
  if (opts.notice) model.notice = opts.notice;
  send(
    res,
    200,
    `Approve retry plan ${plan.id}`,
    renderView(model, { decide: 'form', csrf: opts.csrf, formAction: opts.formAction, now: opts.now }),
  );
}

/** A page that only says something: refusals, expiry, "signed in as someone else". */
export function sendMessagePage(
  res: ServerResponse,
  status: number,
  title: string,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  send(
    res,
    status,
    title,
    `<header><h1>${escapeHtml(title)}</h1></header><p class="notice" role="alert">${escapeHtml(message)}</p>`,
    extraHeaders,
  );
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location, ...headers });
  res.end();
}
