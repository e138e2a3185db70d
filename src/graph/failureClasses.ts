// Which failures a retry can fix. ONE table: Graph's codes and well-known messages → a class and a one-line fix.
//   retryable: transient (time-outs, internal errors, service busy): a retry may well succeed.
//   fixFirst:  a retry fails again until something else changes (subnet full, licence, PC off, unsupported, permissions).
//   unknown:   anything the table does not know. Never guessed.
// Device failure codes only, each from one of Graph's own lists (docs/failures.md, "Where the codes come from"):
// cloudPcOnPremisesConnectionHealthCheckErrorType (the Azure network connection checks a provisioning or reprovision
// runs), cloudPcResizeValidationCode, and the status codes of the reference examples (internalServerError). HTTP API
// error codes (itemNotFound, accessDenied, activityLimitReached, serviceNotAvailable, tooManyRequests, …) describe a
// request to Graph, not a device's failure, and are not in it. Messages: Windows 365's provisioning, resize and
// grace-period troubleshooting pages. A code the table lacks falls to Graph's own `retriable` hint, else unknown.
import { ACTION_TYPE_RECORDS } from '../core/actionTypes.js';
import type { StatusDetail } from './outcomes/remoteActions.js';

export type FailureClass = 'retryable' | 'fixFirst' | 'unknown';
export const FAILURE_CLASSES: readonly FailureClass[] = ['retryable', 'fixFirst', 'unknown'];

export interface FailureRule {
  /** Short stable name, shown in structured results and docs. */
  name: string;
  class: Exclude<FailureClass, 'unknown'>;
  /** Codes compared without case. */
  codes?: readonly string[];
  /** A well-known message. */
  message?: RegExp;
  /** Action types the rule applies to (all when absent). */
  actions?: readonly string[];
  /** One line for the admin (for retryable failures, what to expect); a function fills in names the message gives. */
  fix: string | ((names: MessageNames) => string);
}

/** Names a Windows 365 message may carry, e.g. "The subnet 'snet-a' of Azure network connection 'anc-b' …". */
export interface MessageNames {
  subnet?: string;
  connection?: string;
}

export function namesIn(message: string | undefined): MessageNames {
  if (!message) return {};
  return {
    subnet: /\bsubnet '([^']{1,200})'/i.exec(message)?.[1],
    connection: /\bnetwork connection '([^']{1,200})'/i.exec(message)?.[1],
  };
}

// Remote actions that need a running PC: a PC that is off fails them again until it is started.
const NEEDS_RUNNING_PC = [...ACTION_TYPE_RECORDS.filter((r) => r.needsRunningPc).map((r) => r.type), 'unknown'];

// Order matters: the first rule that matches wins, so specific causes come before generic ones (a message naming a
// full subnet wins over an internalServerError code).
export const FAILURE_RULES: readonly FailureRule[] = [
  {
    name: 'subnetOutOfAddresses',
    class: 'fixFirst',
    codes: ['resourceAvailabilityCheckNoSubnetIP'],
    message: /\b(?:no|not enough|insufficient) (?:free |available )?IP addresses?\b/i,
    fix: (m) =>
      `Add free IP addresses to ${m.subnet ? `subnet '${m.subnet}'` : 'the subnet'} of ${m.connection ? `Azure network connection '${m.connection}'` : 'its Azure network connection'} ` +
      '(or point the connection at a larger subnet), then retry.',
  },
  {
    name: 'gracePeriod',
    class: 'fixFirst',
    message: /grace period/i,
    fix: "Reassign the user's Windows 365 licence (and provisioning-policy group membership) so the Cloud PC leaves its grace period, then retry.",
  },
  {
    name: 'licence',
    class: 'fixFirst',
    codes: ['targetLicenseHasAssigned'],
    message: /\blicen[cs]e\b/i,
    fix: "Fix the user's Windows 365 licence assignment (the target licence for a resize, or a missing licence), then retry.",
  },
  {
    name: 'pcNotRunning',
    class: 'fixFirst',
    actions: NEEDS_RUNNING_PC,
    message: /\bnot running\b|\bpowered off\b|\bis (?:turned|shut) off\b|\bis stopped\b/i,
    fix: 'Start the Cloud PC (power on) or wait until it is running, then retry.',
  },
  {
    name: 'unsupported',
    class: 'fixFirst',
    codes: ['operationNotSupported'],
    message: /\bnot supported\b|\bunsupported\b|\bfrontline\b/i,
    fix: 'This action is not supported for this Cloud PC (e.g. a Frontline or GPU Cloud PC): leave it out of the retry.',
  },
  {
    name: 'pcNotFound',
    class: 'fixFirst',
    codes: ['cloudPcNotFound'],
    fix: 'The Cloud PC no longer exists (deprovisioned or moved): leave it out of the retry.',
  },
  {
    name: 'azurePolicyOrLock',
    class: 'fixFirst',
    codes: [
      'resourceAvailabilityCheckAzurePolicyViolation',
      'resourceAvailabilityCheckIntuneDefaultWindowsRestrictionViolation',
      'resourceAvailabilityCheckIntuneCustomWindowsRestrictionViolation',
      'resourceAvailabilityCheckResourceGroupLockedForReadonly',
      'resourceAvailabilityCheckResourceGroupLockedForDelete',
    ],
    message: /\bazure polic(?:y|ies)\b|\benrollment restriction\b|\bresource group is locked\b/i,
    fix: 'An Azure policy, Intune enrollment restriction or resource lock blocks the change: allow it for Windows 365, then retry.',
  },
  {
    name: 'permissions',
    class: 'fixFirst',
    codes: [
      'permissionCheckNoSubscriptionReaderRole',
      'permissionCheckNoResourceGroupOwnerRole',
      'permissionCheckNoVNetContributorRole',
      'permissionCheckNoResourceGroupNetworkContributorRole',
      'permissionCheckNoWindows365NetworkUserRole',
      'permissionCheckNoWindows365NetworkInterfaceContributorRole',
      'resourceAvailabilityCheckNoIntuneReaderRoleError',
    ],
    message: /\baccess (?:is )?denied\b|\binsufficient (?:privileges|permissions?)\b|\bnot authori[sz]ed\b/i,
    fix: 'Give the Windows 365 service (or the admin) the role or permission the message names, then retry.',
  },
  {
    name: 'azureSubscription',
    class: 'fixFirst',
    codes: [
      'resourceAvailabilityCheckSubscriptionDisabled',
      'resourceAvailabilityCheckSubscriptionNotFound',
      'resourceAvailabilityCheckSubscriptionTransferred',
      'resourceAvailabilityCheckUnsupportedVNetRegion',
      'resourceAvailabilityCheckSubnetInvalid',
      'resourceAvailabilityCheckVNetInvalid',
      'resourceAvailabilityCheckResourceGroupInvalid',
      'resourceAvailabilityCheckSubnetDelegationFailed',
    ],
    fix: "Fix the Azure subscription, virtual network or subnet of the Cloud PC's Azure network connection, then retry.",
  },
  {
    name: 'quota',
    class: 'fixFirst',
    codes: ['resourceAvailabilityCheckDeploymentQuotaLimitReached'],
    fix: 'An Azure or Windows 365 quota is used up: raise it or free capacity, then retry.',
  },
  {
    name: 'domainJoinOrNetwork',
    class: 'fixFirst',
    codes: [
      'dnsCheckFqdnNotFound',
      'dnsCheckNameWithInvalidCharacter',
      'adJoinCheckFqdnNotFound',
      'adJoinCheckIncorrectCredentials',
      'adJoinCheckOrganizationalUnitNotFound',
      'adJoinCheckOrganizationalUnitIncorrectFormat',
      'adJoinCheckComputerObjectAlreadyExists',
      'adJoinCheckAccessDenied',
      'adJoinCheckCredentialsExpired',
      'adJoinCheckAccountLockedOrDisabled',
      'adJoinCheckAccountQuotaExceeded',
      'endpointConnectivityCheckCloudPcUrlNotAllowListed',
      'endpointConnectivityCheckWVDUrlNotAllowListed',
      'endpointConnectivityCheckIntuneUrlNotAllowListed',
      'endpointConnectivityCheckAzureADUrlNotAllowListed',
      'endpointConnectivityCheckLocaleUrlNotAllowListed',
    ],
    fix: 'Fix the domain join or network setting of the Azure network connection that its health check names, then retry.',
  },
  {
    name: 'operationInProgress',
    class: 'retryable',
    codes: ['operationConflict'],
    fix: 'Another operation was running on the Cloud PC; retry once it has finished.',
  },
  {
    name: 'timeout',
    class: 'retryable',
    codes: ['internalServerErrorVMDeploymentTimeout'],
    message: /\btimed? ?out\b|\btimeout\b|\bdid not respond\b/i,
    fix: 'Transient: a retry may succeed.',
  },
  {
    name: 'serviceBusy',
    class: 'retryable',
    codes: [
      'azureAdDeviceSyncCheckTransientServiceError',
      'resourceAvailabilityCheckTransientServiceError',
      'permissionCheckTransientServiceError',
    ],
    message: /\bservice (?:is )?(?:busy|unavailable)\b|\btry again later\b|\btransient\b/i,
    fix: 'Transient: a retry may succeed.',
  },
  {
    name: 'internalError',
    class: 'retryable',
    codes: [
      'internalServerError',
      'internalServerUnknownError',
      'internalServerErrorDeploymentCanceled',
      'internalServerErrorAllocateResourceFailed',
      'internalServerErrorUnableToRunDscScript',
    ],
    message: /\binternal (?:server )?error\b/i,
    fix: 'Transient: a retry may succeed; if it fails again, open a support case with the correlation id.',
  },
];

export interface Classification {
  class: FailureClass;
  /** The rule that decided, or 'graphRetriable' when Graph's own retriable flag did. */
  rule?: string;
  fix?: string;
}

const byCode = new Map<string, FailureRule[]>();
for (const r of FAILURE_RULES) for (const c of r.codes ?? []) byCode.set(c.toLowerCase(), [...(byCode.get(c.toLowerCase()) ?? []), r]);

/** Pure: the class of one failure of an action of the given type. No code and no message: unknown. */
export function classifyDeviceFailure(detail: StatusDetail | undefined, actionType: string): Classification {
  if (!detail) return { class: 'unknown' };
  const applies = (r: FailureRule) => !r.actions || r.actions.includes(actionType);
  for (const r of FAILURE_RULES) {
    if (!applies(r)) continue;
    const codeHit = detail.code !== undefined && (byCode.get(detail.code.toLowerCase()) ?? []).includes(r);
    const messageHit = r.message && detail.message !== undefined ? r.message.exec(detail.message) : null;
    if (codeHit || messageHit) return { class: r.class, rule: r.name, fix: fillFix(r, detail.message) };
  }
  // Graph's own verdict on this very failure (cloudPcStatusDetail.additionalInformation "retriable") is data, not a guess.
  if (detail.retriable === true)
    return { class: 'retryable', rule: 'graphRetriable', fix: 'Graph marks this failure retriable: a retry may succeed.' };
  if (detail.retriable === false) {
    return {
      class: 'fixFirst',
      rule: 'graphRetriable',
      fix: 'Graph marks this failure not retriable: fix what the message names, then retry.',
    };
  }
  return { class: 'unknown' };
}

function fillFix(rule: FailureRule, message: string | undefined): string {
  return typeof rule.fix === 'string' ? rule.fix : rule.fix(namesIn(message));
}
