// The one Entra tenant every test signs in to: its ids, its app registration (a confidential client with a secret:
// remote mode's own app, and the service principal of local app-only sign-in) and its user. Tests take these values
// from here, so a test and the stand-in cannot disagree about which tenant or app is meant.
export const TENANT_ID = '7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b';
export const TENANT_DOMAIN = 'contoso.onmicrosoft.com';
/** The tenants the authority answers for: the tenant by id and by domain, and the multi-tenant aliases. */
export const TENANT_ALIASES = [TENANT_ID, TENANT_DOMAIN, 'organizations', 'common'];

export const CLIENT_ID = '3a8e6c1d-2b4f-4e70-9c8d-1e2f3a4b5c6d';
export const CLIENT_SECRET = 'stand-in-client-secret-0123456789';

export interface User {
  oid: string;
  upn: string;
  name?: string;
}

/** Who signs in unless a test says otherwise (signInAs), and whom minted caller tokens speak for by default. */
export const USER: User = { oid: '11111111-aaaa-4bbb-8ccc-000000000001', upn: 'alice@contoso.com', name: 'Alice Wilber' };

/** Delegated permissions (scp) of the Graph token the delegated grants issue. */
export const GRAPH_SCOPES = ['CloudPC.ReadWrite.All', 'CloudPC.Read.All'];
/** Application permissions (roles) of the app-only Graph token. */
export const GRAPH_APP_ROLES = ['CloudPC.Read.All'];
