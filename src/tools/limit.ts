import { z } from 'zod';

/** The row cap every list tool takes: bounded, so one call never pages through a whole tenant. */
export function limitInput(max: number, def: number) {
  return z
    .number({ error: 'limit must be a number.' })
    .int({ error: 'limit must be a whole number.' })
    .min(1, { error: 'limit must be at least 1.' })
    .max(max, { error: `limit must be at most ${max}; narrow the filters instead.` })
    .optional()
    .describe(`Maximum rows to return, 1-${max}. Default ${def}.`);
}
