// The answers a client needs first (initialize, tools/list, prompts/list, ping), given from data the build recorded
// from the real server, so they go out before the SDK, zod and the tools are loaded. test/e2e/earlyAnswers.test.ts
// proves they are byte-for-byte what the full server answers.
import type { EarlyAnswer } from './lineTransport.js';
import { isPlainObject as isObject } from '../../core/jsonShapes.js';

export interface EarlyAnswerData {
  /** Protocol versions the SDK accepts, newest first; an unknown requested version is answered with the first. */
  protocolVersions: string[];
  /** The initialize result without protocolVersion (capabilities, serverInfo, instructions). */
  initialize: Record<string, unknown>;
  tools: { full: unknown[]; readOnly: unknown[] };
  prompts: { full: unknown[]; readOnly: unknown[] };
}


export function earlyAnswers(data: EarlyAnswerData, readOnly: boolean, onListed?: () => void): EarlyAnswer {
  const tools = readOnly ? data.tools.readOnly : data.tools.full;
  const prompts = readOnly ? data.prompts.readOnly : data.prompts.full;
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
        return { jsonrpc: '2.0', id: msg.id, result: { protocolVersion: version, ...data.initialize } };
      }
      case 'tools/list':
      case 'prompts/list':
        if (params !== undefined && (!isObject(params) || params.cursor !== undefined)) return undefined;
        // A client that lists what the server offers is about to use it: load the full server now.
        if (onListed) setImmediate(onListed);
        return { jsonrpc: '2.0', id: msg.id, result: msg.method === 'tools/list' ? { tools } : { prompts } };
      case 'ping':
        return { jsonrpc: '2.0', id: msg.id, result: {} };
      default:
        return undefined;
    }
  };
}
