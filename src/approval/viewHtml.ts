// One renderer for the approval page (rendered by the server) and the MCP Apps view (rendered in the host's iframe):
// the action's own counts, the plan (its own count apart from the action's), the device table (sortable; cards in a
// narrow window) and the decision buttons. Pure string building with every value escaped and its invisible format
// characters written out, no DOM, so the same module runs in Node and, bundled, in the view.
import { retryEffect } from '../core/actionTypes.js';
import { visible } from '../core/visible.js';

export interface ViewDevice {
  cloudPcId: string;
  name?: string;
  userPrincipalName?: string;
  state?: string;
  reason?: string;
  retryClass?: string;
  /** What to do first, for a failure a retry cannot fix yet. */
  fix?: string;
}

export interface ViewSummary {
  succeeded: number;
  failed: number;
  inProgress: number;
  pending: number;
  notSupported: number;
}

export interface ViewPlan {
  id: string;
  state: string;
  expiresAt: string;
  approvalNeeded: boolean;
  owner: string;
  /** What the action does, from its own properties (restore point, target plan, …). */
  actionDetails?: string;
  decision?: { via: string; by: string; at: string };
  /** What became of it: sent (when, request id, the ids sent) or changed. */
  outcome?: { kind: string; at: string; requestId?: string; cloudPcIds?: string[]; newPlanId?: string };
}

export interface ViewModel {
  bulkActionId: string;
  actionType: string;
  displayName: string;
  /** The action's own status (get_cloudpc_bulk_action), when known. */
  status?: string;
  /** The action's own device counts, when known (never the plan's: those are the plan's devices). */
  summary?: Partial<ViewSummary>;
  devices: ViewDevice[];
  plan?: ViewPlan;
  /** A line for the person about what just happened (e.g. "Sent at …"); never instructions for the assistant. */
  notice?: string;
  /** Remote mode: the sign-in approval page the view's Approve opens. */
  approvalUrl?: string;
  simulated?: boolean;
}

export interface RenderOptions {
  /**
   * form: a POST form (the page); buttons: data-decision buttons that decide in the view; page: an Approve button that
   * opens the approval page (the view where its approve tool is not offered); elsewhere: no buttons, and a line saying
   * where the person decides (the page whose link went to their client's log); none: no buttons.
   */
  decide: 'form' | 'buttons' | 'page' | 'elsewhere' | 'none';
  /** The page's anti-forgery token, posted with the form. */
  csrf?: string;
  formAction?: string;
  /** Epoch ms, to say whether the plan has expired. */
  now: number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string | number | boolean | null | undefined): string {
  return visible(String(value ?? '')).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function cloudPcs(n: number): string {
  return `${n} Cloud PC${n === 1 ? '' : 's'}`;
}

const STATES: [keyof ViewSummary, string][] = [
  ['succeeded', 'succeeded'],
  ['failed', 'failed'],
  ['inProgress', 'in progress'],
  ['pending', 'pending'],
  ['notSupported', 'not supported'],
];

function summaryBar(s: Partial<ViewSummary> | undefined, planned: boolean): string {
  if (!s) return '';
  const items = STATES.map(([k, label]) => `<li class="chip chip-${k}"><strong>${s[k] ?? '?'}</strong> ${label}</li>`).join('');
  const title = planned ? 'The whole action (when the plan was made)' : 'The whole action';
  return `<section class="counts"><h2>${title}</h2><ul class="summary" aria-label="Device outcomes of the whole action">${items}</ul></section>`;
}

function total(s: Partial<ViewSummary> | undefined): number | undefined {
  if (!s) return undefined;
  const values = STATES.map(([k]) => s[k]);
  return values.every((v) => typeof v === 'number') ? values.reduce((a, b) => a + b, 0) : undefined;
}

const COLUMNS: [string, string][] = [
  ['name', 'Cloud PC'],
  ['user', 'User'],
  ['state', 'State'],
  ['reason', 'Last failure reason'],
  ['class', 'Retry class'],
];

const LABELS = Object.fromEntries(COLUMNS);

/** How a plan was decided, in words (the audit line keeps the code). */
const VIA_WORDS: Record<string, string> = {
  elicitation: 'in the client',
  url: 'on the approval page the client opened',
  page: 'on the approval page',
  appTool: "with the plan view's approve tool",
  model: 'by the model (policy model)',
  notNeeded: 'no approval needed',
};

/** Retry classes in words, for people. */
const CLASS_WORDS: Record<string, string> = { retryable: 'retryable', fixFirst: 'fix first', unknown: 'unknown' };

function row(d: ViewDevice): string {
  const cells: [string, string][] = [
    ['name', d.name ?? d.cloudPcId],
    ['user', d.userPrincipalName ?? ''],
    ['state', d.state ?? ''],
    ['reason', d.reason ?? ''],
    ['class', d.retryClass ? (CLASS_WORDS[d.retryClass] ?? d.retryClass) : ''],
  ];
  const data = cells.map(([k, v]) => ` data-${k}="${escapeHtml(v.toLowerCase())}"`).join('');
  const below: Record<string, string | undefined> = { name: d.cloudPcId, class: d.fix };
  const tds = cells.map(([k, v]) => {
    const extra = below[k] ? `<div class="${k === 'name' ? 'id' : 'fix'}">${escapeHtml(below[k])}</div>` : '';
    // data-label: in a narrow window each row is a card, and each cell says which column it is.
    return `<td class="${k === 'state' ? `state state-${escapeHtml(v)}` : k}" data-label="${escapeHtml(LABELS[k])}">${escapeHtml(v)}${extra}</td>`;
  });
  return `<tr data-id="${escapeHtml(d.cloudPcId)}"${data}>${tds.join('')}</tr>`;
}

function table(devices: readonly ViewDevice[]): string {
  if (!devices.length) return '<p class="empty">No devices to show.</p>';
  const head = COLUMNS.map(
    ([k, label]) =>
      `<th scope="col"><button type="button" class="sort" data-sort="${k}" aria-label="Sort by ${label}">${label}</button></th>`,
  ).join('');
  return `<table class="devices"><thead><tr>${head}</tr></thead><tbody>${devices.map(row).join('')}</tbody></table>`;
}

function when(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
}

function outcomeFacts(plan: ViewPlan): string[] {
  const o = plan.outcome;
  if (!o) return [];
  if (o.kind === 'sent') {
    return [
      `<dt>Sent</dt><dd>${escapeHtml(when(o.at))}${o.requestId ? `, request id <code>${escapeHtml(o.requestId)}</code>` : ''}</dd>`,
      ...(o.cloudPcIds
        ? [`<dt>Ids sent</dt><dd class="ids">${o.cloudPcIds.map((id) => `<code>${escapeHtml(id)}</code>`).join(' ')}</dd>`]
        : []),
    ];
  }
  return [
    `<dt>Changed</dt><dd>The failed Cloud PCs changed before it was sent; nothing was sent.${o.newPlanId ? ` New plan: <code>${escapeHtml(o.newPlanId)}</code>` : ''}</dd>`,
  ];
}

/** Pure: the plan's state as the person should read it. */
export function planStateOf(plan: ViewPlan, now: number): string {
  if (plan.outcome?.kind === 'sent') return 'sent';
  if (plan.outcome?.kind === 'changed') return 'changed';
  if ((plan.state === 'pending' || plan.state === 'approved') && now >= Date.parse(plan.expiresAt)) return 'expired';
  return plan.state;
}

function planBlock(model: ViewModel, opts: RenderOptions): string {
  const plan = model.plan!;
  const state = planStateOf(plan, opts.now);
  const of = total(model.summary);
  const facts = [
    `<dt>Plan</dt><dd><code>${escapeHtml(plan.id)}</code></dd>`,
    `<dt>This plan</dt><dd class="plan-count">${of !== undefined ? `${model.devices.length} of ${cloudPcs(of)}` : cloudPcs(model.devices.length)}</dd>`,
    `<dt>For</dt><dd>${escapeHtml(plan.owner)}</dd>`,
    ...(plan.actionDetails ? [`<dt>Action</dt><dd>${escapeHtml(plan.actionDetails)}</dd>`] : []),
    `<dt>Expires</dt><dd><time datetime="${escapeHtml(plan.expiresAt)}">${escapeHtml(when(plan.expiresAt))}</time></dd>`,
    `<dt>State</dt><dd class="plan-state plan-${escapeHtml(state)}">${escapeHtml(state)}</dd>`,
  ];
  if (plan.decision) {
    const via = VIA_WORDS[plan.decision.via] ?? plan.decision.via;
    facts.push(`<dt>Decided</dt><dd>${escapeHtml(via)}, by ${escapeHtml(plan.decision.by)}</dd>`);
  }
  facts.push(...outcomeFacts(plan));
  const warn =
    plan.approvalNeeded && state === 'pending'
      ? `<p class="warning">Retrying this ${escapeHtml(model.actionType)} ${escapeHtml(retryEffect(model.actionType))}. Exactly the Cloud PCs below are retried.</p>`
      : '';
  return `<section class="plan"><h2>Retry plan</h2><dl>${facts.join('')}</dl>${warn}${state === 'pending' ? decision(opts) : ''}</section>`;
}

function decision(opts: RenderOptions): string {
  const buttons = (attr: string) =>
    `<button type="submit" class="approve" ${attr}="approve">Approve</button> <button type="submit" class="decline" ${attr}="decline">Decline</button>`;
  if (opts.decide === 'form') {
    return (
      `<form class="decide" method="post" action="${escapeHtml(opts.formAction ?? '')}">` +
      `<input type="hidden" name="csrf" value="${escapeHtml(opts.csrf ?? '')}">${buttons('name="decision" value')}</form>`
    );
  }
  if (opts.decide === 'buttons') return `<div class="decide">${buttons('data-decision')}</div>`;
  if (opts.decide === 'elsewhere') {
    return '<p class="hint">Approve or decline it on the approval page: its one-time link is in your client\'s log or the server\'s output. Nothing is sent until you approve.</p>';
  }
  if (opts.decide === 'page') {
    return `<div class="decide"><button type="button" class="approve" data-open-approval="1">Approve or decline on the approval page</button></div><p class="hint">It opens in your browser, where you sign in as the plan's owner.</p>`;
  }
  return '';
}

/** The inner HTML of the page's <main> and of the view's root. */
export function renderView(model: ViewModel, opts: RenderOptions): string {
  const heading = `${escapeHtml(model.actionType)} bulk action “${escapeHtml(model.displayName)}”`;
  const status = model.status ? ` <span class="status">${escapeHtml(model.status)}</span>` : '';
  return (
    `<header><h1>${heading}${status}</h1><p class="id action-id">${escapeHtml(model.bulkActionId)}${model.simulated ? ' · simulated tenant' : ''}</p></header>` +
    (model.notice ? `<p class="notice" role="status">${escapeHtml(model.notice)}</p>` : '') +
    summaryBar(model.summary, model.plan !== undefined) +
    (model.plan ? planBlock(model, opts) : '') +
    (model.plan ? `<h2>${model.plan.outcome?.kind === 'sent' ? 'Cloud PCs sent' : 'Cloud PCs in this plan'}</h2>` : '') +
    table(model.devices)
  );
}

/** The few DOM members enableSorting uses: the server's program has no DOM types, the view's has (an Element fits). */
interface SortableNode<N> {
  closest(selector: string): N | null;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  querySelector(selector: string): N | null;
  querySelectorAll(selector: string): Iterable<N>;
  appendChild(child: N): unknown;
}
interface SortableRoot<N> extends SortableNode<N> {
  addEventListener(type: 'click', listener: (ev: { target: unknown }) => void): void;
}

/**
 * Makes the device table sortable by clicking a column. Self-contained (no outer names), because the page embeds its
 * source as an inline script and the view calls it directly.
 */
export function enableSorting<N extends SortableNode<N>>(root: SortableRoot<N>): void {
  root.addEventListener('click', (ev) => {
    const target = ev.target as Partial<N> | null;
    const button = target && target.closest ? target.closest('button.sort') : null;
    if (!button) return;
    const key = button.getAttribute('data-sort');
    const tbody = root.querySelector('table.devices tbody');
    if (!tbody) return;
    const dir = button.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
    for (const b of root.querySelectorAll('button.sort')) b.removeAttribute('aria-sort');
    button.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
    const rows = Array.from(tbody.querySelectorAll('tr'));
    rows.sort((a, b) => dir * String(a.getAttribute('data-' + key)).localeCompare(String(b.getAttribute('data-' + key))));
    for (const r of rows) tbody.appendChild(r);
  });
}

/** One style sheet: light and dark (the OS setting, or the host's theme and variables in the view). */
export const VIEW_CSS = `
:root{color-scheme:light dark;--bg:var(--color-background-primary,light-dark(#ffffff,#17181a));--bg2:var(--color-background-secondary,light-dark(#f4f5f7,#222428));
--fg:var(--color-text-primary,light-dark(#1b1c1f,#eceef2));--fg2:var(--color-text-secondary,light-dark(#5b5f66,#a9adb5));--line:var(--color-border-primary,light-dark(#d9dce1,#3a3d44));
--ok:light-dark(#1d7a3a,#5fd38a);--bad:light-dark(#b3261e,#ff8a80);--warn:light-dark(#8a5a00,#ffcc66);--accent:light-dark(#0b5cad,#7ab8ff);
font-family:var(--font-sans,system-ui,-apple-system,"Segoe UI",sans-serif);font-size:14px}
[data-theme=light]{color-scheme:light}[data-theme=dark]{color-scheme:dark}
body{margin:0;background:var(--bg);color:var(--fg)}main{padding:16px;max-width:1100px;margin:0 auto}
h1{font-size:18px;margin:0 0 2px}.status{font-size:12px;font-weight:600;padding:2px 8px;border-radius:999px;background:var(--bg2);color:var(--fg2);vertical-align:middle}
.id{color:var(--fg2);font-family:var(--font-mono,ui-monospace,monospace);font-size:12px;margin:0}
.summary{display:flex;flex-wrap:wrap;gap:8px;list-style:none;padding:0;margin:12px 0}
.chip{background:var(--bg2);border:1px solid var(--line);border-radius:999px;padding:4px 10px}.chip-succeeded strong{color:var(--ok)}.chip-failed strong{color:var(--bad)}.chip-inProgress strong,.chip-pending strong{color:var(--warn)}
.plan{border:1px solid var(--line);border-radius:8px;padding:12px;margin:12px 0;background:var(--bg2)}
.plan dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0}.plan dt{color:var(--fg2)}.plan dd{margin:0}
.plan-approved{color:var(--ok);font-weight:600}.plan-declined,.plan-expired{color:var(--bad);font-weight:600}.plan-pending{color:var(--warn);font-weight:600}
.warning{color:var(--warn);margin:10px 0}.notice{padding:8px 12px;border-left:3px solid var(--accent);background:var(--bg2)}
.decide{display:flex;gap:8px;margin-top:10px}.decide button{font:inherit;padding:8px 18px;border-radius:6px;border:1px solid var(--line);cursor:pointer}
.approve{background:var(--bad);color:light-dark(#ffffff,#17181a);font-weight:600;border-color:transparent!important}.decline{background:var(--bg);color:var(--fg)}
.devices{width:100%;border-collapse:collapse;margin-top:8px}.devices th,.devices td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
.devices .id{font-size:11px}.devices .fix{font-size:12px;color:var(--fg2);margin-top:2px;max-width:28em}.sort{font:inherit;font-weight:600;background:none;border:0;color:var(--fg);cursor:pointer;padding:0}
.sort[aria-sort=ascending]::after{content:" ▲"}.sort[aria-sort=descending]::after{content:" ▼"}
.state-failed{color:var(--bad)}.state-succeeded{color:var(--ok)}.empty{color:var(--fg2)}
h2{font-size:14px;margin:14px 0 4px}.counts h2{margin-top:10px}.hint{color:var(--fg2);font-size:12px;margin:6px 0 0}
*{box-sizing:border-box}main,header,section,table,dl,dd,p,h1{max-width:100%}
code,.id,.devices td,.plan dd{overflow-wrap:anywhere;word-break:break-word}.ids code{display:inline-block;margin:0 6px 2px 0}
@media (max-width:600px){main{padding:10px}
.devices,.devices tbody,.devices tr,.devices td{display:block;width:100%}.devices thead{display:flex;flex-wrap:wrap;gap:4px 12px}.devices thead tr{display:flex;flex-wrap:wrap;gap:4px 12px}.devices th{border:0;padding:0}
.devices tr{border:1px solid var(--line);border-radius:8px;margin:8px 0;padding:6px 10px;background:var(--bg2)}
.devices td{border:0;padding:3px 0}.devices td:empty{display:none}.devices td::before{content:attr(data-label);display:block;font-size:11px;color:var(--fg2)}
.decide{flex-wrap:wrap}.decide button{flex:1 1 auto}}
`;
