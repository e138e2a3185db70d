// Entra's error answers, by AADSTS code, worded as Entra words them: the stand-in gives them on its own (a wrong
// secret, an unknown tenant, a pending device code) and when a test scripts one (missing consent, a dead refresh
// token). One table, so the server's explanations are tested against the answers users really meet.
import { randomUUID } from 'node:crypto';

/** What the stand-in sends: JSON, or a redirect (the browser sign-in page). */
export interface Answer {
  status: number;
  body?: unknown;
  location?: string;
}

interface EntraError {
  status: number;
  error: string;
  /** {client}, {tenant} and {grant} are filled in from the request. */
  text: string;
  suberror?: string;
}

const ERRORS: Record<number, EntraError> = {
  50013: { status: 400, error: 'invalid_grant', text: 'Assertion failed signature validation.' },
  50049: { status: 400, error: 'invalid_instance', text: 'Unknown or invalid instance.' },
  65001: {
    status: 400,
    error: 'invalid_grant',
    suberror: 'consent_required',
    text: "The user or administrator has not consented to use the application with ID '{client}'. Send an interactive authorization request for this user and resource.",
  },
  65004: { status: 400, error: 'access_denied', text: 'User declined to consent to access the app.' },
  70000: { status: 400, error: 'invalid_grant', text: 'The provided value for the input parameter device_code is not valid.' },
  70003: { status: 400, error: 'unsupported_grant_type', text: "The app requested an unsupported grant type '{grant}'." },
  70016: { status: 400, error: 'authorization_pending', text: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.' },
  70020: { status: 400, error: 'expired_token', text: 'The provided value for the input parameter device_code has expired.' },
  90002: {
    status: 400,
    error: 'invalid_tenant',
    text: "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
  },
  501481: {
    status: 400,
    error: 'invalid_grant',
    text: 'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
  },
  700016: {
    status: 400,
    error: 'unauthorized_client',
    text: "Application with identifier '{client}' was not found in the directory '{tenant}'.",
  },
  700024: { status: 401, error: 'invalid_client', text: 'Client assertion is not within its valid time range.' },
  700082: {
    status: 400,
    error: 'invalid_grant',
    suberror: 'bad_token',
    text: 'The refresh token has expired due to inactivity. The token was issued on 2026-01-01 and was inactive for 90.00:00:00.',
  },
  7000215: {
    status: 401,
    error: 'invalid_client',
    text: 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
  },
  9002313: { status: 400, error: 'invalid_grant', text: 'Invalid request. Request is malformed or invalid.' },
  9002325: { status: 400, error: 'invalid_request', text: 'Proof Key for Code Exchange is required.' },
};

export interface ErrorContext {
  client?: string;
  tenant?: string;
  grant?: string;
}

/** The first line of error_description: "AADSTS65001: The user or administrator …". */
export function describeError(
  aadsts: number,
  context: ErrorContext = {},
  override?: Partial<EntraError>,
): EntraError & { description: string } {
  const known = ERRORS[aadsts];
  if (!known) throw new Error(`the Entra stand-in has no answer for AADSTS${aadsts}: add it to the table in errors.ts`);
  const e = { ...known, ...override };
  const text = e.text.replace(/\{(client|tenant|grant)\}/g, (_, k: keyof ErrorContext) => context[k] ?? '');
  return { ...e, text, description: `AADSTS${aadsts}: ${text}` };
}

/** The JSON error Entra's token and device code endpoints answer with, trace lines included. */
export function entraError(aadsts: number, context: ErrorContext = {}, override?: Partial<EntraError>): Answer {
  const e = describeError(aadsts, context, override);
  const now = new Date().toISOString();
  return {
    status: e.status,
    body: {
      error: e.error,
      error_description: `${e.description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${now}`,
      error_codes: [aadsts],
      timestamp: now,
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
      ...(e.suberror ? { suberror: e.suberror } : {}),
    },
  };
}

/** The browser sign-in page's error: a redirect back to the app with error and error_description. */
export function errorRedirect(back: URL, aadsts: number, context: ErrorContext = {}): Answer {
  const e = describeError(aadsts, context);
  back.searchParams.set('error', e.error);
  back.searchParams.set('error_description', e.description);
  return { status: 302, location: back.toString() };
}
