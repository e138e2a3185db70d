// The answers a client needs first (initialize, tools/list, prompts/list, ping), given from data the build recorded
// from the real server, so they go out before the SDK, zod and the tools are loaded. test/e2e/earlyAnswers.test.ts
// proves they are byte-for-byte what the full server answers.
import type { EarlyAnswer } from './lineTransport.js';
import { isPlainObject as isObject } from '../../core/jsonShapes.js';
import { declaresViews } from '../../core/mcpApps.js';

export interface EarlyAnswerData {
  /** Protocol versions the SDK accepts, newest first; an unknown requested version is answered with the first. */
  protocolVersions: string[];
  /** The initialize result without protocolVersion (capabilities, serverInfo, instructions). */
  initialize: Record<string, unknown>;
  /** The listings for clients that render MCP Apps views (view metadata, the view's app-only tool) and for the rest. */
  tools: { full: unknown[]; readOnly: unknown[]; fullApp: unknown[]; readOnlyApp: unknown[] };
  prompts: { full: unknown[]; readOnly: unknown[] };
}


export function earlyAnswers(data: EarlyAnswerData, readOnly: boolean, onListed?: () => void): EarlyAnswer {
  const prompts = readOnly ? data.prompts.readOnly : data.prompts.full;
  // What the client declared in the initialize answered here; tools/list is answered early only after that.
  let views: boolean | undefined;
  return (msg) => {
    if (msg.id === undefined) return undefined;
    const params = msg.params;
    switch (msg.method) {
      case 'initialize': {
        // Anything unusual goes to the full server, which knows how to refuse it.
        if (!isObject(params) || typeof params.protocolVersion !== 'string' || !isObject(params.capabilities) || !isObject(params.clientInfo)) return undefined;
        const info = params.clientInfo;
        if (typeof info.name !== 'string' || typeof info.version !== 'string') return undefined;
        const version = data.protocolVersions.includes(params.protocolVersion) ? params.protocolVersion : data.protocolVersions[0];
        views = declaresViews(params.capabilities);
        return { jsonrpc: '2.0', id: msg.id, result: { protocolVersion: version, ...data.initialize } };
      }
      case 'tools/list': {
        if (views === undefined || (params !== undefined && (!isObject(params) || params.cursor !== undefined))) return undefined;
        // A client that lists what the server offers is about to use it: load the full server now.
        if (onListed) setImmediate(onListed);
        const tools = views ? (readOnly ? data.tools.readOnlyApp : data.tools.fullApp) : readOnly ? data.tools.readOnly : data.tools.full;
        return { jsonrpc: '2.0', id: msg.id, result: { tools } };
      }
      case 'prompts/list':
        if (params !== undefined && (!isObject(params) || params.cursor !== undefined)) return undefined;
        if (onListed) setImmediate(onListed);
        return { jsonrpc: '2.0', id: msg.id, result: { prompts } };
      case 'ping':
        return { jsonrpc: '2.0', id: msg.id, result: {} };
      default:
        return undefined;
    }
  };
}
