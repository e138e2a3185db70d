// The MCP Apps view (runs in the host's sandboxed iframe, bundled into the ui:// resource by scripts/build.mjs): shows
// the tool result it is handed through the official App class, and for a plan waiting for approval, Approve and
// Decline buttons that call the app-only tool with the secret that came in the result's _meta.
import { App, applyDocumentTheme, applyHostFonts, applyHostStyleVariables, type McpUiHostContext } from '@modelcontextprotocol/ext-apps';
import { enableSorting, renderView, type ViewModel } from '../render.js';
import { modelFromResult, planOf } from '../viewModel.js';

const APPROVAL_META_KEY = 'cloudpc-mcp/approval';
const DECIDE_TOOL = 'decide_cloudpc_retry_plan';

const root = document.getElementById('app')!;
let model: ViewModel | undefined;
let grant: { planId: string; appToken: string } | undefined;
let busy = false;

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return (content as ({ type?: unknown; text?: unknown } | null)[]).map((c) => (c?.type === 'text' && typeof c.text === 'string' ? c.text : '')).join('\n');
}

function draw(): void {
  if (!model) return;
  const canDecide = !busy && grant !== undefined && model.plan?.id === grant.planId;
  root.innerHTML = renderView(model, { decide: canDecide ? 'buttons' : 'none', now: Date.now() });
}

function applyContext(ctx: McpUiHostContext | undefined): void {
  if (ctx?.theme) applyDocumentTheme(ctx.theme);
  if (ctx?.styles?.variables) applyHostStyleVariables(ctx.styles.variables);
  if (ctx?.styles?.css?.fonts) applyHostFonts(ctx.styles.css.fonts);
}

const app = new App({ name: 'cloudpc-mcp bulk action view', version: '1' }, {}, { autoResize: true });

app.ontoolresult = (result) => {
  const next = modelFromResult(result.structuredContent);
  if (!next) {
    root.textContent = textOf(result.content) || 'Nothing to show.';
    return;
  }
  model = next;
  const meta = (result._meta)?.[APPROVAL_META_KEY] as { planId?: unknown; appToken?: unknown } | undefined;
  grant = typeof meta?.planId === 'string' && typeof meta.appToken === 'string' ? { planId: meta.planId, appToken: meta.appToken } : undefined;
  draw();
};
app.ontoolcancelled = () => {
  if (!model) root.textContent = 'The tool call was cancelled.';
};
app.onhostcontextchanged = (ctx) => applyContext(ctx);

root.addEventListener('click', (ev) => {
  const button = (ev.target as Element | null)?.closest?.('button[data-decision]');
  if (!button || !model?.plan || !grant || busy) return;
  const decision = button.getAttribute('data-decision') === 'approve' ? 'approve' : 'decline';
  busy = true;
  draw();
  app
    .callServerTool({ name: DECIDE_TOOL, arguments: { planId: grant.planId, decision, appToken: grant.appToken } })
    .then((r) => {
      const plan = planOf((r.structuredContent)?.plan);
      if (plan && model) model.plan = plan;
      if (model) model.notice = textOf(r.content);
      grant = r.isError ? grant : undefined;
    })
    .catch((err: unknown) => {
      if (model) model.notice = `The decision did not reach the server: ${err instanceof Error ? err.message : String(err)}`;
    })
    .finally(() => {
      busy = false;
      draw();
    });
});
enableSorting<Element>(root);

void app.connect().then(() => applyContext(app.getHostContext()));
