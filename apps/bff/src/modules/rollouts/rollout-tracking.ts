import { z } from 'zod';
import { checkoutModeSchema } from '@repo/schemas';
import type { Database } from '../../db/database';
import { enqueue } from '../../db/outbox';
import type { EntitledItem } from '../entitlements/entitlements.repo';
import type { InstallJobRow, InstallsRepo } from '../installs/installs.repo';
import type { ReleasesRepo } from '../installs/releases.repo';
import type { RolloutDevicesRepo } from './rollout-devices.repo';
import type { RolloutRunner } from './rollout-runner';
import { targetOfRow, type RolloutTargets } from './rollout-targets';
import { OPEN_ROLLOUT_STATUSES, type RolloutsRepo } from './rollouts.repo';

/** The outbox topic whose handler puts a newly entitled device into the open rollouts of its item. */
export const DEVICE_ENTITLED = 'rollouts.device-entitled';

export const deviceEntitledSchema = z.object({
  organisationId: z.string(),
  deviceId: z.string(),
  itemId: z.string(),
  mode: checkoutModeSchema,
});

type Deps = {
  database: Database;
  rollouts: RolloutsRepo;
  members: RolloutDevicesRepo;
  installs: Pick<InstallsRepo, 'findForUpdate' | 'apply'>;
  releases: Pick<ReleasesRepo, 'find'>;
  targets: RolloutTargets;
  runner: RolloutRunner;
};

/**
 * Keeps rollouts in step with what happens to their devices elsewhere, each in the transaction
 * of that change: an install a device reports finished, a job a person cancels or retries, an
 * entitlement refunded or disputed away, a device newly entitled by a purchase. The rollout
 * itself is looked at afterwards (`rollouts.evaluate` in the outbox), with its row locked.
 */
export function createRolloutTracking({
  database,
  rollouts,
  members,
  installs,
  releases,
  targets,
  runner,
}: Deps) {
  return {
    /** A device reported its rollout install succeeded or failed (with the device's reason). */
    async jobFinished(job: InstallJobRow): Promise<void> {
      if (!job.rolloutId || (job.status !== 'succeeded' && job.status !== 'failed')) return;
      const ref = { id: job.id, rolloutId: job.rolloutId, deviceId: job.deviceId };
      const reason = job.status === 'failed' ? job.reason : null;
      if (await members.followJob(ref, job.status, reason, new Date().toISOString()))
        await runner.requestEvaluation(job.rolloutId);
    },

    /** A person cancelled a rollout's install: the device leaves the rollout, with the reason. */
    async jobCancelled(job: InstallJobRow, reason: string): Promise<void> {
      if (!job.rolloutId) return;
      const ref = { id: job.id, rolloutId: job.rolloutId, deviceId: job.deviceId };
      if (await members.followJob(ref, 'removed', reason, new Date().toISOString()))
        await runner.requestEvaluation(job.rolloutId);
    },

    /**
     * The rollout a person's retry of a failed install belongs to: the failed job's, while that
     * rollout is running or paused; after it ended, the retry is an install of its own.
     */
    async rolloutOfRetry(failed: InstallJobRow): Promise<string | null> {
      if (!failed.rolloutId) return null;
      const status = await rollouts.statusOf(failed.rolloutId);
      return status && OPEN_ROLLOUT_STATUSES.includes(status) ? failed.rolloutId : null;
    },

    /** A person retried a failed rollout install: the device waits on the new attempt. */
    async jobRetried(failed: InstallJobRow, retryId: string): Promise<void> {
      if (!failed.rolloutId) return;
      const ref = { id: failed.id, rolloutId: failed.rolloutId, deviceId: failed.deviceId };
      if (await members.followRetry(ref, retryId, new Date().toISOString()))
        await runner.requestEvaluation(failed.rolloutId);
    },

    /**
     * The device lost its entitlement to the item in the mode (a refund, a dispute) and no other
     * purchase took over: it leaves the open rollouts of the item in that mode, and the install
     * each had queued for it is cancelled if it has not started.
     */
    async entitlementEnded(entitled: EntitledItem, reason: string): Promise<void> {
      const now = new Date().toISOString();
      for (const { rolloutId, installJobId } of await members.removeForEntitlement(
        entitled,
        reason,
        now,
      )) {
        const job = installJobId ? await installs.findForUpdate(installJobId) : undefined;
        if (job) await installs.apply(job, { event: 'cancel', actor: 'system', reason }, now);
        await runner.requestEvaluation(rolloutId);
      }
    },

    /**
     * In fulfillment's transaction: each device newly entitled to an item that has a rollout in
     * that mode (a draft too, which may start before the message is handled) is looked at later.
     */
    async entitlementsGranted(granted: EntitledItem[]): Promise<void> {
      for (const mode of ['test', 'live'] as const) {
        const ofMode = granted.filter((g) => g.mode === mode);
        const items = await rollouts.itemsWithRollouts(
          [...new Set(ofMode.map((g) => g.itemId))],
          mode,
        );
        for (const { organisationId, deviceId, itemId } of ofMode) {
          if (!items.has(itemId)) continue;
          await enqueue(database, {
            topic: DEVICE_ENTITLED,
            payload: { organisationId, deviceId, itemId, mode },
            dedupeKey: `${DEVICE_ENTITLED}:${deviceId}:${itemId}:${mode}`,
          });
        }
      }
    },

    /**
     * The outbox handler: the device joins, in their current phase, every running or paused
     * rollout of the item and mode whose target includes it and that it may take part in.
     */
    async deviceEntitled(entitled: EntitledItem): Promise<void> {
      const { organisationId, deviceId, itemId, mode } = entitled;
      for (const { id } of await rollouts.openForItem(organisationId, itemId, mode)) {
        await database.transaction(async () => {
          const row = await rollouts.lock(id);
          if (!row || !OPEN_ROLLOUT_STATUSES.includes(row.status)) return;
          const release = await releases.find(organisationId, row.releaseId);
          const set = await targets.setOf(organisationId, targetOfRow(row), itemId, mode);
          const { eligible } = await targets.classify(
            organisationId,
            set,
            { id: row.id, release: release!, mode },
            deviceId,
          );
          if (eligible.length === 0) return;
          const joined = await members.join(
            row.id,
            deviceId,
            Math.max(row.currentPhase, 0),
            new Date().toISOString(),
          );
          // Queued at once while running; a paused rollout queues it when resumed.
          if (joined && row.status === 'running')
            await runner.drive(row, { kind: 'evaluate' }, null);
        });
      }
    },
  };
}
export type RolloutTracking = ReturnType<typeof createRolloutTracking>;
