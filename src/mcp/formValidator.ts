// Checks a client's answer to an elicitation form. MCP forms are flat objects of primitive fields (string, number,
// integer, boolean, optionally an enum), so this small check stands in for the SDK's own validator
// (@modelcontextprotocol/sdk/validation/ajv), kept out of the bundle by scripts/build.mjs. Measured 2026-12-06 (Node 20,
// SDK 1.32.2, that validator bundled alone with esbuild, 7 runs): +285 KB of bundle, and import 4-24 ms + instance 3-38
// ms + first form compile 5-57 ms (best ~12 ms in all) on the server's path, against ~0 here; its messages also speak
// JSON Pointer ("data/confirm must be boolean") where this one says "confirm must be true or false", and it would let an
// answer carry fields the form never asked for.
import type { jsonSchemaValidator, JsonSchemaType, JsonSchemaValidatorResult } from '@modelcontextprotocol/sdk/validation/types.js';

type Field = { type?: unknown; enum?: unknown };

function fieldProblem(name: string, field: Field, value: unknown): string | undefined {
  switch (field.type) {
    case 'boolean':
      if (typeof value !== 'boolean') return `${name} must be true or false`;
      break;
    case 'string':
      if (typeof value !== 'string') return `${name} must be a string`;
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} must be a number`;
      break;
    case 'integer':
      if (!Number.isInteger(value)) return `${name} must be a whole number`;
      break;
    default:
      return `${name} has a type this server does not ask for`;
  }
  if (Array.isArray(field.enum) && !field.enum.includes(value)) return `${name} must be one of ${field.enum.map(String).join(', ')}`;
  return undefined;
}

export const formValidator: jsonSchemaValidator = {
  getValidator<T>(schema: JsonSchemaType) {
    const properties = (schema.properties ?? {}) as Record<string, Field>;
    const required = Array.isArray(schema.required) ? schema.required : [];
    return (input: unknown): JsonSchemaValidatorResult<T> => {
      const fail = (errorMessage: string): JsonSchemaValidatorResult<T> => ({ valid: false, data: undefined, errorMessage });
      if (!input || typeof input !== 'object' || Array.isArray(input)) return fail('the answer must be an object');
      const answer = input as Record<string, unknown>;
      for (const name of required) if (!(name in answer)) return fail(`${name} is required`);
      for (const [name, value] of Object.entries(answer)) {
        const field = properties[name];
        if (!field) return fail(`${name} was not asked for`);
        const problem = fieldProblem(name, field, value);
        if (problem) return fail(problem);
      }
      return { valid: true, data: input as T, errorMessage: undefined };
    };
  },
};
