// Cloud PC records, reduced to what an admin needs to recognise a device and its user.

export const CLOUD_PCS_PATH = '/deviceManagement/virtualEndpoint/cloudPCs';

export const CLOUD_PC_SELECT = [
  'id',
  'displayName',
  'managedDeviceName',
  'userPrincipalName',
  'status',
  'provisioningPolicyName',
  'servicePlanName',
  'powerState',
].join(',');

export interface CloudPcSummary {
  id: string;
  displayName?: string;
  managedDeviceName?: string;
  userPrincipalName?: string;
  status?: string;
  provisioningPolicyName?: string;
  servicePlanName?: string;
  powerState?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function toCloudPc(raw: Record<string, unknown>): CloudPcSummary {
  return {
    id: str(raw.id) ?? '',
    displayName: str(raw.displayName),
    managedDeviceName: str(raw.managedDeviceName),
    userPrincipalName: str(raw.userPrincipalName),
    status: str(raw.status),
    provisioningPolicyName: str(raw.provisioningPolicyName),
    servicePlanName: str(raw.servicePlanName),
    powerState: str(raw.powerState),
  };
}
