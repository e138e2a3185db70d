// One renderer for the approval page (rendered by the server) and the MCP Apps view (rendered in the host's iframe):
// a summary bar, the plan, the device table (sortable) and the decision buttons. Pure string building with every value
// escaped, no imports and no DOM, so the same module runs in Node and, bundled, in the view.

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
}

export interface ViewModel {
  bulkActionId: string;
  actionType: string;
  displayName: string;
  /** The action's own status (get_cloudpc_bulk_action), when known. */
  status?: string;
  summary: ViewSummary;
  devices: ViewDevice[];
  plan?: ViewPlan;
  /** A line about what just happened (e.g. "Retry accepted"). */
  notice?: string;
  simulated?: boolean;
}

export interface RenderOptions {
  /** form: a POST form (the page); buttons: data-decision buttons (the view); none: no buttons. */
  decide: 'form' | 'buttons' | 'none';
  /** The page's anti-forgery token, posted with the form. */
  csrf?: string;
  formAction?: string;
  /** Epoch ms, to say whether the plan has expired. */
  now: number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string | number | boolean | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const STATES: [keyof ViewSummary, string][] = [
  ['succeeded', 'succeeded'],
  ['failed', 'failed'],
  ['inProgress', 'in progress'],
  ['pending', 'pending'],
  ['notSupported', 'not supported'],
];

/** Counts by device state, for results that carry devices but no summary (a plan). */
export function summaryOf(devices: readonly ViewDevice[]): ViewSummary {
  const s: ViewSummary = { succeeded: 0, failed: 0, inProgress: 0, pending: 0, notSupported: 0 };
  for (const d of devices) if (d.state && d.state in s) s[d.state as keyof ViewSummary]++;
  return s;
}

function summaryBar(s: ViewSummary): string {
  const items = STATES.map(([k, label]) => `<li class="chip chip-${k}"><strong>${s[k]}</strong> ${label}</li>`).join('');
  return `<ul class="summary" aria-label="Device outcomes">${items}</ul>`;
}

const COLUMNS: [string, string][] = [
  ['name', 'Cloud PC'],
  ['user', 'User'],
  ['state', 'State'],
  ['reason', 'Last failure reason'],
  ['class', 'Retry class'],
];

function row(d: ViewDevice): string {
  const cells: [string, string][] = [
    ['name', d.name ?? d.cloudPcId],
    ['user', d.userPrincipalName ?? ''],
    ['state', d.state ?? ''],
    ['reason', d.reason ?? ''],
    ['class', d.retryClass ?? ''],
  ];
  const data = cells.map(([k, v]) => ` data-${k}="${escapeHtml(v.toLowerCase())}"`).join('');
  const below: Record<string, string | undefined> = { name: d.cloudPcId, class: d.fix };
  const tds = cells.map(([k, v]) => {
    const extra = below[k] ? `<div class="${k === 'name' ? 'id' : 'fix'}">${escapeHtml(below[k])}</div>` : '';
    return `<td class="${k === 'state' ? `state state-${escapeHtml(v)}` : k}">${escapeHtml(v)}${extra}</td>`;
  });
  return `<tr data-id="${escapeHtml(d.cloudPcId)}"${data}>${tds.join('')}</tr>`;
}

function table(devices: readonly ViewDevice[]): string {
  if (!devices.length) return '<p class="empty">No devices to show.</p>';
  const head = COLUMNS.map(([k, label]) => `<th scope="col"><button type="button" class="sort" data-sort="${k}" aria-label="Sort by ${label}">${label}</button></th>`).join('');
  return `<table class="devices"><thead><tr>${head}</tr></thead><tbody>${devices.map(row).join('')}</tbody></table>`;
}

function planBlock(model: ViewModel, opts: RenderOptions): string {
  const plan = model.plan!;
  const expired = opts.now >= Date.parse(plan.expiresAt) && plan.state === 'pending';
  const state = expired ? 'expired' : plan.state;
  const facts = [
    `<dt>Plan</dt><dd><code>${escapeHtml(plan.id)}</code></dd>`,
    `<dt>Cloud PCs</dt><dd>${model.devices.length}</dd>`,
    `<dt>For</dt><dd>${escapeHtml(plan.owner)}</dd>`,
    ...(plan.actionDetails ? [`<dt>Action</dt><dd>${escapeHtml(plan.actionDetails)}</dd>`] : []),
    `<dt>Expires</dt><dd><time datetime="${escapeHtml(plan.expiresAt)}">${escapeHtml(plan.expiresAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</time></dd>`,
    `<dt>State</dt><dd class="plan-state plan-${escapeHtml(state)}">${escapeHtml(state)}</dd>`,
  ];
  if (plan.decision) facts.push(`<dt>Decided</dt><dd>${escapeHtml(plan.decision.via)} by ${escapeHtml(plan.decision.by)}</dd>`);
  const warn = plan.approvalNeeded
    ? `<p class="warning">Retrying a ${escapeHtml(model.actionType)} acts on these PCs again: it can wipe, roll back or rebuild them, and their users lose work in progress. Exactly the Cloud PCs below are retried.</p>`
    : '';
  return `<section class="plan"><dl>${facts.join('')}</dl>${warn}${state === 'pending' ? decision(opts) : ''}</section>`;
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
  return '';
}

/** The inner HTML of the page's <main> and of the view's root. */
export function renderView(model: ViewModel, opts: RenderOptions): string {
  const heading = `${escapeHtml(model.actionType)} bulk action “${escapeHtml(model.displayName)}”`;
  const status = model.status ? ` <span class="status">${escapeHtml(model.status)}</span>` : '';
  return (
    `<header><h1>${heading}${status}</h1><p class="id">${escapeHtml(model.bulkActionId)}${model.simulated ? ' · simulated tenant' : ''}</p></header>` +
    (model.notice ? `<p class="notice" role="status">${escapeHtml(model.notice)}</p>` : '') +
    summaryBar(model.summary) +
    (model.plan ? planBlock(model, opts) : '') +
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
`;
