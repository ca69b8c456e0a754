import type {
  RolloutDeviceState,
  RolloutEventKind,
  RolloutExclusionReason,
  RolloutPhasePlanInput,
  RolloutStatus,
  RolloutTargetView,
} from '@repo/schemas';

export const ROLLOUT_STATUS_LABELS: Record<RolloutStatus, string> = {
  draft: 'Draft',
  running: 'Running',
  paused: 'Paused',
  completed: 'Completed',
  aborted: 'Aborted',
};

export const ROLLOUT_STATUS_TONES: Record<RolloutStatus, string> = {
  draft: 'badge--muted',
  running: 'badge--working',
  paused: 'badge--warning',
  completed: 'badge--ok',
  aborted: 'badge--danger',
};

export const DEVICE_STATE_LABELS: Record<RolloutDeviceState, string> = {
  waiting: 'Waiting',
  active: 'Installing',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  removed: 'Removed',
};

/** In the order a device goes through them; the chart stacks them so. */
export const DEVICE_STATES: RolloutDeviceState[] = [
  'succeeded',
  'failed',
  'active',
  'waiting',
  'cancelled',
  'removed',
];

export const DEVICE_STATE_COLOURS: Record<RolloutDeviceState, string> = {
  succeeded: '#067647',
  failed: '#b42318',
  active: '#3346d3',
  waiting: '#98a2b3',
  cancelled: '#5c6478',
  removed: '#dc6803',
};

export const EXCLUSION_LABELS: Record<RolloutExclusionReason, string> = {
  not_entitled: 'Not entitled in this mode',
  not_test_device: 'Not a test device',
  model_not_supported: 'Model not supported',
  firmware_too_old: 'Firmware too old',
  already_installed: 'Already runs this version',
  in_another_rollout: 'In another open rollout',
};

export const EVENT_LABELS: Record<RolloutEventKind, string> = {
  created: 'Created',
  started: 'Started',
  phase_started: 'Phase started',
  paused: 'Paused',
  resumed: 'Resumed',
  retried: 'Failed installs retried',
  aborted: 'Aborted',
  completed: 'Completed',
};

/** A phase's size as planned: "10 %" or "25 devices", counted from the start. */
export function describePhasePlan(plan: RolloutPhasePlanInput): string {
  return plan.kind === 'percent'
    ? `${plan.value} %`
    : `${plan.value} device${plan.value === 1 ? '' : 's'}`;
}

/** A share from 0 to 1 as people write it: 0.95 → "95 %". */
export const formatShare = (share: number) => `${Math.round(share * 10_000) / 100} %`;

export const formatHour = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

/** What the rollout aims at, before it is narrowed to the entitled and compatible. */
export function describeTarget(target: RolloutTargetView, itemName: string): string {
  if (target.kind === 'group')
    return `Group ${target.groupName}${target.groupId ? '' : ' (deleted since)'}`;
  if (target.kind === 'filter') return 'A filter';
  return `Every device entitled to ${itemName}`;
}
