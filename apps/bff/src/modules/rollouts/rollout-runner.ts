import {
  decideRollout,
  emptyPhaseCounts,
  type PhaseCounts,
  type RolloutAnnouncement,
  type RolloutCommand,
  type RolloutEffect,
  type RolloutState,
} from '@repo/domain';
import { z } from 'zod';
import type { RolloutEventKind } from '@repo/schemas';
import type { Database } from '../../db/database';
import { enqueue } from '../../db/outbox';
import type { InstallsRepo } from '../installs/installs.repo';
import type { ProviderEvents } from '../provider-webhooks/provider-events';
import type { RolloutDevicesRepo } from './rollout-devices.repo';
import { phasePlanOf, type RolloutRow, type RolloutsRepo } from './rollouts.repo';

/** The outbox topic whose handler looks at a rollout again after its devices changed. */
export const EVALUATE_ROLLOUT = 'rollouts.evaluate';

/** Who moves a rollout: a person, or null when it moves by itself. */
export type RolloutActor = { userId: string; email: string } | null;

const acknowledgedSchema = z
  .object({ phase: z.number(), failed: z.number(), finished: z.number() })
  .nullable();

const BPS = 10_000;

const stateOf = (row: RolloutRow): RolloutState => ({
  status: row.status,
  currentPhase: row.currentPhase,
  pauseReason: row.pauseReason,
  successThreshold: row.successThresholdBps / BPS,
  errorThreshold: row.errorThresholdBps / BPS,
  acknowledged: acknowledgedSchema.parse(row.acknowledged ? JSON.parse(row.acknowledged) : null),
});

const ANNOUNCED: Record<RolloutAnnouncement, RolloutEventKind> = {
  'rollout.started': 'started',
  'rollout.paused': 'paused',
  'rollout.resumed': 'resumed',
  'rollout.completed': 'completed',
  'rollout.aborted': 'aborted',
};

/** How many rounds of "look again" one command may take: each round moves devices or stops. */
const MAX_ROUNDS = 20;

type Deps = {
  database: Database;
  rollouts: RolloutsRepo;
  members: RolloutDevicesRepo;
  installs: Pick<InstallsRepo, 'insertMany' | 'cancelPendingOfRollout'>;
  providerEvents: Pick<ProviderEvents, 'record'>;
};

/**
 * Runs the rollout state machine (@repo/domain) on a rollout whose row the caller has locked,
 * and carries out what it decides on the rows: queue a phase's installs in bulk, cancel what has
 * not been sent, queue new attempts of the failures, and write the history and the providers'
 * events. After effects that moved devices it looks again, as the machine expects, until
 * nothing moves.
 */
export function createRolloutRunner({
  database,
  rollouts,
  members,
  installs,
  providerEvents,
}: Deps) {
  async function phaseCounts(row: RolloutRow): Promise<PhaseCounts[]> {
    const counts = phasePlanOf(row).map(emptyPhaseCounts);
    for (const { phase, state, count } of await rollouts.phaseCounts(row.id)) {
      (counts[phase] ??= emptyPhaseCounts())[state] = count;
    }
    return counts;
  }

  async function queuePhase(row: RolloutRow, phase: number, actor: RolloutActor, now: string) {
    if ((await members.claimWaiting(row.id, phase, now)) === 0) return false;
    const claimed = await members.claimedWithEntitlement(
      row,
      phase,
      `No active ${row.mode}-mode entitlement to the item any more.`,
      now,
    );
    await installs.insertMany(
      claimed.map(({ deviceId, entitlementId }) => ({
        organisationId: row.organisationId,
        deviceId,
        itemId: row.itemId,
        releaseId: row.releaseId,
        entitlementId,
        attempt: 1,
        retryOf: null,
        createdBy: actor?.userId ?? null,
        rolloutId: row.id,
      })),
      now,
    );
    await members.linkClaimed(
      row.id,
      phase,
      'Another install of the item was already on its way to the device.',
      now,
    );
    return true;
  }

  async function retryFailed(row: RolloutRow, actor: RolloutActor, now: string) {
    const failed = await members.failedWithEntitlement(
      row,
      `No active ${row.mode}-mode entitlement to the item any more.`,
      now,
    );
    await installs.insertMany(
      failed.map(({ deviceId, jobId, attempt, entitlementId }) => ({
        organisationId: row.organisationId,
        deviceId,
        itemId: row.itemId,
        releaseId: row.releaseId,
        entitlementId,
        attempt: attempt + 1,
        retryOf: jobId,
        createdBy: actor?.userId ?? null,
        rolloutId: row.id,
      })),
      now,
    );
    await members.linkRetried(row.id, now);
    return true;
  }

  async function cancelPending(row: RolloutRow, now: string) {
    await installs.cancelPendingOfRollout(row.id, 'The rollout was aborted.', now);
    return (await members.cancelPending(row.id, 'The rollout was aborted.', now)) > 0;
  }

  /** Carries out one effect; true when it moved devices, so that the machine must look again. */
  async function carryOut(
    row: RolloutRow,
    effect: RolloutEffect,
    actor: RolloutActor,
    now: string,
  ): Promise<boolean> {
    switch (effect.kind) {
      case 'queue_phase':
        return queuePhase(row, effect.phase, actor, now);
      case 'cancel_pending':
        return cancelPending(row, now);
      case 'retry_failed':
        return retryFailed(row, actor, now);
      case 'announce':
        return false;
    }
  }

  /**
   * Applies `command` to the locked rollout `row`. Answers the machine's refusal, or null once
   * done; the row is updated in place.
   */
  async function drive(
    row: RolloutRow,
    command: RolloutCommand,
    actor: RolloutActor,
  ): Promise<{ refused: string } | null> {
    const now = new Date().toISOString();
    const initial = stateOf(row);
    let state = initial;
    let counts = await phaseCounts(row);
    const first = decideRollout(state, counts, command);
    if (!first.ok) return { refused: first.reason };
    const history: { kind: RolloutEventKind; detail: string | null }[] = [];
    let moved = false;
    let decision = first;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const before = state;
      state = decision.state;
      let changed = false;
      for (const effect of decision.effects) {
        if (effect.kind === 'announce') {
          history.push({
            kind: ANNOUNCED[effect.event],
            detail: effect.event === 'rollout.paused' ? state.pauseReason : null,
          });
        }
        if (effect.kind === 'queue_phase' && effect.phase !== before.currentPhase) {
          const devices = counts[effect.phase]?.waiting ?? 0;
          history.push({
            kind: 'phase_started',
            detail: `Phase ${effect.phase + 1} of ${counts.length}: ${devices} device(s).`,
          });
        }
        if (effect.kind === 'retry_failed') {
          const failed = counts.reduce((sum, c) => sum + c.failed, 0);
          history.push({ kind: 'retried', detail: `${failed} failed install(s) tried again.` });
        }
        if (await carryOut(row, effect, actor, now)) changed = true;
      }
      moved ||= changed;
      if (!changed) break;
      counts = await phaseCounts(row);
      const next = decideRollout(state, counts, { kind: 'evaluate' });
      // Evaluating never refuses; a refusal would only stop the looking.
      if (!next.ok) break;
      decision = next;
    }

    if (!moved && history.length === 0 && JSON.stringify(state) === JSON.stringify(initial))
      return null;
    const finished = state.status === 'completed' || state.status === 'aborted';
    const changes = {
      status: state.status,
      currentPhase: state.currentPhase,
      pauseReason: state.pauseReason,
      acknowledged: state.acknowledged ? JSON.stringify(state.acknowledged) : null,
      startedAt: row.startedAt ?? (command.kind === 'start' ? now : null),
      finishedAt: finished ? (row.finishedAt ?? now) : null,
      updatedAt: now,
    };
    await rollouts.update(row.id, changes);
    Object.assign(row, changes);
    for (const entry of history) {
      await rollouts.recordEvent(row.id, { ...entry, actor: actor?.email ?? null }, now);
      if (entry.kind === 'paused' || entry.kind === 'completed') {
        const view = await rollouts.view(row.organisationId, row.id);
        await providerEvents.record({
          organisationId: row.organisationId,
          mode: row.mode,
          type: entry.kind === 'paused' ? 'rollout.paused' : 'rollout.completed',
          data: { object: view! },
        });
      }
    }
    return null;
  }

  return {
    drive,

    /** Asks for a look at the rollout after this transaction: one waiting message per rollout. */
    requestEvaluation: (rolloutId: string) =>
      enqueue(database, {
        topic: EVALUATE_ROLLOUT,
        payload: { rolloutId },
        dedupeKey: `${EVALUATE_ROLLOUT}:${rolloutId}`,
      }),

    /** The outbox handler: looks again at a running rollout, with its row locked. */
    evaluate: (rolloutId: string): Promise<void> =>
      database.transaction(async () => {
        const row = await rollouts.lock(rolloutId);
        if (row?.status === 'running') await drive(row, { kind: 'evaluate' }, null);
      }),
  };
}
export type RolloutRunner = ReturnType<typeof createRolloutRunner>;
