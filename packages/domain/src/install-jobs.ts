/**
 * The install job state machine. Operators queue and cancel, the device moves a job forward;
 * nothing else ever changes a job's state, and a job that has finished never changes again.
 */
import { installStatusSchema, type DeviceJobReport, type InstallStatus } from '@repo/schemas';

export type { InstallStatus };
export const INSTALL_STATUSES = installStatusSchema.options;

export const INSTALL_EVENTS = [
  'send',
  'download',
  'install',
  'progress',
  'succeed',
  'fail',
  'cancel',
] as const;
export type InstallEvent = (typeof INSTALL_EVENTS)[number];

const transitions: Record<InstallStatus, Partial<Record<InstallEvent, InstallStatus>>> = {
  queued: { send: 'sent', cancel: 'cancelled' },
  sent: { download: 'downloading', fail: 'failed', cancel: 'cancelled' },
  downloading: { progress: 'downloading', install: 'installing', fail: 'failed' },
  installing: { progress: 'installing', succeed: 'succeeded', fail: 'failed' },
  succeeded: {},
  failed: {},
  cancelled: {},
};

/** The state an event moves a job to, or null when the event is not allowed from that state. */
export function nextInstallStatus(
  status: InstallStatus,
  event: InstallEvent,
): InstallStatus | null {
  return transitions[status][event] ?? null;
}

/** Jobs still on their way to the device; at most one per device and item. */
export const ACTIVE_INSTALL_STATUSES: readonly InstallStatus[] = [
  'queued',
  'sent',
  'downloading',
  'installing',
];

export function isInstallActive(status: InstallStatus): boolean {
  return ACTIVE_INSTALL_STATUSES.includes(status);
}

export function isInstallCancellable(status: InstallStatus): boolean {
  return nextInstallStatus(status, 'cancel') !== null;
}

export function isInstallRetryable(status: InstallStatus): boolean {
  return status === 'failed';
}

/** What a device reports, as the event it stands for. */
export type DeviceReportedStatus = DeviceJobReport['status'];

export function eventForReport(
  current: InstallStatus,
  reported: DeviceReportedStatus,
): InstallEvent {
  switch (reported) {
    case 'downloading':
      return current === 'downloading' ? 'progress' : 'download';
    case 'installing':
      return current === 'installing' ? 'progress' : 'install';
    case 'succeeded':
      return 'succeed';
    case 'failed':
      return 'fail';
  }
}
