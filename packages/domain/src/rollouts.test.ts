import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideRollout,
  emptyPhaseCounts,
  isVersionInRange,
  isWithinWindow,
  matchesInstalled,
  phaseEnds,
  phaseOfPosition,
  phaseSizes,
  rolloutExclusion,
  rolloutOrder,
  rolloutPlanProblems,
  type PhaseCounts,
  type RolloutCandidate,
  type RolloutCommand,
  type RolloutDeviceState,
  type RolloutEffect,
  type RolloutPhasePlan,
  type RolloutState,
} from './rollouts';

const pct = (value: number): RolloutPhasePlan => ({ kind: 'percent', value });
const STAGED = [pct(1), pct(10), pct(50), pct(100)];

const draft = (successThreshold = 1, errorThreshold = 0.2): RolloutState => ({
  status: 'draft',
  currentPhase: -1,
  pauseReason: null,
  successThreshold,
  errorThreshold,
  acknowledged: null,
});

/**
 * A fleet in memory that carries out the machine's effects, as the service does with rows:
 * each device has a phase and a state, and installs finish when the test says so.
 */
class Fleet {
  state: RolloutState;
  readonly devices: { phase: number; state: RolloutDeviceState }[];
  readonly effects: RolloutEffect[] = [];

  constructor(total: number, plan: RolloutPhasePlan[], state = draft()) {
    const ends = phaseEnds(total, plan);
    this.devices = Array.from({ length: total }, (_, i) => ({
      phase: phaseOfPosition(i, ends),
      state: 'waiting' as RolloutDeviceState,
    }));
    this.state = state;
  }

  counts(): PhaseCounts[] {
    const phases = Math.max(0, ...this.devices.map((d) => d.phase + 1));
    const counts = Array.from({ length: phases }, emptyPhaseCounts);
    for (const d of this.devices) counts[d.phase]![d.state] += 1;
    return counts;
  }

  /** Runs a command, then looks again until nothing changes, as the service does. */
  send(command: RolloutCommand): void {
    let decision = decideRollout(this.state, this.counts(), command);
    for (let rounds = 0; ; rounds += 1) {
      if (!decision.ok) throw new Error(decision.reason);
      this.state = decision.state;
      this.effects.push(...decision.effects);
      const changed = decision.effects.some((e) => this.apply(e));
      if (!changed || rounds > 20) return;
      decision = decideRollout(this.state, this.counts(), { kind: 'evaluate' });
    }
  }

  private apply(effect: RolloutEffect): boolean {
    const move = (from: RolloutDeviceState, to: RolloutDeviceState, phase?: number) => {
      let moved = false;
      for (const d of this.devices) {
        if (d.state === from && (phase === undefined || d.phase === phase)) {
          d.state = to;
          moved = true;
        }
      }
      return moved;
    };
    switch (effect.kind) {
      case 'queue_phase':
        return move('waiting', 'active', effect.phase);
      case 'cancel_pending': {
        // In this model nothing has reached a device yet, so every install is cancelled.
        const waiting = move('waiting', 'cancelled');
        return move('active', 'cancelled') || waiting;
      }
      case 'retry_failed':
        return move('failed', 'active');
      case 'announce':
        return false;
    }
  }

  /** The devices whose installs are on their way, in phase order. */
  active() {
    return this.devices.filter((d) => d.state === 'active');
  }

  finish(count: number, outcome: 'succeeded' | 'failed'): void {
    for (const d of this.active().slice(0, count)) d.state = outcome;
    this.send({ kind: 'evaluate' });
  }

  queuedPhases() {
    return this.effects.flatMap((e) => (e.kind === 'queue_phase' ? [e.phase] : []));
  }

  announced() {
    return this.effects.flatMap((e) => (e.kind === 'announce' ? [e.event] : []));
  }
}

describe('phase sizes', () => {
  it('rounds shares up, so that a 1 % canary of a small fleet is still one device', () => {
    expect(phaseEnds(30, STAGED)).toEqual([1, 3, 15, 30]);
    expect(phaseEnds(100_000, STAGED)).toEqual([1_000, 10_000, 50_000, 100_000]);
  });

  it('caps fixed counts at the fleet and always ends with every device', () => {
    expect(
      phaseEnds(7, [
        { kind: 'count', value: 5 },
        { kind: 'count', value: 50 },
        { kind: 'count', value: 60 },
      ]),
    ).toEqual([5, 7, 7]);
    expect(phaseEnds(7, [pct(10), pct(20)])).toEqual([1, 7]);
  });

  it("gives each phase's own size beside the devices enrolled up to its end", () => {
    expect(phaseSizes(30, STAGED)).toEqual([
      { phase: 0, devices: 1, cumulative: 1 },
      { phase: 1, devices: 2, cumulative: 3 },
      { phase: 2, devices: 12, cumulative: 15 },
      { phase: 3, devices: 15, cumulative: 30 },
    ]);
  });

  it('places each position in the first phase that reaches past it', () => {
    const ends = phaseEnds(30, STAGED);
    expect([0, 1, 2, 3, 14, 15, 29].map((p) => phaseOfPosition(p, ends))).toEqual([
      0, 1, 1, 2, 2, 3, 3,
    ]);
  });

  it('refuses plans that shrink, overflow or have no phase, and thresholds out of range', () => {
    expect(rolloutPlanProblems(STAGED, 0.95, 0.2)).toEqual([]);
    expect(rolloutPlanProblems([], 1, 0.2)).toContain('A rollout needs at least one phase.');
    expect(rolloutPlanProblems([pct(50), pct(10)], 1, 0.2)).toContain(
      'Phase 2 must reach further than phase 1.',
    );
    expect(rolloutPlanProblems([pct(0), pct(120)], 1, 0.2)).toHaveLength(2);
    expect(rolloutPlanProblems([{ kind: 'count', value: 1.5 }], 1, 0.2)).toHaveLength(1);
    expect(rolloutPlanProblems(STAGED, 0, 1)).toHaveLength(2);
  });
});

describe('a staged rollout', () => {
  it('starts with the first phase only, and each next phase once the previous has installed', () => {
    const fleet = new Fleet(30, STAGED);
    fleet.send({ kind: 'start' });
    expect(fleet.state.status).toBe('running');
    expect(fleet.active()).toHaveLength(1);

    fleet.finish(1, 'succeeded');
    expect(fleet.state.currentPhase).toBe(1);
    expect(fleet.active()).toHaveLength(2);

    fleet.finish(2, 'succeeded');
    fleet.finish(12, 'succeeded');
    fleet.finish(15, 'succeeded');
    expect(fleet.state.status).toBe('completed');
    expect(fleet.queuedPhases()).toEqual([0, 1, 2, 3]);
    expect(fleet.announced()).toEqual(['rollout.started', 'rollout.completed']);
  });

  it('starts the next phase as soon as the success threshold is reached, not when every install ends', () => {
    const fleet = new Fleet(20, [pct(50), pct(100)], draft(0.8, 0.5));
    fleet.send({ kind: 'start' });
    fleet.finish(7, 'succeeded');
    expect(fleet.state.currentPhase).toBe(0);
    fleet.finish(1, 'succeeded');
    expect(fleet.state.currentPhase).toBe(1);
    // The phase's last two installs are still on their way beside the next phase's.
    expect(fleet.active()).toHaveLength(12);
  });

  it('pauses when failures among the finished installs pass the error threshold, saying why', () => {
    const fleet = new Fleet(100, STAGED, draft(1, 0.2));
    fleet.send({ kind: 'start' });
    fleet.finish(1, 'succeeded');
    expect(fleet.state.currentPhase).toBe(1);
    fleet.finish(6, 'succeeded');
    fleet.finish(2, 'failed');
    expect(fleet.state.status).toBe('paused');
    expect(fleet.state.pauseReason).toBe(
      'Paused automatically: 2 of 8 installs in phase 2 failed (25 %), above the 20 % error threshold.',
    );
    expect(fleet.announced()).toContain('rollout.paused');
    // Installs already on their way finish, but no phase starts while paused.
    fleet.finish(1, 'succeeded');
    expect(fleet.state.status).toBe('paused');
    expect(fleet.queuedPhases()).toEqual([0, 1]);
  });

  it('resumes past the failures the operator has seen, and goes on to completion', () => {
    const fleet = new Fleet(30, STAGED, draft(1, 0.2));
    fleet.send({ kind: 'start' });
    fleet.finish(1, 'failed');
    expect(fleet.state.status).toBe('paused');

    fleet.send({ kind: 'resume' });
    // The canary failed and its phase is over: resuming is the word that it may go on.
    expect(fleet.state.status).toBe('running');
    expect(fleet.state.currentPhase).toBe(1);
    fleet.finish(2, 'succeeded');
    fleet.finish(12, 'succeeded');
    fleet.finish(15, 'succeeded');
    expect(fleet.state.status).toBe('completed');
    expect(fleet.announced()).toEqual([
      'rollout.started',
      'rollout.paused',
      'rollout.resumed',
      'rollout.completed',
    ]);
  });

  it('pauses again when new failures after a resume pass the threshold', () => {
    const fleet = new Fleet(100, [pct(20), pct(100)], draft(1, 0.2));
    fleet.send({ kind: 'start' });
    fleet.finish(3, 'failed');
    fleet.send({ kind: 'resume' });
    expect(fleet.state.status).toBe('running');
    fleet.finish(5, 'succeeded');
    expect(fleet.state.status).toBe('running');
    fleet.finish(2, 'failed');
    expect(fleet.state.status).toBe('paused');
    expect(fleet.state.pauseReason).toContain('2 of 7 installs in phase 1 failed');
  });

  it('pauses when a phase ends below the success threshold even under the error threshold', () => {
    const fleet = new Fleet(40, [pct(50), pct(100)], draft(0.95, 0.5));
    fleet.send({ kind: 'start' });
    fleet.finish(18, 'succeeded');
    fleet.finish(2, 'failed');
    expect(fleet.state.status).toBe('paused');
    expect(fleet.state.pauseReason).toBe(
      'Paused automatically: phase 1 ended with 18 of 20 devices installed (90 %), below the 95 % success threshold.',
    );
  });

  it('can be paused and resumed by an operator without losing its place', () => {
    const fleet = new Fleet(30, STAGED);
    fleet.send({ kind: 'start' });
    fleet.send({ kind: 'pause', reason: 'Paused by operator@acme.example.' });
    expect(fleet.state).toMatchObject({
      status: 'paused',
      pauseReason: 'Paused by operator@acme.example.',
    });
    fleet.finish(1, 'succeeded');
    expect(fleet.state.currentPhase).toBe(0);
    fleet.send({ kind: 'resume' });
    expect(fleet.state.currentPhase).toBe(1);
    expect(fleet.active()).toHaveLength(2);
  });

  it('cancels what has not been installed when aborted, and refuses to run again', () => {
    const fleet = new Fleet(30, STAGED);
    fleet.send({ kind: 'start' });
    fleet.send({ kind: 'abort' });
    expect(fleet.state.status).toBe('aborted');
    expect(fleet.devices.every((d) => d.state === 'cancelled')).toBe(true);
    expect(decideRollout(fleet.state, fleet.counts(), { kind: 'resume' })).toEqual({
      ok: false,
      reason: 'Only a paused rollout can be resumed; it is aborted.',
    });
  });

  it('retries the failed devices, and a completed rollout runs until the retries end', () => {
    const fleet = new Fleet(10, [pct(100)], draft(0.5, 0.6));
    fleet.send({ kind: 'start' });
    fleet.finish(8, 'succeeded');
    fleet.finish(2, 'failed');
    expect(fleet.state.status).toBe('completed');
    fleet.send({ kind: 'retry_failed' });
    expect(fleet.state.status).toBe('running');
    expect(fleet.active()).toHaveLength(2);
    fleet.finish(2, 'succeeded');
    expect(fleet.state.status).toBe('completed');
    expect(decideRollout(fleet.state, fleet.counts(), { kind: 'retry_failed' })).toEqual({
      ok: false,
      reason: 'No install has failed.',
    });
  });

  it('queues a device that joins the running phase, and counts it toward the phase', () => {
    const fleet = new Fleet(10, [pct(50), pct(100)]);
    fleet.send({ kind: 'start' });
    fleet.devices.push({ phase: 0, state: 'waiting' });
    fleet.send({ kind: 'evaluate' });
    expect(fleet.active()).toHaveLength(6);
    fleet.finish(5, 'succeeded');
    expect(fleet.state.currentPhase).toBe(0);
    fleet.finish(1, 'succeeded');
    expect(fleet.state.currentPhase).toBe(1);
  });

  it('leaves out a device whose entitlement ended, so the phase goes on without it', () => {
    const fleet = new Fleet(10, [pct(20), pct(100)]);
    fleet.send({ kind: 'start' });
    fleet.finish(1, 'succeeded');
    expect(fleet.state.currentPhase).toBe(0);
    // The other device of the canary was refunded: its install was cancelled with it.
    fleet.active()[0]!.state = 'removed';
    fleet.send({ kind: 'evaluate' });
    expect(fleet.state.currentPhase).toBe(1);
  });

  it('refuses to start without devices, or twice', () => {
    expect(decideRollout(draft(), [emptyPhaseCounts()], { kind: 'start' })).toEqual({
      ok: false,
      reason: 'No device is entitled to this release and able to run it.',
    });
    const fleet = new Fleet(3, STAGED);
    fleet.send({ kind: 'start' });
    expect(decideRollout(fleet.state, fleet.counts(), { kind: 'start' })).toMatchObject({
      ok: false,
    });
  });

  it('runs every plan to completion, phase by phase in order, when every install succeeds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 50 }),
        (total, shares, batch) => {
          const plan = [...new Set(shares)].sort((a, b) => a - b).map(pct);
          const fleet = new Fleet(total, plan);
          fleet.send({ kind: 'start' });
          for (let i = 0; i < total * 2 && fleet.state.status === 'running'; i += 1)
            fleet.finish(batch, 'succeeded');
          expect(fleet.state.status).toBe('completed');
          expect(fleet.devices.every((d) => d.state === 'succeeded')).toBe(true);
          const queued = fleet.queuedPhases();
          expect(queued).toEqual([...queued].sort((a, b) => a - b));
          expect(new Set(queued).size).toBe(queued.length);
        },
      ),
    );
  });

  it('never starts a phase while paused, whatever the installs report', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 0.9, noNaN: true }),
        (outcomes, errorThreshold) => {
          const fleet = new Fleet(200, STAGED, draft(1, errorThreshold));
          fleet.send({ kind: 'start' });
          for (const ok of outcomes) {
            if (fleet.state.status !== 'running') break;
            fleet.finish(1, ok ? 'succeeded' : 'failed');
          }
          const queuedBefore = fleet.queuedPhases().length;
          if (fleet.state.status === 'paused') {
            for (let i = 0; i < 5; i += 1) fleet.finish(1, 'succeeded');
            expect(fleet.queuedPhases()).toHaveLength(queuedBefore);
          }
        },
      ),
    );
  });
});

describe('maintenance windows', () => {
  const at = (hour: number) => new Date(Date.UTC(2026, 11, 4, hour, 30));

  it('sends only within the window, which may wrap past midnight', () => {
    expect([1, 2, 5, 6].map((h) => isWithinWindow({ startHour: 2, endHour: 6 }, at(h)))).toEqual([
      false,
      true,
      true,
      false,
    ]);
    expect(
      [21, 22, 23, 0, 3, 4].map((h) => isWithinWindow({ startHour: 22, endHour: 4 }, at(h))),
    ).toEqual([false, true, true, true, true, false]);
    expect(isWithinWindow(null, at(12))).toBe(true);
  });
});

describe('the order devices are enrolled in', () => {
  const sites = ['berlin', 'lyon', 'madrid'];
  // As the demo fleet is laid out: IDs in order, sites taking turns, models in runs.
  const fleet = Array.from({ length: 300 }, (_, i) => ({
    id: `ACM-TX1-${String(i + 1).padStart(4, '0')}`,
    site: sites[Math.floor(i / 100)]!,
  }));
  const ids = fleet.map((d) => d.id);

  it('is the same for the same rollout, and another for another', () => {
    expect(rolloutOrder('rol_a', ids)).toEqual(rolloutOrder('rol_a', [...ids].reverse()));
    expect(rolloutOrder('rol_a', ids)).not.toEqual(rolloutOrder('rol_b', ids));
    expect([...rolloutOrder('rol_a', ids)].sort()).toEqual(ids);
  });

  it('spreads a canary over the fleet rather than taking the first IDs', () => {
    const canary = rolloutOrder('rol_9f2c', ids).slice(0, 15);
    const siteOf = new Map(fleet.map((d) => [d.id, d.site]));
    expect(new Set(canary.map((id) => siteOf.get(id))).size).toBe(3);
    expect(canary).not.toEqual(ids.slice(0, 15));
  });
});

describe('who takes part in a rollout', () => {
  const release = {
    compatibleModels: ['thermo-x1'],
    minFirmware: '2.4.0',
    version: '2.0.0',
    itemName: 'Eco Scheduler',
  };
  const device: RolloutCandidate = {
    model: 'thermo-x1',
    firmwareVersion: '2.4.0',
    isTestDevice: false,
    entitled: true,
    installedVersion: '1.0.0',
    inAnotherRollout: false,
  };
  const reasonOf = (changes: Partial<RolloutCandidate>, mode: 'test' | 'live' = 'live') =>
    rolloutExclusion({ ...device, ...changes }, release, mode);

  it('takes an entitled device that can run the release and does not yet', () => {
    expect(reasonOf({})).toBeNull();
    expect(reasonOf({ isTestDevice: true }, 'test')).toBeNull();
  });

  it('leaves the others out with the first reason that applies, in words', () => {
    expect(reasonOf({ entitled: false, model: 'cam-c3' })).toEqual({
      reason: 'not_entitled',
      message: 'No active live-mode entitlement to Eco Scheduler.',
    });
    expect(reasonOf({}, 'test')?.reason).toBe('not_test_device');
    expect(reasonOf({ model: 'cam-c3' })?.reason).toBe('model_not_supported');
    expect(reasonOf({ firmwareVersion: '2.0.1' })).toEqual({
      reason: 'firmware_too_old',
      message: 'Needs firmware 2.4.0 or newer; the device runs 2.0.1.',
    });
    expect(reasonOf({ installedVersion: '2.0.0', inAnotherRollout: true })).toEqual({
      reason: 'already_installed',
      message: 'Already runs 2.0.0.',
    });
    expect(reasonOf({ inAnotherRollout: true })?.reason).toBe('in_another_rollout');
  });
});

describe('version filters', () => {
  it('keeps versions within an inclusive range, compared as numbers', () => {
    const range = { min: '2.0.1', max: '2.10.0' };
    expect(
      ['1.8.0', '2.0.1', '2.4.0', '2.10.0', '2.11'].map((v) => isVersionInRange(v, range)),
    ).toEqual([false, true, true, true, false]);
    expect(isVersionInRange('9.9.9', {})).toBe(true);
    expect(isVersionInRange('beta', {})).toBe(false);
  });

  it('compares what is installed: none, equal, below, at least', () => {
    expect(matchesInstalled(null, 'none', undefined)).toBe(true);
    expect(matchesInstalled('1.0.0', 'none', undefined)).toBe(false);
    expect(matchesInstalled('1.0.0', 'below', '2.0.0')).toBe(true);
    expect(matchesInstalled(null, 'below', '2.0.0')).toBe(false);
    expect(matchesInstalled('2.0', 'equal', '2.0.0')).toBe(true);
    expect(matchesInstalled('2.10.0', 'atLeast', '2.9.0')).toBe(true);
    expect(matchesInstalled('2.0.0', 'atLeast', '2.0.1')).toBe(false);
  });
});
