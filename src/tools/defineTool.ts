// One shape for every tool. Annotations come from `kind` so no tool can claim to be safer than it is,
// and JSON schemas are computed once from the zod schemas the handler is validated against.
import { z } from 'zod';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { ToolContext } from './context.js';

export type ToolKind = 'read' | 'write' | 'destructive';

export interface ToolOutcome<O> {
  structured: O;
  /** One or two sentences (or a small table) the assistant can relay as they are. */
  text: string;
  /** The result's _meta: for the client and the MCP Apps view, not for the model. */
  meta?: Record<string, unknown>;
}

/** The MCP Apps view (a ui:// resource) that shows bulk actions and retry plans in hosts that render views. */
export const VIEW_URI = 'ui://cloudpc-mcp/bulk-action.html';

export interface ToolDefinition<I extends z.ZodRawShape = z.ZodRawShape, O extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  kind: ToolKind;
  /** Results are shown in the MCP Apps view (VIEW_URI) by hosts that render views. */
  view?: boolean;
  /** MCP Apps visibility: ['app'] hides the tool from the model; such a tool is listed only to hosts that render views. */
  visibility?: ('model' | 'app')[];
  handle(args: z.output<z.ZodObject<I>>, ctx: ToolContext): Promise<ToolOutcome<z.output<z.ZodObject<O>>>>;
}

export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
}

export function annotationsFor(kind: ToolKind, title: string): ToolAnnotations {
  // All four hints are explicit: clients assume the worst for a missing hint, and reviewers read them here.
  return {
    title,
    readOnlyHint: kind === 'read',
    destructiveHint: kind === 'destructive',
    idempotentHint: kind === 'read',
    openWorldHint: true,
  };
}

export interface CompiledTool {
  def: ToolDefinition;
  inputSchema: z.ZodObject;
  outputSchema: z.ZodObject;
  /** The tools/list entry, computed once. */
  listing: ToolListing;
  /** The entry for hosts that render MCP Apps views: with _meta.ui (and the legacy key older hosts read). */
  uiListing: ToolListing;
}

export interface ToolListing {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object'; [k: string]: unknown };
  outputSchema: { type: 'object'; [k: string]: unknown };
  annotations: ToolAnnotations;
  _meta?: Record<string, unknown>;
}

function jsonSchema(schema: z.ZodObject, io: 'input' | 'output'): { type: 'object'; [k: string]: unknown } {
  const js = z.toJSONSchema(schema, { target: 'draft-7', io }) as Record<string, unknown>;
  delete js.$schema;
  return js as { type: 'object'; [k: string]: unknown };
}

export function compileTool(def: ToolDefinition): CompiledTool {
  // Unknown argument names are refused, not dropped: a misspelt `cloudPcIds` must never turn into "retry every failed PC".
  const inputSchema = z.strictObject(def.input);
  const outputSchema = z.object(def.output);
  const listing: ToolListing = {
    name: def.name,
    title: def.title,
    description: def.description,
    inputSchema: jsonSchema(inputSchema, 'input'),
    outputSchema: jsonSchema(outputSchema, 'output'),
    annotations: annotationsFor(def.kind, def.title),
  };
  const ui = def.view || def.visibility ? { resourceUri: VIEW_URI, ...(def.visibility ? { visibility: def.visibility } : {}) } : undefined;
  return { def, inputSchema, outputSchema, listing, uiListing: ui ? { ...listing, _meta: { ui, 'ui/resourceUri': VIEW_URI } } : listing };
}

const MAX_ISSUES_SHOWN = 5;

function dotPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(arguments)';
}

/** A short, fixable message: a model sending 5,000 bad ids gets five examples and a count, not 5,000 lines. */
export function formatInputError(toolName: string, error: z.ZodError): string {
  const issues = error.issues;
  const lines = issues.slice(0, MAX_ISSUES_SHOWN).map((i) => {
    if (i.code === 'unrecognized_keys') {
      return `- unknown argument(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}${i.path.length ? ` in ${dotPath(i.path)}` : ''}: check the spelling against the tool's input schema.`;
    }
    return `- ${dotPath(i.path)}: ${i.message}`;
  });
  if (issues.length > MAX_ISSUES_SHOWN) lines.push(`- … and ${issues.length - MAX_ISSUES_SHOWN} more problem(s) of the same kind.`);
  return `Invalid arguments for ${toolName}; nothing was sent to Microsoft Graph. Fix these and call again:\n${lines.join('\n')}`;
}
