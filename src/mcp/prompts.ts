// The prompts of src/prompts/ on the SDK server: prompts/list, prompts/get, and completion/complete for their arguments.
// createServer calls registerPrompts once; the capabilities are declared here so server.ts stays about tools.
// Not McpServer.registerPrompt with completable (SDK 1.32.2, server/mcp.js), because what it answers is less true or
// less clear than this: a completion is a plain string[] it reports as complete (total = length, hasMore false) even
// when Graph held more than was read; the completer gets no abort signal (no client cancel, no deadline); a completer
// that throws becomes a JSON-RPC error instead of an empty list; an unknown prompt is "Prompt X not found" where this
// says which exist and why a read-only server hides the retry; and it declares prompts.listChanged, which never happens.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  McpError,
  type CompleteResult,
  type GetPromptResult,
  type ListPromptsResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { ConfigProblem } from '../config/config.js';
import { NO_COMPLETION, type Completion } from '../prompts/complete.js';
import { argumentsProblem, type PromptDefinition } from '../prompts/definePrompt.js';
import { ALL_PROMPTS, selectPrompts } from '../prompts/index.js';
import type { ServerDeps } from '../tools/context.js';

/** A completion is a suggestion while the user types: past this, an empty answer beats a late one. */
export const COMPLETION_DEADLINE_MS = 5_000;

// Remote mode builds a server for every HTTP request: the listing is built once per mode.
const listingByMode = new Map<boolean, ListPromptsResult>();

function listing(readOnly: boolean): ListPromptsResult {
  let l = listingByMode.get(readOnly);
  if (!l) {
    l = {
      prompts: selectPrompts(readOnly).map((p) => ({
        name: p.name,
        title: p.title,
        description: p.description,
        arguments: p.arguments.map((a) => ({ name: a.name, description: a.description, required: a.required === true })),
      })),
    };
    listingByMode.set(readOnly, l);
  }
  return l;
}

function promptNamed(name: string, offered: readonly PromptDefinition[]): PromptDefinition {
  const def = offered.find((p) => p.name === name);
  if (def) return def;
  const hidden = ALL_PROMPTS.some((p) => p.name === name)
    ? ' The server runs read-only (CLOUDPC_MCP_READ_ONLY), which offers no retry.'
    : '';
  throw new McpError(ErrorCode.InvalidParams, `Unknown prompt "${name}".${hidden} Available: ${offered.map((p) => p.name).join(', ')}.`);
}

/** Arguments as given, without the empty strings some clients send for fields left blank. */
function given(args: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(args ?? {}).filter(([, v]) => typeof v === 'string' && v.trim() !== ''));
}

export function registerPrompts(server: Server, deps: ServerDeps, problems?: readonly ConfigProblem[]): void {
  server.registerCapabilities({ prompts: {}, completions: {} });
  const offered = selectPrompts(deps.config.readOnly);
  const list = listing(deps.config.readOnly);

  server.setRequestHandler(ListPromptsRequestSchema, () => list);

  server.setRequestHandler(GetPromptRequestSchema, (req): GetPromptResult => {
    const def = promptNamed(req.params.name, offered);
    const args = given(req.params.arguments);
    const problem = argumentsProblem(def, args);
    if (problem) throw new McpError(ErrorCode.InvalidParams, problem);
    return { description: def.description, messages: [{ role: 'user', content: { type: 'text', text: def.render(args, new Date()) } }] };
  });

  server.setRequestHandler(CompleteRequestSchema, async (req, extra): Promise<CompleteResult> => {
    const { ref, argument, context } = req.params;
    // This server has no resource templates: nothing to complete for them.
    if (ref.type !== 'ref/prompt') return { completion: NO_COMPLETION };
    const def = promptNamed(ref.name, offered);
    const arg = def.arguments.find((a) => a.name === argument.name);
    if (!arg)
      throw new McpError(
        ErrorCode.InvalidParams,
        `Prompt "${def.name}" has no argument "${argument.name}". Its arguments: ${def.arguments.map((a) => a.name).join(', ')}.`,
      );
    // With a configuration problem every tool call answers with the fix; completion just offers nothing.
    if (!arg.complete || problems?.length) return { completion: NO_COMPLETION };
    let completion: Completion;
    try {
      const signal = AbortSignal.any([extra.signal, AbortSignal.timeout(COMPLETION_DEADLINE_MS)]);
      completion = await arg.complete(argument.value, { deps, signal, arguments: given(context?.arguments) });
    } catch (err) {
      deps.logger.warn(`completion of ${def.name}.${arg.name} failed; offered no values`, {
        error: (err as Error)?.message ?? String(err),
      });
      completion = NO_COMPLETION;
    }
    return { completion };
  });
}
