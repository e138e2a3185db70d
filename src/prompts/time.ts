// Times in prompt text: ISO 8601 to the second, as the tools take them.

export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const DAY_MS = 86_400_000;
