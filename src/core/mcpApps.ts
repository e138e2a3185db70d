// MCP Apps (the io.modelcontextprotocol/ui extension): whether a client renders views. Here, with no dependencies, so
// the early answers given before the server loads (src/transports/stdio/earlyAnswers.ts) decide exactly as it does.
// Not @modelcontextprotocol/ext-apps/server's getUiCapability: that module brings zod and the whole App bundle with it,
// measured 2026-12-06 (Node 20, ext-apps 1.7.5, bundled alone with esbuild, 7 runs) at 842 KB and 32-127 ms to import,
// against a cold start floor of ~100 ms. test/unit/mcpApps.test.ts checks this decides as getUiCapability does.

export const UI_EXTENSION = 'io.modelcontextprotocol/ui';
export const VIEW_MIME_TYPE = 'text/html;profile=mcp-app';

/** True when the client's capabilities declare the UI extension with the MCP App MIME type. */
export function declaresViews(capabilities: unknown): boolean {
  const ext = (capabilities as { extensions?: Record<string, { mimeTypes?: unknown } | undefined> } | undefined)?.extensions;
  const ui = ext && typeof ext === 'object' ? ext[UI_EXTENSION] : undefined;
  return Array.isArray(ui?.mimeTypes) && ui.mimeTypes.includes(VIEW_MIME_TYPE);
}
