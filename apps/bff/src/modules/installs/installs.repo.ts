import { sql } from 'kysely';
import {
  ACTIVE_INSTALL_STATUSES,
  isInstallActive,
  nextInstallStatus,
  type InstallEvent,
} from '@repo/domain';
import type {
  CheckoutMode,
  InstallJob,
  InstallJobEvent,
  InstallJobsPage,
  InstallStatus,
  InstallsQuery,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import { createdAtCursorSchema, decodeCursor, keysetPage } from '../../http/cursor';
import { newId } from '../../ids';

export type InstallJobRow = InstallJob & {
  organisationId: string;
  entitlementId: string;
  /** The rollout that queued the job, if one did. */
  rolloutId: string | null;
};

export type NewInstallJob = {
  organisationId: string;
  deviceId: string;
  itemId: string;
  releaseId: string;
  entitlementId: string;
  attempt: number;
  retryOf: string | null;
  /** A person's user id; null when a rollout queued the job by itself. */
  createdBy: string | null;
  rolloutId?: string | null;
};

export type InstallJobChange = {
  event: InstallEvent;
  /** Who moved the job: a user id, `device`, or `system`. */
  actor: string;
  progress?: number | null;
  reason?: string | null;
};

/** A device as the device API knows it: who it is and whose it is. */
export type InstallDevice = { id: string; organisationId: string };

/** Jobs not yet started: the ones a device is handed, and the only ones a refund still stops. */
const PENDING_STATUSES: InstallStatus[] = ['queued', 'sent'];

/** Rows per multi-row insert: 14 columns each, well within either database's parameter limit. */
const JOBS_PER_STATEMENT = 2_000;

/** A new step starts at 0 %, a finished install is at 100 %, a stopped one keeps where it got to. */
function progressAfter(job: InstallJobRow, to: InstallStatus, reported: number | null | undefined) {
  if (to === 'succeeded') return 100;
  if (reported !== undefined && reported !== null) return reported;
  if (to !== job.status && (to === 'downloading' || to === 'installing')) return 0;
  return job.progress;
}

export function toInstallJob(row: InstallJobRow): InstallJob {
  const {
    organisationId: _organisationId,
    entitlementId: _entitlementId,
    rolloutId: _rolloutId,
    ...job
  } = row;
  return job;
}

export function createInstallsRepo(database: Database) {
  const jobs = () =>
    database.db
      .selectFrom('installJobs as j')
      .innerJoin('releases as r', 'r.id', 'j.releaseId')
      .innerJoin('marketplaceItems as i', 'i.id', 'j.itemId')
      .select([
        'j.id',
        'j.organisationId',
        'j.deviceId',
        'j.itemId',
        'i.name as itemName',
        'j.releaseId',
        'r.version',
        'j.status',
        'j.attempt',
        'j.retryOf',
        'j.progress',
        'j.reason',
        'j.entitlementId',
        'j.createdAt',
        'j.updatedAt',
        'j.finishedAt',
        'j.rolloutId',
      ]);

  const find = (id: string): Promise<InstallJobRow | undefined> =>
    jobs().where('j.id', '=', id).executeTakeFirst();

  async function findMany(ids: string[]): Promise<InstallJobRow[]> {
    if (ids.length === 0) return [];
    return jobs().where('j.id', 'in', ids).orderBy('j.createdAt').orderBy('j.id').execute();
  }

  const recordEvent = async (
    jobId: string,
    event: { status: InstallStatus; progress: number | null; detail: string | null; actor: string },
    now: string,
  ) => {
    await database.db
      .insertInto('installJobEvents')
      .values({ jobId, ...event, createdAt: now })
      .execute();
  };

  /** One event per job, in multi-row statements: for jobs moved in bulk. */
  async function recordEvents(
    jobs: { id: string; createdBy: string | null }[],
    status: InstallStatus,
    detail: string | null,
    now: string,
  ): Promise<void> {
    for (let start = 0; start < jobs.length; start += JOBS_PER_STATEMENT) {
      const slice = jobs.slice(start, start + JOBS_PER_STATEMENT);
      if (slice.length === 0) break;
      await database.db
        .insertInto('installJobEvents')
        .values(
          slice.map((job) => ({
            jobId: job.id,
            status,
            progress: null,
            detail,
            actor: job.createdBy ?? 'system',
            createdAt: now,
          })),
        )
        .execute();
    }
  }

  async function apply(
    job: InstallJobRow,
    change: InstallJobChange,
    now: string,
  ): Promise<InstallJobRow | null> {
    const to = nextInstallStatus(job.status, change.event);
    if (!to) return null;
    // Guarded by the state read before: a job moved meanwhile by someone else is left alone.
    const moved = await database.db
      .updateTable('installJobs')
      .set({
        status: to,
        progress: progressAfter(job, to, change.progress),
        ...(change.reason != null ? { reason: change.reason } : {}),
        updatedAt: now,
        finishedAt: isInstallActive(to) ? null : now,
      })
      .where('id', '=', job.id)
      .where('status', '=', job.status)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 0) return null;
    await recordEvent(
      job.id,
      {
        status: to,
        progress: change.progress ?? null,
        detail: change.reason ?? null,
        actor: change.actor,
      },
      now,
    );
    if (to === 'succeeded') {
      await database.db
        .insertInto('deviceInstallations')
        .values({
          deviceId: job.deviceId,
          itemId: job.itemId,
          releaseId: job.releaseId,
          version: job.version,
          installJobId: job.id,
          installedAt: now,
        })
        .onConflict((oc) =>
          oc.columns(['deviceId', 'itemId']).doUpdateSet((eb) => ({
            releaseId: eb.ref('excluded.releaseId'),
            version: eb.ref('excluded.version'),
            installJobId: eb.ref('excluded.installJobId'),
            installedAt: eb.ref('excluded.installedAt'),
          })),
        )
        .execute();
    }
    return (await find(job.id)) ?? null;
  }

  return {
    find,

    async findForOrg(organisationId: string, id: string): Promise<InstallJobRow | undefined> {
      const row = await find(id);
      return row?.organisationId === organisationId ? row : undefined;
    },

    /**
     * The job, locked until the transaction ends, so that whoever moves it next decides from the
     * state it is in: an operator's cancel and a device's report on two instances take turns.
     */
    async findForUpdate(id: string): Promise<InstallJobRow | undefined> {
      // Locked on its own table: a lock through the joins would hold the release and item rows too.
      const locked = await database
        .forUpdate(database.db.selectFrom('installJobs').select('id').where('id', '=', id))
        .executeTakeFirst();
      return locked && find(locked.id);
    },

    /** The job on its way to the device for this item, if any (at most one, by a unique index). */
    activeFor: (deviceId: string, itemId: string): Promise<InstallJobRow | undefined> =>
      jobs()
        .where('j.deviceId', '=', deviceId)
        .where('j.itemId', '=', itemId)
        .where('j.status', 'in', ACTIVE_INSTALL_STATUSES)
        .executeTakeFirst(),

    /**
     * The device's oldest job not yet started that may go out `at`, locked until the transaction
     * ends: a rollout's job waits while the rollout is not running or outside its window.
     */
    async nextForDevice(deviceId: string, at: Date): Promise<InstallJobRow | undefined> {
      const next = await database
        .forUpdate(
          database.db
            .selectFrom('installJobs')
            .select('id')
            .where('deviceId', '=', deviceId)
            .where('status', 'in', PENDING_STATUSES)
            .where((eb) =>
              eb.or([
                eb('installJobs.rolloutId', 'is', null),
                eb.exists(
                  eb
                    .selectFrom('rollouts as r')
                    .select('r.id')
                    .whereRef('r.id', '=', 'installJobs.rolloutId')
                    .where('r.status', '=', 'running')
                    .where((r) => {
                      // isWithinWindow in @repo/domain, in SQL: no window, a whole day
                      // (start = end), a window within the day, or one past midnight.
                      const [start, end, hour] = [
                        r.ref('r.windowStartHour'),
                        r.ref('r.windowEndHour'),
                        at.getUTCHours(),
                      ];
                      return r.or([
                        r(start, 'is', null),
                        r(start, '=', end),
                        r.and([r(start, '<', end), r(start, '<=', hour), r(end, '>', hour)]),
                        r.and([
                          r(start, '>', end),
                          r.or([r(start, '<=', hour), r(end, '>', hour)]),
                        ]),
                      ]);
                    }),
                ),
              ]),
            )
            .orderBy('createdAt')
            .orderBy('id')
            .limit(1),
        )
        .executeTakeFirst();
      return next && find(next.id);
    },

    async wasRetried(id: string): Promise<boolean> {
      const retry = await database.db
        .selectFrom('installJobs')
        .select('id')
        .where('retryOf', '=', id)
        .executeTakeFirst();
      return retry !== undefined;
    },

    /** Every state the job went through, oldest first, each device report included. */
    events: (jobId: string): Promise<InstallJobEvent[]> =>
      database.db
        .selectFrom('installJobEvents')
        .select(['status', 'progress', 'detail', 'createdAt'])
        .where('jobId', '=', jobId)
        .orderBy('id')
        .execute(),

    /** The jobs of a device, newest first: all of them, or those of one item. */
    async history(
      deviceId: string,
      itemId: string | null = null,
      limit = 50,
    ): Promise<InstallJob[]> {
      const rows = await jobs()
        .where('j.deviceId', '=', deviceId)
        .$if(itemId !== null, (q) => q.where('j.itemId', '=', itemId!))
        .orderBy('j.createdAt', 'desc')
        .orderBy('j.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toInstallJob);
    },

    /**
     * Queues a job, or returns undefined when the device already has one on its way for the
     * item: the partial unique index decides, whichever instance inserted first.
     */
    async insert(job: NewInstallJob, now: string): Promise<InstallJobRow | undefined> {
      const id = newId('inst');
      const inserted = await database.db
        .insertInto('installJobs')
        .values({
          ...job,
          rolloutId: job.rolloutId ?? null,
          id,
          status: 'queued',
          createdAt: now,
          updatedAt: now,
        })
        .onConflict((oc) =>
          oc
            .columns(['deviceId', 'itemId'])
            // The predicate of install_jobs_one_active, word for word, so both databases pick it.
            .where(sql<boolean>`status IN ('queued', 'sent', 'downloading', 'installing')`)
            .doNothing(),
        )
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return undefined;
      await recordEvent(
        id,
        { status: 'queued', progress: null, detail: null, actor: job.createdBy ?? 'system' },
        now,
      );
      return find(id);
    },

    /**
     * Queues many jobs in multi-row statements (a rollout's phase). A device that already has a
     * job on its way for the item, or a failed job already retried, is skipped: the unique indexes
     * decide. Answers how many were queued.
     */
    async insertMany(jobs: NewInstallJob[], now: string): Promise<number> {
      let queued = 0;
      for (let start = 0; start < jobs.length; start += JOBS_PER_STATEMENT) {
        const inserted = await database.db
          .insertInto('installJobs')
          .values(
            jobs.slice(start, start + JOBS_PER_STATEMENT).map((job) => ({
              ...job,
              rolloutId: job.rolloutId ?? null,
              id: newId('inst'),
              status: 'queued' as const,
              createdAt: now,
              updatedAt: now,
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .returning(['id', 'createdBy'])
          .execute();
        await recordEvents(inserted, 'queued', null, now);
        queued += inserted.length;
      }
      return queued;
    },

    /** Cancels a rollout's jobs not yet started, all at once; answers how many. */
    async cancelPendingOfRollout(rolloutId: string, reason: string, now: string): Promise<number> {
      // Guarded by the status, as apply() is: a job a device has started meanwhile is left alone.
      const cancelled = await database.db
        .updateTable('installJobs')
        .set({ status: 'cancelled', reason, updatedAt: now, finishedAt: now })
        .where('rolloutId', '=', rolloutId)
        .where('status', 'in', PENDING_STATUSES)
        .returning(['id'])
        .execute();
      await recordEvents(
        cancelled.map(({ id }) => ({ id, createdBy: null })),
        'cancelled',
        reason,
        now,
      );
      return cancelled.length;
    },

    /**
     * Applies one event of the state machine. Null when the machine refuses it from the job's
     * state, or when the job moved on meanwhile; either way nothing changes.
     */
    apply,

    /** Cancels the jobs not yet started for an item the device lost its last entitlement to. */
    async cancelUnentitled(
      deviceId: string,
      itemId: string,
      reason: string,
      now: string,
    ): Promise<number> {
      const locked = await database
        .forUpdate(
          database.db
            .selectFrom('installJobs')
            .select('id')
            .where('deviceId', '=', deviceId)
            .where('itemId', '=', itemId)
            .where('status', 'in', PENDING_STATUSES)
            .where(({ not, exists, selectFrom }) =>
              not(
                exists(
                  selectFrom('entitlements')
                    .select('entitlements.id')
                    .where('entitlements.deviceId', '=', deviceId)
                    .where('entitlements.itemId', '=', itemId)
                    .where('entitlements.status', '=', 'active'),
                ),
              ),
            ),
        )
        .execute();
      let cancelled = 0;
      for (const job of await findMany(locked.map((j) => j.id))) {
        if (await apply(job, { event: 'cancel', actor: 'system', reason }, now)) cancelled += 1;
      }
      return cancelled;
    },

    async list(
      organisationId: string,
      query: Omit<InstallsQuery, 'limit'> & { limit: number },
    ): Promise<InstallJobsPage> {
      const after = decodeCursor(createdAtCursorSchema, query.cursor);
      const total = await database.db
        .selectFrom('installJobs as j')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('j.organisationId', '=', organisationId)
        .$if(query.status !== undefined, (q) => q.where('j.status', '=', query.status!))
        .$if(query.deviceId !== undefined, (q) => q.where('j.deviceId', '=', query.deviceId!))
        .$if(query.itemId !== undefined, (q) => q.where('j.itemId', '=', query.itemId!))
        .executeTakeFirstOrThrow();
      const rows = await jobs()
        .where('j.organisationId', '=', organisationId)
        .$if(query.status !== undefined, (q) => q.where('j.status', '=', query.status!))
        .$if(query.deviceId !== undefined, (q) => q.where('j.deviceId', '=', query.deviceId!))
        .$if(query.itemId !== undefined, (q) => q.where('j.itemId', '=', query.itemId!))
        .$if(after !== undefined, (q) =>
          q.where((eb) =>
            eb(eb.refTuple('j.createdAt', 'j.id'), '<', eb.tuple(after!.createdAt, after!.id)),
          ),
        )
        .orderBy('j.createdAt', 'desc')
        .orderBy('j.id', 'desc')
        .limit(query.limit + 1)
        .execute();
      return {
        ...keysetPage(rows, query.limit, toInstallJob, (last) => ({
          createdAt: last.createdAt,
          id: last.id,
        })),
        total: total.count,
      };
    },

    /** One of the organisation's devices, with what decides which releases fit it. */
    device: (organisationId: string, deviceId: string) =>
      database.db
        .selectFrom('devices')
        .select(['id', 'model', 'firmwareVersion'])
        .where('organisationId', '=', organisationId)
        .where('id', '=', deviceId)
        .executeTakeFirst(),

    /**
     * The active entitlement an install of the item would run under, live ones first (they are
     * the ones paid for real), locked until the transaction ends: a refund revoking it meanwhile
     * waits for the queued job and then cancels it, or goes first and the install is refused.
     */
    async activeEntitlement(deviceId: string, itemId: string): Promise<string | undefined> {
      const entitlement = await database
        .forUpdate(
          database.db
            .selectFrom('entitlements')
            .select('id')
            .where('deviceId', '=', deviceId)
            .where('itemId', '=', itemId)
            .where('status', '=', 'active')
            .orderBy((eb) => eb.case().when('mode', '=', 'live').then(0).else(1).end())
            .limit(1),
        )
        .executeTakeFirst();
      return entitlement?.id;
    },

    /** Install jobs carry no mode of their own: it is the mode of the entitlement they install under. */
    async modeOfEntitlement(entitlementId: string): Promise<CheckoutMode> {
      const { mode } = await database.db
        .selectFrom('entitlements')
        .select('mode')
        .where('id', '=', entitlementId)
        .executeTakeFirstOrThrow();
      return mode;
    },

    deviceByTokenHash: (tokenHash: string): Promise<InstallDevice | undefined> =>
      database.db
        .selectFrom('devices')
        .select(['id', 'organisationId'])
        .where('tokenHash', '=', tokenHash)
        .executeTakeFirst(),

    async markSeen(deviceId: string, at: string): Promise<void> {
      await database.db
        .updateTable('devices')
        .set({ lastSeenAt: at })
        .where('id', '=', deviceId)
        .execute();
    },
  };
}
export type InstallsRepo = ReturnType<typeof createInstallsRepo>;
