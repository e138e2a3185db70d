// One table for every national cloud: Graph root, Entra authority and the host that scopes are named after.
// A token is only valid in the cloud that issued it, so all three must come from the same row.

export const CLOUD_NAMES = ['global', 'usgov', 'usgovdod', 'china'] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export interface CloudInfo {
  name: CloudName;
  label: string;
  /** Graph root without version segment or trailing slash. */
  graphRoot: string;
  /** Entra authority host (https URL, no trailing slash). */
  authorityHost: string;
  /** Resource host that delegated scopes are prefixed with, e.g. https://graph.microsoft.us/CloudPC.ReadWrite.All. */
  scopeHost: string;
  /** Whether Microsoft documents the bulk-action retry API in this cloud. */
  retryDocumented: boolean;
  /** Whether the Cloud PC reports (the action status report among them) are documented in this cloud. */
  reportsDocumented: boolean;
  /** Shown to the user when the cloud is selected and the API is not documented there. */
  caveat?: string;
}

export const CLOUDS: Readonly<Record<CloudName, CloudInfo>> = {
  global: {
    name: 'global',
    label: 'Global (commercial, GCC)',
    graphRoot: 'https://graph.microsoft.com',
    authorityHost: 'https://login.microsoftonline.com',
    scopeHost: 'https://graph.microsoft.com',
    retryDocumented: true,
    reportsDocumented: true,
  },
  usgov: {
    name: 'usgov',
    label: 'US Government L4 (GCC High)',
    graphRoot: 'https://graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    scopeHost: 'https://graph.microsoft.us',
    retryDocumented: true,
    reportsDocumented: true,
  },
  usgovdod: {
    name: 'usgovdod',
    label: 'US Government L5 (DoD)',
    graphRoot: 'https://dod-graph.microsoft.us',
    authorityHost: 'https://login.microsoftonline.us',
    scopeHost: 'https://dod-graph.microsoft.us',
    retryDocumented: false,
    reportsDocumented: false,
    caveat:
      'The current Graph documentation marks the bulk-action retry API as not available in US Government L5 (DoD); calls may fail with 404 or 400.',
  },
  china: {
    name: 'china',
    label: 'China (operated by 21Vianet)',
    graphRoot: 'https://microsoftgraph.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    scopeHost: 'https://microsoftgraph.chinacloudapi.cn',
    retryDocumented: false,
    reportsDocumented: false,
    caveat: 'The bulk-action retry API is not documented for the China cloud (21Vianet); calls may fail with 404 or 400.',
  },
};

/** Hosts that are real Microsoft Graph endpoints; anything else given as the Graph URL earns a warning. */
export const KNOWN_GRAPH_HOSTS: ReadonlySet<string> = new Set(Object.values(CLOUDS).map((c) => new URL(c.graphRoot).host));

export const SCOPE_RETRY = 'CloudPC.ReadWrite.All';
export const SCOPE_READ = 'CloudPC.Read.All';

export function delegatedScope(cloud: CloudInfo, permission: string = SCOPE_RETRY): string {
  return `${cloud.scopeHost}/${permission}`;
}

export function appOnlyScope(cloud: CloudInfo): string {
  return `${cloud.scopeHost}/.default`;
}
