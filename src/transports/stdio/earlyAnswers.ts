// The answers a client needs first (initialize, tools/list, prompts/list, ping), given from data the build recorded
// from the real server, so they go out before the SDK, zod and the tools are loaded. test/e2e/earlyAnswers.test.ts
// proves they are byte-for-byte what the full server answers.
import { SerializedAnswer, type EarlyAnswer } from './lineTransport.js';
import { isPlainObject as isObject } from '../../core/jsonShapes.js';
import { declaresViews } from '../../core/mcpApps.js';

/** The recorded listings, by file name: for clients that render MCP Apps views (view metadata, the view's app-only tool) and for the rest. */
export type Listing = 'tools.full' | 'tools.readOnly' | 'tools.fullApp' | 'tools.readOnlyApp' | 'prompts.full' | 'prompts.readOnly';

export interface EarlyAnswerData {
  /** Protocol versions the SDK accepts, newest first; an unknown requested version is answered with the first. */
  protocolVersions: string[];
  /** The initialize result without protocolVersion (capabilities, serverInfo, instructions). */
  initialize: Record<string, unknown>;
  /**
   * One listing as the JSON text the build recorded, read when a client first asks for it; undefined when it cannot be
   * read (the full server answers then). Kept as text: the answer is spliced around it, never parsed and re-serialized.
   */
  listing(name: Listing): string | undefined;
}

export function earlyAnswers(data: EarlyAnswerData, readOnly: boolean, onListed?: () => void): EarlyAnswer {
  // What the client declared in the initialize answered here; tools/list is answered early only after that.
  let views: boolean | undefined;
  return (msg) => {
    if (msg.id === undefined) return undefined;
    const params = msg.params;
    switch (msg.method) {
      case 'initialize': {
        // Anything unusual goes to the full server, which knows how to refuse it.
        if (
          !isObject(params) ||
          typeof params.protocolVersion !== 'string' ||
          !isObject(params.capabilities) ||
          !isObject(params.clientInfo)
        )
          return undefined;
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
        const tools = data.listing(`tools.${readOnly ? 'readOnly' : 'full'}${views ? 'App' : ''}` as Listing);
        return tools && listingLine(msg.id, 'tools', tools);
      }
      case 'prompts/list': {
        if (params !== undefined && (!isObject(params) || params.cursor !== undefined)) return undefined;
        if (onListed) setImmediate(onListed);
        const prompts = data.listing(readOnly ? 'prompts.readOnly' : 'prompts.full');
        return prompts && listingLine(msg.id, 'prompts', prompts);
      }
      case 'ping':
        return { jsonrpc: '2.0', id: msg.id, result: {} };
      default:
        return undefined;
    }
  };
}

/** The JSON-RPC answer `{ jsonrpc, id, result: { [key]: <list> } }` as JSON.stringify writes it, around the recorded text. */
function listingLine(id: unknown, key: 'tools' | 'prompts', list: string): SerializedAnswer {
  return new SerializedAnswer(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"${key}":${list}}}`);
}
