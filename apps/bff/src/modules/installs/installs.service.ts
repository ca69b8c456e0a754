import {
  describeIncompatibility,
  eventForReport,
  normaliseDeviceId,
  releaseIncompatibility,
} from '@repo/domain';
import type {
  BulkInstallRequest,
  BulkInstallResult,
  CheckoutMode,
  CreateInstallRequest,
  DeviceJob,
  DeviceJobReport,
  InstallJob,
  InstallJobEvent,
  InstallRefusal,
  InstallsQuery,
  Release,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Actor } from '../../http/auth';
import { AppError, notFound } from '../../http/errors';
import type { AuditRepo } from '../audit/audit.repo';
import {
  toInstallJob,
  type InstallDevice,
  type InstallJobRow,
  type InstallsRepo,
} from './installs.repo';
import type { ReleasesRepo } from './releases.repo';

export type { InstallDevice };

/** What the installs service tells rollouts (modules/rollouts), in the job's transaction. */
export type RolloutJobEvents = {
  jobFinished(job: InstallJobRow): Promise<void>;
  jobCancelled(job: InstallJobRow, reason: string): Promise<void>;
  rolloutOfRetry(failed: InstallJobRow): Promise<string | null>;
  jobRetried(failed: InstallJobRow, retryId: string): Promise<void>;
};

/** What the installs service needs of provider events (modules/provider-webhooks). */
export type InstallEvents = {
  /** `install.succeeded` or `install.failed`, written in the job's transaction. */
  installFinished(input: {
    organisationId: string;
    mode: CheckoutMode;
    job: InstallJob;
  }): Promise<unknown>;
};

type Deps = {
  database: Database;
  installs: InstallsRepo;
  releases: ReleasesRepo;
  audit: AuditRepo;
  providerEvents: InstallEvents;
  rollouts: RolloutJobEvents;
};

const toDeviceJob = (job: InstallJobRow): DeviceJob => ({
  id: job.id,
  itemId: job.itemId,
  releaseId: job.releaseId,
  version: job.version,
  status: job.status,
});

const alreadyActive = (deviceId: string, release: Release, active: InstallJobRow | undefined) =>
  new AppError(
    409,
    'INSTALL_ALREADY_ACTIVE',
    active
      ? `${release.itemName} ${active.version} is already ${active.status} on ${deviceId}. Wait for it to finish or cancel it.`
      : `An install of ${release.itemName} is already on its way to ${deviceId}. Wait for it to finish or cancel it.`,
  );

/**
 * Queuing, cancelling and retrying installs for people, and moving them forward for devices.
 * Every change runs in one transaction that first locks the rows it decides from (the job, the
 * entitlement), so the rules checked are the rules applied on any number of instances; one active
 * job per device and item is kept by a unique index whoever inserts first.
 */
export function createInstallsService({
  database,
  installs,
  releases,
  audit,
  providerEvents,
  rollouts,
}: Deps) {
  async function findRelease(organisationId: string, releaseId: string): Promise<Release> {
    const release = await releases.find(organisationId, releaseId);
    if (!release)
      throw new AppError(404, 'RELEASE_NOT_FOUND', `Release ${releaseId} was not found.`);
    return release;
  }

  /** The entitlement an install would run under, or the reason it may not be queued. */
  async function eligibility(
    organisationId: string,
    deviceId: string,
    release: Release,
  ): Promise<{ entitlementId: string } | AppError> {
    const device = await installs.device(organisationId, deviceId);
    if (!device) return new AppError(404, 'DEVICE_NOT_FOUND', `Device ${deviceId} was not found.`);
    const entitlementId = await installs.activeEntitlement(device.id, release.itemId);
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
    const active = await installs.activeFor(device.id, release.itemId);
    if (active) return alreadyActive(deviceId, release, active);
    return { entitlementId };
  }

  async function queueOne(
    actor: Actor,
    deviceId: string,
    release: Release,
    requestId: string,
    retryOf: InstallJobRow | null,
    now: string,
  ): Promise<InstallJob | AppError> {
    const check = await eligibility(actor.organisationId, deviceId, release);
    if (check instanceof AppError) return check;
    const job = await installs.insert(
      {
        organisationId: actor.organisationId,
        deviceId,
        itemId: release.itemId,
        releaseId: release.id,
        entitlementId: check.entitlementId,
        attempt: retryOf ? retryOf.attempt + 1 : 1,
        retryOf: retryOf?.id ?? null,
        createdBy: actor.userId,
        rolloutId: retryOf ? await rollouts.rolloutOfRetry(retryOf) : null,
      },
      now,
    );
    // Another instance queued one for this device and item since we looked.
    if (!job)
      return alreadyActive(deviceId, release, await installs.activeFor(deviceId, release.itemId));
    await audit.record({
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

  /** The organisation's job, locked for the rest of the transaction. */
  async function lockJob(actor: Actor, id: string): Promise<InstallJobRow> {
    const job = await installs.findForUpdate(id);
    if (!job || job.organisationId !== actor.organisationId) throw notFound('Install');
    return job;
  }

  return {
    list: (actor: Actor, query: Omit<InstallsQuery, 'limit'> & { limit: number }) =>
      installs.list(actor.organisationId, {
        ...query,
        deviceId: query.deviceId === undefined ? undefined : normaliseDeviceId(query.deviceId),
      }),

    /** Every state the job went through, oldest first; only for the job's organisation. */
    async events(actor: Actor, id: string): Promise<InstallJobEvent[]> {
      if (!(await installs.findForOrg(actor.organisationId, id))) throw notFound('Install');
      return installs.events(id);
    },

    /** The releases of the organisation's items. */
    releases: (actor: Actor): Promise<Release[]> => releases.forOrganisation(actor.organisationId),

    queue(actor: Actor, body: CreateInstallRequest, requestId: string): Promise<InstallJob> {
      return database.transaction(async () => {
        const release = await findRelease(actor.organisationId, body.releaseId);
        const job = await queueOne(
          actor,
          normaliseDeviceId(body.deviceId),
          release,
          requestId,
          null,
          new Date().toISOString(),
        );
        if (job instanceof AppError) throw job;
        return job;
      });
    },

    /** Queues the release on every eligible device; the others come back with their reason. */
    queueMany(
      actor: Actor,
      body: BulkInstallRequest,
      requestId: string,
    ): Promise<BulkInstallResult> {
      return database.transaction(async () => {
        const release = await findRelease(actor.organisationId, body.releaseId);
        const now = new Date().toISOString();
        const queued: InstallJob[] = [];
        const refused: InstallRefusal[] = [];
        for (const deviceId of new Set(body.deviceIds.map(normaliseDeviceId))) {
          const job = await queueOne(actor, deviceId, release, requestId, null, now);
          if (job instanceof AppError)
            refused.push({ deviceId, code: job.code, message: job.message });
          else queued.push(job);
        }
        return { queued, refused };
      });
    },

    cancel(actor: Actor, id: string, requestId: string): Promise<InstallJob> {
      return database.transaction(async () => {
        const job = await lockJob(actor, id);
        const reason = `Cancelled by ${actor.email}.`;
        const cancelled = await installs.apply(
          job,
          { event: 'cancel', actor: actor.userId, reason },
          new Date().toISOString(),
        );
        if (!cancelled) {
          throw new AppError(
            409,
            'INSTALL_NOT_CANCELLABLE',
            `This install is ${job.status}; only a queued or sent install can be cancelled.`,
          );
        }
        await rollouts.jobCancelled(cancelled, reason);
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'install.cancel',
          objectType: 'install_job',
          objectId: job.id,
          details: { from: job.status },
          requestId,
        });
        return toInstallJob(cancelled);
      });
    },

    /** A failed install tried again as a new job; the failed one stays in the history. */
    retry(actor: Actor, id: string, requestId: string): Promise<InstallJob> {
      return database.transaction(async () => {
        // Locked, so that two retries of the same job take turns and the second sees the first.
        const job = await lockJob(actor, id);
        if (job.status !== 'failed') {
          throw new AppError(
            409,
            'INSTALL_NOT_RETRYABLE',
            `This install is ${job.status}; only a failed install can be retried.`,
          );
        }
        if (await installs.wasRetried(job.id)) {
          throw new AppError(
            409,
            'INSTALL_ALREADY_RETRIED',
            'This failed install was already retried; retry the newest attempt instead.',
          );
        }
        const release = await findRelease(actor.organisationId, job.releaseId);
        const retried = await queueOne(
          actor,
          job.deviceId,
          release,
          requestId,
          job,
          new Date().toISOString(),
        );
        if (retried instanceof AppError) throw retried;
        await rollouts.jobRetried(job, retried.id);
        return retried;
      });
    },

    /** The device a token belongs to, marked as seen now. */
    async authenticateDevice(tokenHash: string): Promise<InstallDevice | undefined> {
      const device = await installs.deviceByTokenHash(tokenHash);
      if (device) await installs.markSeen(device.id, new Date().toISOString());
      return device;
    },

    /** The device's oldest job not yet started; handing out a queued job marks it sent. */
    nextJob(device: InstallDevice): Promise<DeviceJob | null> {
      return database.transaction(async () => {
        const job = await installs.nextForDevice(device.id, new Date());
        if (!job) return null;
        if (job.status !== 'queued') return toDeviceJob(job);
        const sent = await installs.apply(
          job,
          { event: 'send', actor: 'device' },
          new Date().toISOString(),
        );
        return toDeviceJob(sent ?? job);
      });
    },

    /** Moves the device's job one step; a finished install is told to the provider's webhooks. */
    async report(
      device: InstallDevice,
      jobId: string,
      report: DeviceJobReport,
    ): Promise<DeviceJob> {
      const moved = await database.transaction(async () => {
        const job = await installs.findForUpdate(jobId);
        // Another device's job does not exist, as far as this device can tell.
        if (!job || job.deviceId !== device.id) throw notFound('Job');
        const next = await installs.apply(
          job,
          {
            event: eventForReport(job.status, report.status),
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
        if (next.status === 'succeeded' || next.status === 'failed') {
          await providerEvents.installFinished({
            organisationId: next.organisationId,
            mode: await installs.modeOfEntitlement(next.entitlementId),
            job: toInstallJob(next),
          });
          await rollouts.jobFinished(next);
        }
        return next;
      });
      return toDeviceJob(moved);
    },
  };
}
export type InstallsService = ReturnType<typeof createInstallsService>;
