// What an Entra AADSTS error code means, decided once for every way this server signs in: local sign-in
// (signInErrors.ts) and the on-behalf-of exchange of remote mode (obo.ts) read the same table and differ only in who
// they tell what to do. Codes: https://learn.microsoft.com/entra/identity-platform/reference-error-codes
import type { AuthErrorCode } from '../authErrors.js';

export type AadstsMeaning =
  | 'consent_missing'
  | 'consent_declined'
  | 'app_not_preauthorized'
  | 'app_not_found'
  | 'tenant_not_found'
  | 'account_not_supported'
  | 'tenant_unknown'
  | 'user_not_assigned'
  | 'mfa_required'
  | 'conditional_access'
  | 'session_expired'
  | 'code_expired'
  | 'credential_rejected'
  | 'federation_rejected'
  | 'scope_rejected';

/** Every AADSTS number this server explains; any other is reported as Entra said it, with no guess. */
export const AADSTS_MEANINGS: Readonly<Record<string, AadstsMeaning>> = {
  '65001': 'consent_missing',
  '65004': 'consent_declined',
  '65002': 'app_not_preauthorized',
  '700016': 'app_not_found',
  '90002': 'tenant_not_found',
  '50020': 'account_not_supported',
  '90072': 'account_not_supported',
  '500200': 'account_not_supported',
  '50059': 'tenant_unknown',
  '50105': 'user_not_assigned',
  '50076': 'mfa_required',
  '50079': 'mfa_required',
  '50158': 'mfa_required',
  '53000': 'conditional_access',
  '53001': 'conditional_access',
  '53003': 'conditional_access',
  '50173': 'session_expired',
  '50133': 'session_expired',
  '50013': 'session_expired',
  '500133': 'session_expired',
  '70043': 'session_expired',
  '700082': 'session_expired',
  '700084': 'session_expired',
  '70020': 'code_expired',
  '70019': 'code_expired',
  '7000215': 'credential_rejected',
  '7000222': 'credential_rejected',
  '700027': 'credential_rejected',
  '50012': 'credential_rejected',
  '70021': 'federation_rejected',
  '700211': 'federation_rejected',
  '700213': 'federation_rejected',
  '700024': 'federation_rejected',
  '70011': 'scope_rejected',
  '500011': 'scope_rejected',
};

/** The error code an AuthError carries for each meaning. */
export const AADSTS_ERROR_CODE: Readonly<Record<AadstsMeaning, AuthErrorCode>> = {
  consent_missing: 'consent_required',
  consent_declined: 'consent_required',
  app_not_preauthorized: 'consent_required',
  app_not_found: 'app_not_found',
  tenant_not_found: 'tenant_not_found',
  account_not_supported: 'account_not_supported',
  tenant_unknown: 'invalid_configuration',
  user_not_assigned: 'account_not_supported',
  mfa_required: 'mfa_required',
  conditional_access: 'conditional_access',
  session_expired: 'reauthentication_required',
  code_expired: 'sign_in_timeout',
  credential_rejected: 'invalid_client_credential',
  federation_rejected: 'federation_failed',
  scope_rejected: 'invalid_configuration',
};

export interface Aadsts {
  /** The number as Entra wrote it, e.g. '65001'. */
  number: string;
  /** Undefined for a number the table does not know. */
  meaning: AadstsMeaning | undefined;
}

/** The first AADSTS code in an identity error's text, and what it means. */
export function findAadsts(text: string): Aadsts | undefined {
  const number = /AADSTS(\d{5,7})/.exec(text)?.[1];
  return number === undefined ? undefined : { number, meaning: AADSTS_MEANINGS[number] };
}
