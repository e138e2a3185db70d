// One shape for every prompt: its arguments (each with its check and, where values can be looked up, a completion
// source) and the request it puts into the chat. Clients show prompts as slash commands; the text they insert is an
// admin's request to the assistant, naming the tools and arguments to use so the model does not have to guess.
import type { CompletionSource } from './complete.js';

/** 'retry' prompts lead to retry_cloudpc_bulk_action: a read-only server, which does not offer that tool, hides them. */
export type PromptKind = 'read' | 'retry';

export interface PromptArgument {
  name: string;
  /** One line, shown by clients beside the field; says the default when the argument is optional. */
  description: string;
  required?: boolean;
  /** The problem with a given value and how to fix it, or undefined when it is fine. */
  check?: (value: string) => string | undefined;
  /** Offers values as the user types (completion/complete). */
  complete?: CompletionSource;
}

export interface PromptDefinition {
  name: string;
  title: string;
  description: string;
  kind: PromptKind;
  arguments: readonly PromptArgument[];
  /** The request, from arguments already checked (optional ones may be undefined). `now` dates relative windows. */
  render(args: Readonly<Record<string, string | undefined>>, now: Date): string;
}

export function definePrompt(def: PromptDefinition): PromptDefinition {
  return def;
}

/** The problem with a prompt's arguments, naming the argument and the fix; undefined when they are all fine. */
export function argumentsProblem(def: PromptDefinition, args: Readonly<Record<string, string | undefined>>): string | undefined {
  const known = new Set(def.arguments.map((a) => a.name));
  const unknown = Object.keys(args).filter((k) => !known.has(k));
  if (unknown.length) {
    return `Prompt "${def.name}" has no argument ${unknown.map((k) => `"${k}"`).join(', ')}. Its arguments: ${[...known].join(', ') || 'none'}.`;
  }
  for (const a of def.arguments) {
    const v = args[a.name];
    if (v === undefined || v === '') {
      if (a.required) return `Prompt "${def.name}" needs the argument "${a.name}": ${a.description}`;
      continue;
    }
    const problem = a.check?.(v);
    if (problem) return `Prompt "${def.name}": ${problem}`;
  }
  return undefined;
}

/** A time in prompt text: ISO 8601 to the second, as the tools take them. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const DAY_MS = 86_400_000;
