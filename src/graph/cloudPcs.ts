// Cloud PC records, reduced to what an admin needs to recognise a device and its user.
import { CLOUD_PC_STATUSES_AFTER_SENTINEL, CLOUD_PC_STATUSES_UP_TO_SENTINEL } from '../core/cloudPcStatuses.js';

export const CLOUD_PCS_PATH = '/deviceManagement/virtualEndpoint/cloudPCs';

/**
 * Without this request header Graph answers every status added after `unknownFutureValue` as unknownFutureValue
 * (and a filter on one is not understood), so it goes with every Cloud PC read.
 */
export const INCLUDE_UNKNOWN_ENUMS = { Prefer: 'include-unknown-enum-members' } as const;

/** cloudPcStatus: the members up to the sentinel, then the ones Graph sends only with INCLUDE_UNKNOWN_ENUMS. */
export const CLOUD_PC_STATUSES = [...CLOUD_PC_STATUSES_UP_TO_SENTINEL, ...CLOUD_PC_STATUSES_AFTER_SENTINEL] as const;

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
