// The context a local sign-in failure is explained in, for unit tests: device code sign-in to the global cloud with
// the default public client, overridable per test.
import type { AuthErrorContext } from '../../src/auth/entraErrors/signInErrors.js';
import { DEFAULT_PUBLIC_CLIENT_ID } from '../../src/auth/methods.js';
import { CLOUDS } from '../../src/graph/clouds.js';

export const signInContext = (over: Partial<AuthErrorContext> = {}): AuthErrorContext => ({
  method: 'devicecode',
  cloud: CLOUDS.global,
  authorityHost: 'https://login.microsoftonline.com',
  tenantId: 'organizations',
  clientId: DEFAULT_PUBLIC_CLIENT_ID,
  scope: 'https://graph.microsoft.com/CloudPC.ReadWrite.All',
  ...over,
});
