import { isInstallActive, nextInstallStatus, type InstallEvent } from '@repo/domain';
import type {
  InstallJob,
  InstallJobEvent,
  InstallJobsPage,
  InstallStatus,
  InstallsQuery,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import { createdAtCursorSchema, decodeCursor, keysetPage } from '../../http/cursor';
import { newId } from '../../ids';

type InstallJobRow = Omit<InstallJob, 'status'> & {
  status: InstallStatus;
  organisationId: string;
  entitlementId: string;
};

export type NewInstallJob = {
  organisationId: string;
  deviceId: string;
  itemId: string;
  releaseId: string;
  entitlementId: string;
  attempt: number;
  retryOf: string | null;
  createdBy: string;
};

export type InstallJobChange = {
  event: InstallEvent;
  /** Who moved the job: a user id, `device`, or `system`. */
  actor: string;
  progress?: number | null;
  reason?: string | null;
};

const JOB_COLUMNS = `j.id, j.organisation_id AS organisationId, j.device_id AS deviceId, j.item_id AS itemId,
  i.name AS itemName, j.release_id AS releaseId, r.version, j.status, j.attempt, j.retry_of AS retryOf,
  j.progress, j.reason, j.entitlement_id AS entitlementId, j.created_at AS createdAt,
  j.updated_at AS updatedAt, j.finished_at AS finishedAt`;
const JOB_FROM = `install_jobs j JOIN releases r ON r.id = j.release_id
  JOIN marketplace_items i ON i.id = j.item_id`;

/** A new step starts at 0 %, a finished install is at 100 %, a stopped one keeps where it got to. */
function progressAfter(job: InstallJobRow, to: InstallStatus, reported: number | null | undefined) {
  if (to === 'succeeded') return 100;
  if (reported !== undefined && reported !== null) return reported;
  if (to !== job.status && (to === 'downloading' || to === 'installing')) return 0;
  return job.progress;
}

export function toInstallJob(row: InstallJobRow): InstallJob {
  const { organisationId: _organisationId, entitlementId: _entitlementId, ...job } = row;
  return job;
}

export function createInstallsRepo(db: Database) {
  const s = {
    byId: db.prepare(`SELECT ${JOB_COLUMNS} FROM ${JOB_FROM} WHERE j.id = ?`),
    // Newest first; a null item means every item.
    history: db.prepare(
      `SELECT ${JOB_COLUMNS} FROM ${JOB_FROM}
       WHERE j.device_id = @deviceId AND (@itemId IS NULL OR j.item_id = @itemId)
       ORDER BY j.created_at DESC, j.id DESC LIMIT @limit`,
    ),
    activeFor: db.prepare(
      `SELECT ${JOB_COLUMNS} FROM ${JOB_FROM}
       WHERE j.device_id = ? AND j.item_id = ? AND j.status IN ('queued', 'sent', 'downloading', 'installing')`,
    ),
    nextForDevice: db.prepare(
      `SELECT ${JOB_COLUMNS} FROM ${JOB_FROM}
       WHERE j.device_id = ? AND j.status IN ('queued', 'sent') ORDER BY j.created_at, j.id LIMIT 1`,
    ),
    retried: db.prepare('SELECT id FROM install_jobs WHERE retry_of = ?').pluck(),
    insert: db.prepare(
      `INSERT INTO install_jobs (id, organisation_id, device_id, item_id, release_id, entitlement_id, status,
         attempt, retry_of, created_by, created_at, updated_at)
       VALUES (@id, @organisationId, @deviceId, @itemId, @releaseId, @entitlementId, 'queued',
         @attempt, @retryOf, @createdBy, @now, @now)`,
    ),
    // Guarded by the state read before: a job moved meanwhile by someone else is left alone.
    move: db.prepare(
      `UPDATE install_jobs
       SET status = @to, progress = @progress, reason = coalesce(@reason, reason), updated_at = @now,
           finished_at = CASE WHEN @finished THEN @now END
       WHERE id = @id AND status = @from`,
    ),
    events: db.prepare(
      `SELECT status, progress, detail, created_at AS createdAt FROM install_job_events
       WHERE job_id = ? ORDER BY id`,
    ),
    event: db.prepare(
      `INSERT INTO install_job_events (job_id, status, progress, detail, actor, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    installed: db.prepare(
      `INSERT INTO device_installations (device_id, item_id, release_id, version, install_job_id, installed_at)
       VALUES (@deviceId, @itemId, @releaseId, @version, @jobId, @now)
       ON CONFLICT (device_id, item_id) DO UPDATE SET release_id = excluded.release_id,
         version = excluded.version, install_job_id = excluded.install_job_id,
         installed_at = excluded.installed_at`,
    ),
    // Jobs not yet started for an item the device is no longer entitled to, in any mode.
    unentitled: db.prepare(
      `SELECT ${JOB_COLUMNS} FROM ${JOB_FROM}
       WHERE j.device_id = @deviceId AND j.item_id = @itemId AND j.status IN ('queued', 'sent')
         AND NOT EXISTS (SELECT 1 FROM entitlements e WHERE e.device_id = @deviceId
                         AND e.item_id = @itemId AND e.status = 'active')`,
    ),
  };

  const find = (id: string) => s.byId.get(id) as InstallJobRow | undefined;

  return {
    find,
    findForOrg(organisationId: string, id: string): InstallJobRow | undefined {
      const row = find(id);
      return row?.organisationId === organisationId ? row : undefined;
    },
    activeFor: (deviceId: string, itemId: string) =>
      s.activeFor.get(deviceId, itemId) as InstallJobRow | undefined,
    nextForDevice: (deviceId: string) => s.nextForDevice.get(deviceId) as InstallJobRow | undefined,
    wasRetried: (id: string) => s.retried.get(id) !== undefined,
    /** Every state the job went through, oldest first, each device report included. */
    events: (jobId: string) => s.events.all(jobId) as InstallJobEvent[],
    /** The jobs of a device, newest first: all of them, or those of one item. */
    history: (deviceId: string, itemId: string | null = null, limit = 50) =>
      (s.history.all({ deviceId, itemId, limit }) as InstallJobRow[]).map(toInstallJob),

    insert(job: NewInstallJob, now: string): InstallJobRow {
      const id = newId('inst');
      s.insert.run({ ...job, id, now });
      s.event.run(id, 'queued', null, null, job.createdBy, now);
      return find(id)!;
    },

    /**
     * Applies one event of the state machine. Null when the machine refuses it from the job's
     * state, or when the job moved on meanwhile; either way nothing changes.
     */
    apply(job: InstallJobRow, change: InstallJobChange, now: string): InstallJobRow | null {
      const to = nextInstallStatus(job.status, change.event);
      if (!to) return null;
      const moved = s.move.run({
        id: job.id,
        from: job.status,
        to,
        progress: progressAfter(job, to, change.progress),
        reason: change.reason ?? null,
        finished: isInstallActive(to) ? 0 : 1,
        now,
      });
      if (moved.changes === 0) return null;
      s.event.run(job.id, to, change.progress ?? null, change.reason ?? null, change.actor, now);
      if (to === 'succeeded') {
        s.installed.run({
          deviceId: job.deviceId,
          itemId: job.itemId,
          releaseId: job.releaseId,
          version: job.version,
          jobId: job.id,
          now,
        });
      }
      return find(job.id)!;
    },

    /** Cancels the jobs not yet started for an item the device lost its last entitlement to. */
    cancelUnentitled(deviceId: string, itemId: string, reason: string, now: string): number {
      const jobs = s.unentitled.all({ deviceId, itemId }) as InstallJobRow[];
      return jobs.filter((job) =>
        this.apply(job, { event: 'cancel', actor: 'system', reason }, now),
      ).length;
    },

    list(
      organisationId: string,
      query: Omit<InstallsQuery, 'limit'> & { limit: number },
    ): InstallJobsPage {
      const clauses = ['j.organisation_id = @organisationId'];
      const params: Record<string, string | number> = { organisationId };
      if (query.status) {
        clauses.push('j.status = @status');
        params.status = query.status;
      }
      if (query.deviceId) {
        clauses.push('j.device_id = @deviceId');
        params.deviceId = query.deviceId;
      }
      if (query.itemId) {
        clauses.push('j.item_id = @itemId');
        params.itemId = query.itemId;
      }
      const filter = clauses.join(' AND ');
      const total = db
        .prepare(`SELECT count(*) FROM install_jobs j WHERE ${filter}`)
        .pluck()
        .get(params) as number;
      const after = decodeCursor(createdAtCursorSchema, query.cursor);
      const rows = db
        .prepare(
          `SELECT ${JOB_COLUMNS} FROM ${JOB_FROM}
           WHERE ${filter} ${after ? 'AND (j.created_at, j.id) < (@afterCreatedAt, @afterId)' : ''}
           ORDER BY j.created_at DESC, j.id DESC LIMIT @limit`,
        )
        .all({
          ...params,
          ...(after ? { afterCreatedAt: after.createdAt, afterId: after.id } : {}),
          limit: query.limit + 1,
        }) as InstallJobRow[];
      return {
        ...keysetPage(rows, query.limit, toInstallJob, (last) => ({
          createdAt: last.createdAt,
          id: last.id,
        })),
        total,
      };
    },
  };
}
export type InstallsRepo = ReturnType<typeof createInstallsRepo>;
export type { InstallJobRow };
