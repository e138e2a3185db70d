// A minimal MCP Apps host page, built on the extension's own host bridge (AppBridge): it loads a view's HTML into a
// sandboxed iframe, hands it the tool input and result, and relays the view's tool calls to the real MCP client in the
// test process (window.hostCallTool, exposed by the test), refusing tools whose visibility does not include "app". A
// view's open-link request is recorded (window.hostLog) and answered as opened, as a host that opens the browser would.
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';
import type { CallToolRequest, CallToolResult } from '@modelcontextprotocol/sdk/types.js';

interface Start {
  html: string;
  tools: { name: string; _meta?: { ui?: { visibility?: string[] } } }[];
  toolInput: Record<string, unknown>;
  toolResult: CallToolResult;
  theme: 'light' | 'dark';
  /** The iframe's width in CSS pixels (default: the page's). */
  width?: number;
}

declare global {
  interface Window {
    hostCallTool(params: CallToolRequest['params']): Promise<CallToolResult>;
    startHost(start: Start): Promise<void>;
    hostLog: string[];
  }
}

window.hostLog = [];
window.startHost = async ({ html, tools, toolInput, toolResult, theme, width }) => {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.style.cssText = `width:${width ? `${width}px` : '100%'};height:560px;border:0;display:block`;
  document.body.appendChild(iframe);
  const bridge = new AppBridge(
    null,
    { name: 'cloudpc-mcp test host', version: '1' },
    { serverTools: {}, logging: {}, openLinks: {} },
    { hostContext: { theme, displayMode: 'inline' } },
  );
  bridge.oncalltool = async (params) => {
    const tool = tools.find((t) => t.name === params.name);
    const visibility = tool?._meta?.ui?.visibility ?? ['model', 'app'];
    if (!tool || !visibility.includes('app')) throw new Error(`tool ${params.name} is not callable by the app`);
    window.hostLog.push(`tools/call ${params.name}`);
    return window.hostCallTool(params);
  };
  bridge.onopenlink = async ({ url }) => {
    window.hostLog.push(`ui/open-link ${url}`);
    return {};
  };
  bridge.onsizechange = ({ height }) => {
    if (height) iframe.style.height = `${height + 2}px`;
  };
  const initialized = new Promise<void>((resolve) => (bridge.oninitialized = () => resolve()));
  const view = iframe.contentWindow;
  if (!view) throw new Error('the view iframe has no window: it must be in the document before the bridge connects');
  await bridge.connect(new PostMessageTransport(view, view));
  iframe.srcdoc = html;
  await initialized;
  await bridge.sendToolInput({ arguments: toolInput });
  await bridge.sendToolResult(toolResult);
};
