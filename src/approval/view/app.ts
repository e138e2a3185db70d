// The MCP Apps view (runs in the host's sandboxed iframe, bundled into the ui:// resource by scripts/build.mjs): shows
// the tool result it is handed through the official App class. For a plan waiting for approval: Approve and Decline
// buttons that call the app-only tool with the secret that came in the result's _meta, where the server handed one
// out; otherwise (remote mode) an Approve button that asks the host to open the approval page (ui/open-link), where
// the plan's owner signs in. Every line it shows is for the person; what the assistant does next is in the result.
import { App, applyDocumentTheme, applyHostFonts, applyHostStyleVariables, type McpUiHostContext } from '@modelcontextprotocol/ext-apps';
import { enableSorting, renderView, type ViewModel } from '../viewHtml.js';
import { modelFromResult, planOf } from '../viewModel.js';

const APPROVAL_META_KEY = 'cloudpc-mcp/approval';
const DECIDE_TOOL = 'decide_cloudpc_retry_plan';

const root = document.getElementById('app')!;
let model: ViewModel | undefined;
let grant: { planId: string; appToken: string } | undefined;
let busy = false;

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return (content as ({ type?: unknown; text?: unknown } | null)[])
    .map((c) => (c?.type === 'text' && typeof c.text === 'string' ? c.text : ''))
    .join('\n');
}

function draw(): void {
  if (!model) return;
  const canDecide = !busy && grant !== undefined && model.plan?.id === grant.planId;
  const canOpen = !busy && !canDecide && typeof model.approvalUrl === 'string';
  const elsewhere = !busy && !canDecide && !canOpen && model.plan?.approvalNeeded === true;
  root.innerHTML = renderView(model, {
    decide: canDecide ? 'buttons' : canOpen ? 'page' : elsewhere ? 'elsewhere' : 'none',
    now: Date.now(),
  });
}

/** What the person reads after clicking: what happened, in their terms. */
const DECIDED: Record<string, string> = {
  approve: 'Approved — the assistant can now send it.',
  decline: 'Declined — nothing will be sent.',
};

function openApprovalPage(url: string): void {
  busy = true;
  draw();
  app
    .openLink({ url })
    .then((r) => {
      if (model) {
        model.notice = r.isError
          ? `The host did not open the approval page. Open it yourself: ${url}`
          : 'The approval page opened in your browser: sign in there and approve or decline. Nothing is sent until you approve.';
      }
    })
    .catch(() => {
      if (model) model.notice = `The host could not open the approval page. Open it yourself: ${url}`;
    })
    .finally(() => {
      busy = false;
      draw();
    });
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
  const meta = result._meta?.[APPROVAL_META_KEY] as { planId?: unknown; appToken?: unknown } | undefined;
  grant =
    typeof meta?.planId === 'string' && typeof meta.appToken === 'string' ? { planId: meta.planId, appToken: meta.appToken } : undefined;
  draw();
};
app.ontoolcancelled = () => {
  if (!model) root.textContent = 'The tool call was cancelled.';
};
app.onhostcontextchanged = (ctx) => applyContext(ctx);

root.addEventListener('click', (ev) => {
  const opener = (ev.target as Element | null)?.closest?.('button[data-open-approval]');
  if (opener && model?.approvalUrl && !busy) return openApprovalPage(model.approvalUrl);
  const button = (ev.target as Element | null)?.closest?.('button[data-decision]');
  if (!button || !model?.plan || !grant || busy) return;
  const decision = button.getAttribute('data-decision') === 'approve' ? 'approve' : 'decline';
  busy = true;
  draw();
  app
    .callServerTool({ name: DECIDE_TOOL, arguments: { planId: grant.planId, decision, appToken: grant.appToken } })
    .then((r) => {
      const plan = planOf(r.structuredContent?.plan);
      if (plan && model) model.plan = plan;
      // The tool's text speaks to the assistant; the person gets their own words, or the refusal as it is.
      if (model) model.notice = r.isError ? `Not decided: ${textOf(r.content)}` : DECIDED[decision];
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
