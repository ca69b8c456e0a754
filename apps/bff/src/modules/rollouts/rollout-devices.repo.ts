import { sql, type ExpressionBuilder } from 'kysely';
import { z } from 'zod';
import type { RolloutCandidate } from '@repo/domain';
import type {
  CheckoutMode,
  RolloutDeviceState,
  RolloutDevicesPage,
  RolloutDevicesQuery,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { DB, NewRow } from '../../db/schema';
import { decodeCursor, keysetPage } from '../../http/cursor';
import { inDeviceSet, type DeviceSet } from '../device-groups/device-sets.repo';
import { OPEN_ROLLOUT_STATUSES } from './rollouts.repo';

/** Rows per multi-row insert: 8 columns each, well within either database's parameter limit. */
const MEMBERS_PER_STATEMENT = 3_500;

/** The states a device holds a rollout's claim on the item in: another rollout leaves it alone. */
const HELD_STATES: RolloutDeviceState[] = ['waiting', 'active', 'failed'];

/** The statuses of install_jobs_one_active, word for word, so that both databases use the index. */
const ACTIVE_JOB = sql<boolean>`status IN ('queued', 'sent', 'downloading', 'installing')`;

export type Candidate = RolloutCandidate & { id: string };

/** The rollout a device is being enrolled in or moved within. */
export type RolloutScope = { id: string; itemId: string; mode: CheckoutMode };

type Members = ExpressionBuilder<DB, 'rolloutDevices'>;

const deviceCursorSchema = z.object({ id: z.string() });

/**
 * The devices of rollouts: who is in which phase and state, enrolled and moved in bulk (a phase
 * is thousands of devices) with multi-row statements and set-based updates.
 */
export function createRolloutDevicesRepo(database: Database) {
  /** The device's active job of this rollout: the one install on its way for the item. */
  const activeJobOf = (eb: Members) =>
    eb
      .selectFrom('installJobs as j')
      .select('j.id')
      .whereRef('j.rolloutId', '=', 'rolloutDevices.rolloutId')
      .whereRef('j.deviceId', '=', 'rolloutDevices.deviceId')
      .where(ACTIVE_JOB);

  /** An active entitlement of the device to the rollout's item in its mode. */
  const entitlementOf = (eb: Members, rollout: RolloutScope) =>
    eb
      .selectFrom('entitlements as e')
      .select('e.id')
      .whereRef('e.deviceId', '=', 'rolloutDevices.deviceId')
      .where('e.itemId', '=', rollout.itemId)
      .where('e.mode', '=', rollout.mode)
      .where('e.status', '=', sql.lit('active'));

  return {
    /**
     * The organisation's devices in `set`, with what decides whether each may take part in the
     * rollout (see rolloutExclusion in @repo/domain), by device ID; `deviceId` narrows to one.
     */
    async candidates(
      organisationId: string,
      set: DeviceSet,
      rollout: { id: string | null; itemId: string; mode: CheckoutMode },
      deviceId?: string,
    ): Promise<Candidate[]> {
      const rows = await database.db
        .selectFrom('devices')
        .leftJoin('deviceInstallations as n', (join) =>
          join.onRef('n.deviceId', '=', 'devices.id').on('n.itemId', '=', rollout.itemId),
        )
        .select((eb) => [
          'devices.id',
          'devices.model',
          'devices.firmwareVersion',
          'devices.isTestDevice',
          'n.version as installedVersion',
          eb
            .case()
            .when(
              eb.exists(
                eb
                  .selectFrom('entitlements as e')
                  .select('e.id')
                  .whereRef('e.deviceId', '=', 'devices.id')
                  .where('e.itemId', '=', rollout.itemId)
                  .where('e.mode', '=', rollout.mode)
                  .where('e.status', '=', sql.lit('active')),
              ),
            )
            .then(1)
            .else(0)
            .end()
            .as('entitled'),
          eb
            .case()
            .when(
              eb.exists(
                eb
                  .selectFrom('rolloutDevices as other')
                  .innerJoin('rollouts as r', 'r.id', 'other.rolloutId')
                  .select('other.deviceId')
                  .whereRef('other.deviceId', '=', 'devices.id')
                  .where('other.state', 'in', HELD_STATES)
                  .where('r.itemId', '=', rollout.itemId)
                  .where('r.status', 'in', OPEN_ROLLOUT_STATUSES)
                  .$if(rollout.id !== null, (q) => q.where('r.id', '!=', rollout.id!)),
              ),
            )
            .then(1)
            .else(0)
            .end()
            .as('inAnotherRollout'),
        ])
        .where('devices.organisationId', '=', organisationId)
        .where((eb) => inDeviceSet(eb, set))
        .$if(deviceId !== undefined, (q) => q.where('devices.id', '=', deviceId!))
        .orderBy('devices.id')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        model: row.model,
        firmwareVersion: row.firmwareVersion,
        isTestDevice: row.isTestDevice === 1,
        installedVersion: row.installedVersion,
        entitled: row.entitled === 1,
        inAnotherRollout: row.inAnotherRollout === 1,
      }));
    },

    async insert(members: NewRow<'rolloutDevices'>[]): Promise<void> {
      for (let start = 0; start < members.length; start += MEMBERS_PER_STATEMENT) {
        await database.db
          .insertInto('rolloutDevices')
          .values(members.slice(start, start + MEMBERS_PER_STATEMENT))
          .execute();
      }
    },

    /**
     * A device joins the phase `phase` as waiting, or comes back to it after it was removed; a
     * device already in the rollout otherwise stays where it is. True when it joined.
     */
    async join(rolloutId: string, deviceId: string, phase: number, now: string): Promise<boolean> {
      const joined = await database.db
        .insertInto('rolloutDevices')
        .values({
          rolloutId,
          deviceId,
          phase,
          state: 'waiting',
          installJobId: null,
          reason: null,
          joinedAt: now,
          updatedAt: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['rolloutId', 'deviceId'])
            .doUpdateSet({
              phase,
              state: 'waiting',
              installJobId: null,
              reason: null,
              joinedAt: now,
              updatedAt: now,
            })
            .where('rolloutDevices.state', '=', 'removed'),
        )
        .executeTakeFirst();
      return Number(joined.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /** Every waiting device of the phase becomes active, ahead of its install; answers how many. */
    async claimWaiting(rolloutId: string, phase: number, now: string): Promise<number> {
      const claimed = await database.db
        .updateTable('rolloutDevices')
        .set({ state: 'active', updatedAt: now })
        .where('rolloutId', '=', rolloutId)
        .where('phase', '=', phase)
        .where('state', '=', 'waiting')
        .executeTakeFirst();
      return Number(claimed.numUpdatedRows);
    },

    /**
     * The devices just claimed in the phase (active, no job yet) that still hold an active
     * entitlement in the rollout's mode, with it: the entitlement their install runs under.
     * Those that no longer do are removed first, with `reason`.
     */
    async claimedWithEntitlement(
      rollout: RolloutScope,
      phase: number,
      reason: string,
      now: string,
    ): Promise<{ deviceId: string; entitlementId: string }[]> {
      await database.db
        .updateTable('rolloutDevices')
        .set({ state: 'removed', reason, updatedAt: now })
        .where('rolloutId', '=', rollout.id)
        .where('phase', '=', phase)
        .where('state', '=', 'active')
        .where('installJobId', 'is', null)
        .where((eb) => eb.not(eb.exists(entitlementOf(eb, rollout))))
        .execute();
      const rows = await database.db
        .selectFrom('rolloutDevices')
        .select((eb) => [
          'rolloutDevices.deviceId',
          entitlementOf(eb, rollout).limit(1).as('entitlementId'),
        ])
        .where('rolloutId', '=', rollout.id)
        .where('phase', '=', phase)
        .where('state', '=', 'active')
        .where('installJobId', 'is', null)
        .execute();
      return rows.flatMap(({ deviceId, entitlementId }) =>
        entitlementId === null ? [] : [{ deviceId, entitlementId }],
      );
    },

    /**
     * Links the claimed devices of the phase to the jobs just queued for them; a claimed device
     * left without one (another install of the item was already on its way) is removed, with
     * `reason`.
     */
    async linkClaimed(rolloutId: string, phase: number, reason: string, now: string) {
      await database.db
        .updateTable('rolloutDevices')
        .set((eb) => ({ installJobId: activeJobOf(eb), updatedAt: now }))
        .where('rolloutId', '=', rolloutId)
        .where('phase', '=', phase)
        .where('state', '=', 'active')
        .where('installJobId', 'is', null)
        .where((eb) => eb.exists(activeJobOf(eb)))
        .execute();
      await database.db
        .updateTable('rolloutDevices')
        .set({ state: 'removed', reason, updatedAt: now })
        .where('rolloutId', '=', rolloutId)
        .where('phase', '=', phase)
        .where('state', '=', 'active')
        .where('installJobId', 'is', null)
        .execute();
    },

    /**
     * The failed devices that still hold an active entitlement, with their failed job (what a
     * new attempt retries); those that no longer do are removed first, with `reason`.
     */
    async failedWithEntitlement(rollout: RolloutScope, reason: string, now: string) {
      await database.db
        .updateTable('rolloutDevices')
        .set({ state: 'removed', reason, updatedAt: now })
        .where('rolloutId', '=', rollout.id)
        .where('state', '=', 'failed')
        .where((eb) => eb.not(eb.exists(entitlementOf(eb, rollout))))
        .execute();
      const rows = await database.db
        .selectFrom('rolloutDevices')
        .innerJoin('installJobs as j', 'j.id', 'rolloutDevices.installJobId')
        .select((eb) => [
          'rolloutDevices.deviceId',
          'j.id as jobId',
          'j.attempt',
          entitlementOf(eb, rollout).limit(1).as('entitlementId'),
        ])
        .where('rolloutDevices.rolloutId', '=', rollout.id)
        .where('rolloutDevices.state', '=', 'failed')
        .execute();
      return rows.flatMap(({ entitlementId, ...row }) =>
        entitlementId === null ? [] : [{ ...row, entitlementId }],
      );
    },

    /** Failed devices whose new attempt was queued are active again, linked to it. */
    async linkRetried(rolloutId: string, now: string): Promise<number> {
      const moved = await database.db
        .updateTable('rolloutDevices')
        .set((eb) => ({
          state: 'active',
          installJobId: activeJobOf(eb),
          reason: null,
          updatedAt: now,
        }))
        .where('rolloutId', '=', rolloutId)
        .where('state', '=', 'failed')
        .where((eb) => eb.exists(activeJobOf(eb)))
        .executeTakeFirst();
      return Number(moved.numUpdatedRows);
    },

    /**
     * After an abort: waiting devices, and active ones whose job was cancelled before it was
     * sent on, are cancelled; answers how many.
     */
    async cancelPending(rolloutId: string, reason: string, now: string): Promise<number> {
      const cancelled = await database.db
        .updateTable('rolloutDevices')
        .set({ state: 'cancelled', reason, updatedAt: now })
        .where('rolloutId', '=', rolloutId)
        .where((eb) =>
          eb.or([
            eb('state', '=', 'waiting'),
            eb.and([
              eb('state', '=', 'active'),
              eb.exists(
                eb
                  .selectFrom('installJobs as j')
                  .select('j.id')
                  .whereRef('j.id', '=', 'rolloutDevices.installJobId')
                  .where('j.status', '=', 'cancelled'),
              ),
            ]),
          ]),
        )
        .executeTakeFirst();
      return Number(cancelled.numUpdatedRows);
    },

    /**
     * The device's state follows its job: succeeded or failed (with the job's reason), or
     * removed (`removed`: a person cancelled it). Only while the device waits on this very job.
     */
    async followJob(
      job: { id: string; rolloutId: string; deviceId: string },
      state: 'succeeded' | 'failed' | 'removed',
      reason: string | null,
      now: string,
    ): Promise<boolean> {
      const moved = await database.db
        .updateTable('rolloutDevices')
        .set({ state, reason, updatedAt: now })
        .where('rolloutId', '=', job.rolloutId)
        .where('deviceId', '=', job.deviceId)
        .where('installJobId', '=', job.id)
        .where('state', '=', 'active')
        .executeTakeFirst();
      return Number(moved.numUpdatedRows) > 0;
    },

    /** A failed device retried by hand waits on the new attempt. */
    async followRetry(
      failed: { id: string; rolloutId: string; deviceId: string },
      retryId: string,
      now: string,
    ): Promise<boolean> {
      const moved = await database.db
        .updateTable('rolloutDevices')
        .set({ state: 'active', installJobId: retryId, reason: null, updatedAt: now })
        .where('rolloutId', '=', failed.rolloutId)
        .where('deviceId', '=', failed.deviceId)
        .where('installJobId', '=', failed.id)
        .where('state', '=', 'failed')
        .executeTakeFirst();
      return Number(moved.numUpdatedRows) > 0;
    },

    /**
     * The device lost its entitlement to the item in the mode: it leaves every open rollout of
     * them that has not installed on it. Answers the rollouts it left and the job each had queued.
     */
    removeForEntitlement: (
      entitled: { deviceId: string; itemId: string; mode: CheckoutMode },
      reason: string,
      now: string,
    ): Promise<{ rolloutId: string; installJobId: string | null }[]> =>
      database.db
        .updateTable('rolloutDevices')
        .set({ state: 'removed', reason, updatedAt: now })
        .where('deviceId', '=', entitled.deviceId)
        .where('state', 'in', HELD_STATES)
        .where('rolloutId', 'in', (eb) =>
          eb
            .selectFrom('rollouts')
            .select('id')
            .where('itemId', '=', entitled.itemId)
            .where('mode', '=', entitled.mode)
            .where('status', 'in', OPEN_ROLLOUT_STATUSES),
        )
        .returning(['rolloutId', 'installJobId'])
        .execute(),

    /** The rollout's devices by ID, with their install: all, or those of a state or phase. */
    async list(
      rolloutId: string,
      query: Omit<RolloutDevicesQuery, 'limit' | 'phase'> & { limit: number; phase?: number },
    ): Promise<RolloutDevicesPage> {
      const after = decodeCursor(deviceCursorSchema, query.cursor);
      const { count } = await database.db
        .selectFrom('rolloutDevices as rd')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('rd.rolloutId', '=', rolloutId)
        .$if(query.state !== undefined, (q) => q.where('rd.state', '=', query.state!))
        .$if(query.phase !== undefined, (q) => q.where('rd.phase', '=', query.phase!))
        .executeTakeFirstOrThrow();
      const rows = await database.db
        .selectFrom('rolloutDevices as rd')
        .innerJoin('devices as d', 'd.id', 'rd.deviceId')
        .leftJoin('installJobs as j', 'j.id', 'rd.installJobId')
        .select([
          'rd.deviceId',
          'd.name as deviceName',
          'd.model',
          'd.firmwareVersion',
          'rd.phase',
          'rd.state',
          'rd.reason',
          'j.reason as jobReason',
          'rd.installJobId',
          'j.status as installStatus',
          'j.attempt',
          'rd.updatedAt',
        ])
        .where('rd.rolloutId', '=', rolloutId)
        .$if(query.state !== undefined, (q) => q.where('rd.state', '=', query.state!))
        .$if(query.phase !== undefined, (q) => q.where('rd.phase', '=', query.phase!))
        .$if(after !== undefined, (q) => q.where('rd.deviceId', '>', after!.id))
        .orderBy('rd.deviceId')
        .limit(query.limit + 1)
        .execute();
      return {
        ...keysetPage(
          rows,
          query.limit,
          ({ jobReason, ...row }) => ({
            ...row,
            // A failure's reason is the device's own report, kept on its install job.
            reason: row.state === 'failed' ? (jobReason ?? row.reason) : row.reason,
          }),
          (last) => ({ id: last.deviceId }),
        ),
        total: count,
      };
    },
  };
}
export type RolloutDevicesRepo = ReturnType<typeof createRolloutDevicesRepo>;
