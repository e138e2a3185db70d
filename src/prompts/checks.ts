// Checks of prompt argument values. Prompt arguments are strings typed by a person; each check names the fix.
import { GUID_PATTERN } from '../core/jsonShapes.js';

/** The whole window a triage may look back over; further back, list_cloudpc_bulk_actions with createdAfter does it. */
export const MAX_HOURS = 168;

const CONTROL = /[\u0000-\u001f\u007f]/;

export const guidValue =
  (name: string) =>
  (v: string): string | undefined =>
    GUID_PATTERN.test(v.trim())
      ? undefined
      : `${name} must be a bulk action id (a GUID such as 0d76d02b-e0a0-4f58-baff-d1718cc2d144); let the client complete it, or leave it out.`;

export function userPrincipalNameValue(v: string): string | undefined {
  const s = v.trim();
  if (s.length > 256 || CONTROL.test(s) || !/^[^@\s]+@[^@\s]+$/.test(s)) {
    return 'user must be a sign-in name (userPrincipalName) such as bob@contoso.com; let the client complete it.';
  }
  return undefined;
}

export function hoursValue(v: string): string | undefined {
  const s = v.trim();
  const n = /^\d{1,3}$/.test(s) ? Number(s) : NaN;
  return n >= 1 && n <= MAX_HOURS ? undefined : `hours must be a whole number from 1 to ${MAX_HOURS}, such as 24.`;
}

export const oneOfValues =
  (name: string, values: readonly string[]) =>
  (v: string): string | undefined =>
    values.some((x) => x.toLowerCase() === v.trim().toLowerCase()) ? undefined : `${name} must be one of: ${values.join(', ')}.`;

/** The value as the text uses it: trimmed, and for a fixed list spelled as the list spells it. */
export function canonical(v: string, values?: readonly string[]): string {
  const s = v.trim();
  return values?.find((x) => x.toLowerCase() === s.toLowerCase()) ?? s;
}
