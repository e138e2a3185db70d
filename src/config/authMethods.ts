// The sign-in method names, a setting's domain: config parses them, auth/methods.ts describes them.

export const AUTH_METHODS = [
  'auto',
  'token',
  'browser',
  'devicecode',
  'azurecli',
  'azd',
  'environment',
  'managedidentity',
  'workloadidentity',
] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
