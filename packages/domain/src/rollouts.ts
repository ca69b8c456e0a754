import {
  describeIncompatibility,
  releaseIncompatibility,
  type DeviceTraits,
  type ReleaseRequirements,
} from './compatibility';
import type { InstalledRelation, RolloutExclusionReason } from '@repo/schemas';
import { compareFirmware, isFirmwareVersion } from './firmware';

/**
 * The rollout state machine: one release put on a set of devices in phases. Each phase starts
 * when the previous one has installed on enough of its devices (the success threshold); too many
 * failures among the installs a phase has finished (the error threshold) pause the rollout, with
 * the reason, until an operator resumes it. The machine only decides; the caller counts the
 * devices and carries out the effects (queue a phase's installs, cancel what waits, announce).
 *
 * The devices of a rollout are always entitled to the release's item and able to run it: the
 * caller narrows the target to entitled ∩ compatible, drops a device whose entitlement ends
 * (`removed`) and adds one that becomes entitled while the rollout runs to the current phase.
 */

export const ROLLOUT_STATUSES = ['draft', 'running', 'paused', 'completed', 'aborted'] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];

/** A phase's size: a share of all the rollout's devices, or a number of devices, counted from the start. */
export type RolloutPhasePlan =
  { kind: 'percent'; value: number } | { kind: 'count'; value: number };

/** Where one device of a rollout stands. */
export const ROLLOUT_DEVICE_STATES = [
  /** Its phase has not started. */
  'waiting',
  /** An install is queued or on its way. */
  'active',
  'succeeded',
  'failed',
  /** The rollout was aborted before its install was sent. */
  'cancelled',
  /** Its entitlement ended (a refund) or it was left out by an operator. */
  'removed',
] as const;
export type RolloutDeviceState = (typeof ROLLOUT_DEVICE_STATES)[number];

export type PhaseCounts = Record<RolloutDeviceState, number>;

export const emptyPhaseCounts = (): PhaseCounts => ({
  waiting: 0,
  active: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  removed: 0,
});

export type RolloutState = {
  status: RolloutStatus;
  /** The phase being rolled out (0-based); -1 before the start. */
  currentPhase: number;
  /** Why the rollout is paused, for people; null unless paused. */
  pauseReason: string | null;
  /** Share (0–1) of a phase's devices that must have installed before the next phase starts. */
  successThreshold: number;
  /** Share (0–1) of failed among finished installs of the current phase that pauses the rollout. */
  errorThreshold: number;
  /**
   * What the operator had seen when they last resumed: failures up to then no longer count
   * against the error threshold, and the phase they resumed may end below the success threshold.
   */
  acknowledged: { phase: number; failed: number; finished: number } | null;
};

export type RolloutCommand =
  | { kind: 'start' }
  | { kind: 'pause'; reason: string }
  | { kind: 'resume' }
  | { kind: 'abort' }
  | { kind: 'retry_failed' }
  /** Something changed (an install finished, a device joined or left): look again. */
  | { kind: 'evaluate' };

export type RolloutAnnouncement =
  | 'rollout.started'
  | 'rollout.paused'
  | 'rollout.resumed'
  | 'rollout.completed'
  | 'rollout.aborted';

export type RolloutEffect =
  /** Queue installs for the waiting devices of this phase. */
  | { kind: 'queue_phase'; phase: number }
  /** Cancel the installs not yet sent, and the devices still waiting. */
  | { kind: 'cancel_pending' }
  /** Queue a new attempt for every failed device. */
  | { kind: 'retry_failed' }
  | { kind: 'announce'; event: RolloutAnnouncement };

export type RolloutDecision =
  { ok: true; state: RolloutState; effects: RolloutEffect[] } | { ok: false; reason: string };

/**
 * How many devices each phase ends with, counted from the start, for `total` devices: a share is
 * rounded up (a 1 % phase of 30 devices is one device), a count is capped at the total, and the
 * last phase always takes every device. Phases never shrink.
 */
export function phaseEnds(total: number, plan: readonly RolloutPhasePlan[]): number[] {
  let previous = 0;
  return plan.map((phase, index) => {
    const wanted =
      index === plan.length - 1
        ? total
        : phase.kind === 'percent'
          ? Math.ceil((total * phase.value) / 100)
          : phase.value;
    previous = Math.max(previous, Math.min(total, wanted));
    return previous;
  });
}

/** Each phase's size and the devices enrolled up to its end, as a preview shows the plan. */
export function phaseSizes(
  total: number,
  plan: readonly RolloutPhasePlan[],
): { phase: number; devices: number; cumulative: number }[] {
  const ends = phaseEnds(total, plan);
  return ends.map((end, phase) => ({
    phase,
    devices: end - (ends[phase - 1] ?? 0),
    cumulative: end,
  }));
}

/** The phase of the device at `position` (0-based) in the rollout's order. */
export function phaseOfPosition(position: number, ends: readonly number[]): number {
  const phase = ends.findIndex((end) => position < end);
  return phase === -1 ? ends.length - 1 : phase;
}

/** Problems with a phase plan and thresholds, for the API to refuse before anything is written. */
export function rolloutPlanProblems(
  plan: readonly RolloutPhasePlan[],
  successThreshold: number,
  errorThreshold: number,
): string[] {
  const problems: string[] = [];
  if (plan.length === 0) problems.push('A rollout needs at least one phase.');
  if (plan.length > 10) problems.push('A rollout has at most 10 phases.');
  plan.forEach((phase, i) => {
    if (phase.kind === 'percent' && !(phase.value > 0 && phase.value <= 100))
      problems.push(`Phase ${i + 1}: a share is more than 0 % and at most 100 %.`);
    if (phase.kind === 'count' && !(Number.isInteger(phase.value) && phase.value >= 1))
      problems.push(`Phase ${i + 1}: a number of devices is a whole number of at least 1.`);
    const before = plan[i - 1];
    if (before && before.kind === phase.kind && phase.value <= before.value)
      problems.push(`Phase ${i + 1} must reach further than phase ${i}.`);
  });
  if (!(successThreshold > 0 && successThreshold <= 1))
    problems.push('The success threshold is more than 0 % and at most 100 %.');
  if (!(errorThreshold >= 0 && errorThreshold < 1))
    problems.push('The error threshold is at least 0 % and less than 100 %.');
  return problems;
}

const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;
const finishedOf = (c: PhaseCounts) => c.succeeded + c.failed;
/** Devices a phase still counts: those that left it do not. */
const devicesOf = (c: PhaseCounts) => c.waiting + c.active + c.succeeded + c.failed;
const isPhaseSettled = (c: PhaseCounts) => c.waiting === 0 && c.active === 0;

function refuse(reason: string): RolloutDecision {
  return { ok: false, reason };
}

/**
 * What `command` does to a rollout whose phases hold `phases` devices in each state. Refuses
 * what cannot be done from the current status, with the reason.
 */
export function decideRollout(
  state: RolloutState,
  phases: readonly PhaseCounts[],
  command: RolloutCommand,
): RolloutDecision {
  switch (command.kind) {
    case 'start': {
      if (state.status !== 'draft') return refuse(`The rollout is ${state.status} already.`);
      if (phases.every((c) => devicesOf(c) === 0))
        return refuse('No device is entitled to this release and able to run it.');
      const first = nextPhaseWithDevices(phases, -1);
      return {
        ok: true,
        state: { ...state, status: 'running', currentPhase: first, pauseReason: null },
        effects: [
          { kind: 'announce', event: 'rollout.started' },
          { kind: 'queue_phase', phase: first },
        ],
      };
    }
    case 'pause':
      if (state.status !== 'running')
        return refuse(`Only a running rollout can be paused; it is ${state.status}.`);
      return {
        ok: true,
        state: { ...state, status: 'paused', pauseReason: command.reason },
        effects: [{ kind: 'announce', event: 'rollout.paused' }],
      };
    case 'resume': {
      if (state.status !== 'paused')
        return refuse(`Only a paused rollout can be resumed; it is ${state.status}.`);
      const current = phases[state.currentPhase] ?? emptyPhaseCounts();
      const resumed: RolloutState = {
        ...state,
        status: 'running',
        pauseReason: null,
        acknowledged: {
          phase: state.currentPhase,
          failed: current.failed,
          finished: finishedOf(current),
        },
      };
      const next = decideRollout(resumed, phases, { kind: 'evaluate' });
      if (!next.ok) return next;
      return {
        ok: true,
        state: next.state,
        effects: [{ kind: 'announce', event: 'rollout.resumed' }, ...next.effects],
      };
    }
    case 'abort':
      if (state.status === 'completed' || state.status === 'aborted')
        return refuse(`The rollout is ${state.status}; there is nothing to abort.`);
      return {
        ok: true,
        state: { ...state, status: 'aborted', pauseReason: null },
        effects: [{ kind: 'cancel_pending' }, { kind: 'announce', event: 'rollout.aborted' }],
      };
    case 'retry_failed': {
      if (state.status === 'draft' || state.status === 'aborted')
        return refuse(`A ${state.status} rollout has no installs to retry.`);
      if (phases.every((c) => c.failed === 0)) return refuse('No install has failed.');
      const current = phases[state.currentPhase] ?? emptyPhaseCounts();
      return {
        ok: true,
        state: {
          ...state,
          // A completed rollout runs again for as long as the retries take.
          status: state.status === 'completed' ? 'running' : state.status,
          // The failures are retried, so they no longer count; what succeeded stays seen.
          acknowledged: { phase: state.currentPhase, failed: 0, finished: current.succeeded },
        },
        effects: [{ kind: 'retry_failed' }],
      };
    }
    case 'evaluate':
      return evaluate(state, phases);
  }
}

function nextPhaseWithDevices(phases: readonly PhaseCounts[], after: number): number {
  for (let phase = after + 1; phase < phases.length; phase += 1) {
    if (devicesOf(phases[phase]!) > 0) return phase;
  }
  return -1;
}

function evaluate(state: RolloutState, phases: readonly PhaseCounts[]): RolloutDecision {
  if (state.status !== 'running') return { ok: true, state, effects: [] };
  const phase = state.currentPhase;
  const current = phases[phase] ?? emptyPhaseCounts();
  const acknowledged =
    state.acknowledged?.phase === phase ? state.acknowledged : { phase, failed: 0, finished: 0 };

  // Too many failures among what this phase finished since the operator last looked: pause.
  const failed = current.failed - acknowledged.failed;
  const finished = finishedOf(current) - acknowledged.finished;
  if (failed > 0 && finished > 0 && failed / finished > state.errorThreshold) {
    return {
      ok: true,
      state: {
        ...state,
        status: 'paused',
        pauseReason: `Paused automatically: ${failed} of ${finished} installs in phase ${phase + 1} failed (${percent(failed / finished)}), above the ${percent(state.errorThreshold)} error threshold.`,
      },
      effects: [{ kind: 'announce', event: 'rollout.paused' }],
    };
  }

  // Devices that joined the phase (a new purchase, the end of a pause) get their installs now.
  const queued: RolloutEffect[] = current.waiting > 0 ? [{ kind: 'queue_phase', phase }] : [];
  const devices = devicesOf(current);
  const reached = devices === 0 || current.succeeded / devices >= state.successThreshold;
  const waived = state.acknowledged?.phase === phase && isPhaseSettled(current);
  const next = nextPhaseWithDevices(phases, phase);
  if (reached || waived) {
    if (next !== -1) {
      return {
        ok: true,
        state: { ...state, currentPhase: next },
        effects: [...queued, { kind: 'queue_phase', phase: next }],
      };
    }
    // The last phase: done once nothing is on its way anywhere.
    if (phases.every(isPhaseSettled)) {
      return {
        ok: true,
        state: { ...state, status: 'completed' },
        effects: [{ kind: 'announce', event: 'rollout.completed' }],
      };
    }
    return { ok: true, state, effects: queued };
  }
  if (isPhaseSettled(current)) {
    // Every install of the phase ended, and too few succeeded to go on without someone looking.
    return {
      ok: true,
      state: {
        ...state,
        status: 'paused',
        pauseReason: `Paused automatically: phase ${phase + 1} ended with ${current.succeeded} of ${devices} devices installed (${percent(current.succeeded / devices)}), below the ${percent(state.successThreshold)} success threshold.`,
      },
      effects: [{ kind: 'announce', event: 'rollout.paused' }],
    };
  }
  return { ok: true, state, effects: queued };
}

/** UTC hours [startHour, endHour) in which a rollout may send installs; it may wrap midnight. */
export type MaintenanceWindow = { startHour: number; endHour: number };

export function isWithinWindow(window: MaintenanceWindow | null, at: Date): boolean {
  if (!window) return true;
  const hour = at.getUTCHours();
  const { startHour, endHour } = window;
  if (startHour === endHour) return true;
  return startHour < endHour
    ? hour >= startHour && hour < endHour
    : hour >= startHour || hour < endHour;
}

/**
 * The order a rollout enrols its devices in: by a hash of the rollout's id and each device's ID,
 * so that the first phase (the canary) is spread over the fleet (sites, models, ID ranges) rather
 * than one corner of it, and the same rollout always orders the same devices the same way.
 */
export function rolloutOrder(rolloutId: string, deviceIds: readonly string[]): string[] {
  return deviceIds
    .map((id) => ({ id, key: spreadHash(`${rolloutId}:${id}`) }))
    .sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((d) => d.id);
}

/**
 * FNV-1a over the text, then MurmurHash3's finaliser: IDs that differ only in their last digit
 * land far apart, which FNV-1a alone does not do for the high bits the order is decided by.
 */
function spreadHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Whether a version lies in [min, max], either end left open when not given. */
export function isVersionInRange(version: string, range: { min?: string; max?: string }): boolean {
  if (!isFirmwareVersion(version)) return false;
  if (range.min !== undefined && compareFirmware(version, range.min) < 0) return false;
  if (range.max !== undefined && compareFirmware(version, range.max) > 0) return false;
  return true;
}

/**
 * Whether what a device has installed of an item (`null`: nothing) stands in `relation` to
 * `version`: a device without the item is only ever `none`.
 */
export function matchesInstalled(
  installed: string | null,
  relation: InstalledRelation,
  version: string | undefined,
): boolean {
  if (relation === 'none') return installed === null;
  if (installed === null || version === undefined || !isFirmwareVersion(installed)) return false;
  const order = compareFirmware(installed, version);
  return relation === 'equal' ? order === 0 : relation === 'below' ? order < 0 : order >= 0;
}

/** What decides whether one device of a target takes part in a rollout. */
export type RolloutCandidate = DeviceTraits & {
  isTestDevice: boolean;
  /** An active entitlement to the item in the rollout's mode. */
  entitled: boolean;
  /** The item's version it runs now, if any. */
  installedVersion: string | null;
  /** It is in another running or paused rollout of the same item. */
  inAnotherRollout: boolean;
};

export type RolloutExclusion = { reason: RolloutExclusionReason; message: string };

/**
 * Why a device of the target is left out of a rollout of `release` in `mode`, or null when it
 * takes part: a rollout installs only under an active entitlement of its mode, test-mode ones on
 * test devices only, only where the release can run, not where it runs already, and never on a
 * device another live rollout of the item holds (one install per device and item at a time).
 */
export function rolloutExclusion(
  device: RolloutCandidate,
  release: ReleaseRequirements & { version: string; itemName: string },
  mode: 'test' | 'live',
): RolloutExclusion | null {
  if (!device.entitled)
    return {
      reason: 'not_entitled',
      message: `No active ${mode}-mode entitlement to ${release.itemName}.`,
    };
  if (mode === 'test' && !device.isTestDevice)
    return {
      reason: 'not_test_device',
      message: 'Not a test device: test-mode rollouts install on test devices only.',
    };
  const incompatibility = releaseIncompatibility(device, release);
  if (incompatibility)
    return {
      reason:
        incompatibility.reason === 'MODEL_NOT_SUPPORTED'
          ? 'model_not_supported'
          : 'firmware_too_old',
      message: describeIncompatibility(incompatibility),
    };
  if (device.installedVersion === release.version)
    return { reason: 'already_installed', message: `Already runs ${release.version}.` };
  if (device.inAnotherRollout)
    return {
      reason: 'in_another_rollout',
      message: `In another running or paused rollout of ${release.itemName}.`,
    };
  return null;
}
