import { describeIncompatibility, eventForReport, releaseIncompatibility } from '@repo/domain';
import type {
  BulkInstallRequest,
  BulkInstallResult,
  CheckoutMode,
  CreateInstallRequest,
  DeviceJob,
  DeviceJobReport,
  InstallJob,
  InstallRefusal,
  Release,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Actor } from '../../http/auth';
import { AppError, notFound } from '../../http/errors';
import type { AuditRepo } from '../audit/audit.repo';
import { recordInstallFinished } from '../provider-webhooks/provider-events';
import { toInstallJob, type InstallJobRow, type InstallsRepo } from './installs.repo';
import type { ReleasesRepo } from './releases.repo';

type Deps = {
  db: Database;
  installs: InstallsRepo;
  releases: ReleasesRepo;
  audit: AuditRepo;
};

export type InstallDevice = { id: string; organisationId: string };

const toDeviceJob = (job: InstallJobRow): DeviceJob => ({
  id: job.id,
  itemId: job.itemId,
  releaseId: job.releaseId,
  version: job.version,
  status: job.status,
});

/**
 * Queuing, cancelling and retrying installs for people, and moving them forward for devices.
 * Every change runs in an IMMEDIATE transaction, so the rules checked are the rules applied.
 */
export function createInstallsService({ db, installs, releases, audit }: Deps) {
  const s = {
    device: db.prepare(
      `SELECT id, model, firmware_version AS firmwareVersion FROM devices
       WHERE organisation_id = ? AND id = ?`,
    ),
    // Live entitlements first: they are the ones paid for real.
    entitlement: db
      .prepare(
        `SELECT id FROM entitlements WHERE device_id = ? AND item_id = ? AND status = 'active'
         ORDER BY mode = 'live' DESC LIMIT 1`,
      )
      .pluck(),
    deviceByToken: db.prepare(
      'SELECT id, organisation_id AS organisationId FROM devices WHERE token_hash = ?',
    ),
    seen: db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?'),
    entitlementMode: db.prepare('SELECT mode FROM entitlements WHERE id = ?').pluck(),
  };

  function findRelease(organisationId: string, releaseId: string): Release {
    const release = releases.find(organisationId, releaseId);
    if (!release)
      throw new AppError(404, 'RELEASE_NOT_FOUND', `Release ${releaseId} was not found.`);
    return release;
  }

  /** The entitlement an install would run under, or the reason it may not be queued. */
  function eligibility(
    organisationId: string,
    deviceId: string,
    release: Release,
  ): { entitlementId: string } | AppError {
    const device = s.device.get(organisationId, deviceId) as
      { id: string; model: string; firmwareVersion: string } | undefined;
    if (!device) return new AppError(404, 'DEVICE_NOT_FOUND', `Device ${deviceId} was not found.`);
    const entitlementId = s.entitlement.get(device.id, release.itemId) as string | undefined;
    if (!entitlementId) {
      return new AppError(
        422,
        'NO_ACTIVE_ENTITLEMENT',
        `${deviceId} has no active entitlement to ${release.itemName}. Buy it for this device first.`,
      );
    }
    const incompatibility = releaseIncompatibility(device, release);
    if (incompatibility) {
      return new AppError(
        422,
        'RELEASE_INCOMPATIBLE',
        `${release.itemName} ${release.version} cannot run on ${deviceId}. ${describeIncompatibility(incompatibility)}`,
      );
    }
    const active = installs.activeFor(device.id, release.itemId);
    if (active) {
      return new AppError(
        409,
        'INSTALL_ALREADY_ACTIVE',
        `${release.itemName} ${active.version} is already ${active.status} on ${deviceId}. Wait for it to finish or cancel it.`,
      );
    }
    return { entitlementId };
  }

  function queueOne(
    actor: Actor,
    deviceId: string,
    release: Release,
    requestId: string,
    retryOf: InstallJobRow | null,
    now: string,
  ): InstallJob | AppError {
    const check = eligibility(actor.organisationId, deviceId, release);
    if (check instanceof AppError) return check;
    const job = installs.insert(
      {
        organisationId: actor.organisationId,
        deviceId,
        itemId: release.itemId,
        releaseId: release.id,
        entitlementId: check.entitlementId,
        attempt: retryOf ? retryOf.attempt + 1 : 1,
        retryOf: retryOf?.id ?? null,
        createdBy: actor.userId,
      },
      now,
    );
    audit.record({
      organisationId: actor.organisationId,
      userId: actor.userId,
      action: retryOf ? 'install.retry' : 'install.queue',
      objectType: 'install_job',
      objectId: job.id,
      details: { deviceId, releaseId: release.id, attempt: job.attempt },
      requestId,
    });
    return toInstallJob(job);
  }

  function findJob(actor: Actor, id: string): InstallJobRow {
    const job = installs.findForOrg(actor.organisationId, id);
    if (!job) throw notFound('Install');
    return job;
  }

  return {
    queue(actor: Actor, body: CreateInstallRequest, requestId: string): InstallJob {
      return db
        .transaction(() => {
          const release = findRelease(actor.organisationId, body.releaseId);
          const job = queueOne(
            actor,
            body.deviceId,
            release,
            requestId,
            null,
            new Date().toISOString(),
          );
          if (job instanceof AppError) throw job;
          return job;
        })
        .immediate();
    },

    /** Queues the release on every eligible device; the others come back with their reason. */
    queueMany(actor: Actor, body: BulkInstallRequest, requestId: string): BulkInstallResult {
      return db
        .transaction(() => {
          const release = findRelease(actor.organisationId, body.releaseId);
          const now = new Date().toISOString();
          const queued: InstallJob[] = [];
          const refused: InstallRefusal[] = [];
          for (const deviceId of new Set(body.deviceIds)) {
            const job = queueOne(actor, deviceId, release, requestId, null, now);
            if (job instanceof AppError)
              refused.push({ deviceId, code: job.code, message: job.message });
            else queued.push(job);
          }
          return { queued, refused };
        })
        .immediate();
    },

    cancel(actor: Actor, id: string, requestId: string): InstallJob {
      return db
        .transaction(() => {
          const job = findJob(actor, id);
          const cancelled = installs.apply(
            job,
            { event: 'cancel', actor: actor.userId, reason: `Cancelled by ${actor.email}.` },
            new Date().toISOString(),
          );
          if (!cancelled) {
            throw new AppError(
              409,
              'INSTALL_NOT_CANCELLABLE',
              `This install is ${job.status}; only a queued or sent install can be cancelled.`,
            );
          }
          audit.record({
            organisationId: actor.organisationId,
            userId: actor.userId,
            action: 'install.cancel',
            objectType: 'install_job',
            objectId: job.id,
            details: { from: job.status },
            requestId,
          });
          return toInstallJob(cancelled);
        })
        .immediate();
    },

    /** A failed install tried again as a new job; the failed one stays in the history. */
    retry(actor: Actor, id: string, requestId: string): InstallJob {
      return db
        .transaction(() => {
          const job = findJob(actor, id);
          if (job.status !== 'failed') {
            throw new AppError(
              409,
              'INSTALL_NOT_RETRYABLE',
              `This install is ${job.status}; only a failed install can be retried.`,
            );
          }
          if (installs.wasRetried(job.id)) {
            throw new AppError(
              409,
              'INSTALL_ALREADY_RETRIED',
              'This failed install was already retried; retry the newest attempt instead.',
            );
          }
          const release = findRelease(actor.organisationId, job.releaseId);
          const retried = queueOne(
            actor,
            job.deviceId,
            release,
            requestId,
            job,
            new Date().toISOString(),
          );
          if (retried instanceof AppError) throw retried;
          return retried;
        })
        .immediate();
    },

    /** The device a token belongs to, marked as seen now. */
    authenticateDevice(tokenHash: string): InstallDevice | undefined {
      const device = s.deviceByToken.get(tokenHash) as InstallDevice | undefined;
      if (device) s.seen.run(new Date().toISOString(), device.id);
      return device;
    },

    /** The device's oldest job not yet started; handing out a queued job marks it sent. */
    nextJob(device: InstallDevice): DeviceJob | null {
      return db
        .transaction(() => {
          const job = installs.nextForDevice(device.id);
          if (!job) return null;
          if (job.status !== 'queued') return toDeviceJob(job);
          const sent = installs.apply(
            job,
            { event: 'send', actor: 'device' },
            new Date().toISOString(),
          );
          return toDeviceJob(sent ?? job);
        })
        .immediate();
    },

    /** Moves the device's job one step; a finished install is told to the provider's webhooks. */
    report(device: InstallDevice, jobId: string, report: DeviceJobReport): DeviceJob {
      const moved = db
        .transaction(() => {
          const job = installs.find(jobId);
          // Another device's job does not exist, as far as this device can tell.
          if (!job || job.deviceId !== device.id) throw notFound('Job');
          const event = eventForReport(job.status, report.status);
          const next = installs.apply(
            job,
            {
              event,
              actor: 'device',
              progress: report.progress ?? null,
              reason:
                report.status === 'failed'
                  ? (report.error ?? 'The device reported a failure.')
                  : null,
            },
            new Date().toISOString(),
          );
          if (!next) {
            throw new AppError(
              409,
              'INVALID_TRANSITION',
              `The job is ${job.status}; it cannot move to ${report.status}.`,
              [{ path: 'status', message: `not allowed from ${job.status}` }],
            );
          }
          recordInstallFinished(db, {
            organisationId: next.organisationId,
            mode: s.entitlementMode.get(next.entitlementId) as CheckoutMode,
            job: toInstallJob(next),
          });
          return next;
        })
        .immediate();
      return toDeviceJob(moved);
    },
  };
}
export type InstallsService = ReturnType<typeof createInstallsService>;
