import {
  emptyPhaseCounts,
  isWithinWindow,
  phaseEnds,
  phaseOfPosition,
  phaseSizes,
  rolloutOrder,
  rolloutPlanProblems,
  type RolloutCommand,
} from '@repo/domain';
import {
  MAX_PREVIEW_EXCLUDED_DEVICES,
  type AuditAction,
  type createRolloutRequestSchema,
  type Release,
  type RolloutDetail,
  type RolloutDevicesPage,
  type RolloutDevicesQuery,
  type RolloutExclusionReason,
  type RolloutPhasePlanInput,
  type RolloutPreview,
  type rolloutPreviewRequestSchema,
  type RolloutsPage,
  type RolloutsQuery,
} from '@repo/schemas';
import type { z } from 'zod';
import type { Database } from '../../db/database';
import type { Actor } from '../../http/auth';
import { AppError, notFound } from '../../http/errors';
import { newId } from '../../ids';
import type { AuditRepo } from '../audit/audit.repo';
import type { DeviceGroupsRepo } from '../device-groups/device-groups.repo';
import type { DeviceSets } from '../device-groups/device-sets';
import type { ReleasesRepo } from '../installs/releases.repo';
import type { RolloutDevicesRepo } from './rollout-devices.repo';
import type { RolloutRunner } from './rollout-runner';
import { targetOfRow, type RolloutTargets, type TargetChoice } from './rollout-targets';
import { phasePlanOf, toBps, type RolloutRow, type RolloutsRepo } from './rollouts.repo';

type CreateBody = z.output<typeof createRolloutRequestSchema>;
type PreviewBody = z.output<typeof rolloutPreviewRequestSchema>;

type Deps = {
  database: Database;
  rollouts: RolloutsRepo;
  members: RolloutDevicesRepo;
  groups: Pick<DeviceGroupsRepo, 'find' | 'lock'>;
  deviceSets: DeviceSets;
  targets: RolloutTargets;
  runner: RolloutRunner;
  releases: Pick<ReleasesRepo, 'find'>;
  audit: AuditRepo;
};

/** What a person may do to a rollout, with the audit action it records. */
export type RolloutAction = 'start' | 'pause' | 'resume' | 'abort' | 'retry-failed';

const AUDIT_ACTION_OF: Record<RolloutAction, AuditAction> = {
  start: 'rollout.start',
  pause: 'rollout.pause',
  resume: 'rollout.resume',
  abort: 'rollout.abort',
  'retry-failed': 'rollout.retry_failed',
};

const devicesOf = (c: { waiting: number; active: number; succeeded: number; failed: number }) =>
  c.waiting + c.active + c.succeeded + c.failed;

/**
 * Staged rollouts for people: preview, create a draft, start, pause, resume, abort, retry the
 * failures; and read them, with their progress per phase and their history. Every action runs
 * in one transaction with the rollout's row locked, and is audited.
 */
export function createRolloutsService({
  database,
  rollouts,
  members,
  groups,
  deviceSets,
  targets,
  runner,
  releases,
  audit,
}: Deps) {
  async function findRelease(organisationId: string, releaseId: string): Promise<Release> {
    const release = await releases.find(organisationId, releaseId);
    if (!release)
      throw new AppError(404, 'RELEASE_NOT_FOUND', `Release ${releaseId} was not found.`, [
        { path: 'releaseId', message: 'no such release' },
      ]);
    return release;
  }

  /** The plan's problems (the domain's rules) as a 400, before anything is read or written. */
  function refuseBadPlan(phases: RolloutPhasePlanInput[], success = 1, error = 0) {
    const problems = rolloutPlanProblems(phases, success, error);
    if (problems.length > 0)
      throw new AppError(
        400,
        'VALIDATION_FAILED',
        'The request body is not valid.',
        problems.map((message) => ({
          path: /threshold/.test(message)
            ? /success/.test(message)
              ? 'successThreshold'
              : 'errorThreshold'
            : 'phases',
          message,
        })),
      );
  }

  async function checkTarget(organisationId: string, target: TargetChoice) {
    if (target.kind === 'filter')
      await deviceSets.check(organisationId, target.filter, 'target.filter');
  }

  async function detail(organisationId: string, id: string): Promise<RolloutDetail> {
    const rollout = await rollouts.view(organisationId, id);
    if (!rollout) throw notFound('Rollout');
    const counts = rollout.phases.map(emptyPhaseCounts);
    for (const { phase, state, count } of await rollouts.phaseCounts(id)) {
      if (counts[phase]) counts[phase][state] = count;
    }
    return {
      ...rollout,
      progress: rollout.phases.map((plan, phase) => ({
        phase,
        plan,
        devices: devicesOf(counts[phase]!),
        counts: counts[phase]!,
      })),
      events: await rollouts.events(id),
      sendingNow:
        rollout.status === 'running' && isWithinWindow(rollout.maintenanceWindow, new Date()),
    };
  }

  /** Puts the target's devices that take part into the rollout, spread over its phases. */
  async function enrol(row: RolloutRow, now: string) {
    const release = await findRelease(row.organisationId, row.releaseId);
    const set = await targets.setOf(row.organisationId, targetOfRow(row), row.itemId, row.mode);
    const { eligible } = await targets.classify(row.organisationId, set, {
      id: row.id,
      release,
      mode: row.mode,
    });
    const order = rolloutOrder(row.id, eligible);
    const ends = phaseEnds(order.length, phasePlanOf(row));
    await members.insert(
      order.map((deviceId, position) => ({
        rolloutId: row.id,
        deviceId,
        phase: phaseOfPosition(position, ends),
        state: 'waiting' as const,
        installJobId: null,
        reason: null,
        joinedAt: now,
        updatedAt: now,
      })),
    );
  }

  function commandFor(action: RolloutAction, actor: Actor, reason?: string): RolloutCommand {
    switch (action) {
      case 'start':
        return { kind: 'start' };
      case 'pause':
        return { kind: 'pause', reason: `Paused by ${actor.email}${reason ? `: ${reason}` : '.'}` };
      case 'resume':
        return { kind: 'resume' };
      case 'abort':
        return { kind: 'abort' };
      case 'retry-failed':
        return { kind: 'retry_failed' };
    }
  }

  return {
    list: (
      actor: Actor,
      query: Omit<RolloutsQuery, 'limit'> & { limit: number },
    ): Promise<RolloutsPage> => rollouts.list(actor.organisationId, query),

    get: (actor: Actor, id: string): Promise<RolloutDetail> => detail(actor.organisationId, id),

    async devices(
      actor: Actor,
      id: string,
      query: Omit<RolloutDevicesQuery, 'limit' | 'phase'> & { limit: number; phase?: number },
    ): Promise<RolloutDevicesPage> {
      if (!(await rollouts.view(actor.organisationId, id))) throw notFound('Rollout');
      return members.list(id, query);
    },

    /** How many devices, each phase's size and who is left out and why; nothing is written. */
    async preview(actor: Actor, body: PreviewBody): Promise<RolloutPreview> {
      refuseBadPlan(body.phases, body.successThreshold, body.errorThreshold);
      const release = await findRelease(actor.organisationId, body.releaseId);
      await checkTarget(actor.organisationId, body.target);
      const set = await targets.setOf(actor.organisationId, body.target, release.itemId, body.mode);
      const { targeted, eligible, excluded } = await targets.classify(actor.organisationId, set, {
        id: null,
        release,
        mode: body.mode,
      });
      const byReason = new Map<RolloutExclusionReason, number>();
      for (const { reason } of excluded) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      return {
        itemId: release.itemId,
        itemName: release.itemName,
        releaseId: release.id,
        version: release.version,
        targeted,
        total: eligible.length,
        phases: phaseSizes(eligible.length, body.phases),
        excluded: {
          total: excluded.length,
          byReason: [...byReason].map(([reason, count]) => ({ reason, count })),
          devices: excluded
            .slice(0, MAX_PREVIEW_EXCLUDED_DEVICES)
            .map(({ deviceId, reason, message }) => ({ deviceId, reason, message })),
          truncated: excluded.length > MAX_PREVIEW_EXCLUDED_DEVICES,
        },
      };
    },

    /** A draft: nothing is enrolled or queued until it starts. */
    async create(actor: Actor, body: CreateBody, requestId: string): Promise<RolloutDetail> {
      refuseBadPlan(body.phases, body.successThreshold, body.errorThreshold);
      const id = newId('rol');
      await database.transaction(async () => {
        const release = await findRelease(actor.organisationId, body.releaseId);
        await checkTarget(actor.organisationId, body.target);
        // Locked, so that the group cannot be deleted between this look and the insert.
        const group =
          body.target.kind === 'group' &&
          (await groups.lock(actor.organisationId, body.target.groupId)) &&
          (await groups.find(actor.organisationId, body.target.groupId));
        if (body.target.kind === 'group' && !group)
          throw new AppError(404, 'NOT_FOUND', 'Device group was not found.', [
            { path: 'target.groupId', message: 'no such group' },
          ]);
        const now = new Date().toISOString();
        await rollouts.insert({
          id,
          organisationId: actor.organisationId,
          name: body.name,
          itemId: release.itemId,
          releaseId: release.id,
          mode: body.mode,
          targetKind: body.target.kind,
          targetGroupId: group ? group.id : null,
          targetGroupName: group ? group.name : null,
          targetFilter: body.target.kind === 'filter' ? JSON.stringify(body.target.filter) : null,
          phases: JSON.stringify(body.phases),
          successThresholdBps: Math.max(1, toBps(body.successThreshold)),
          errorThresholdBps: Math.min(9_999, toBps(body.errorThreshold)),
          windowStartHour: body.maintenanceWindow?.startHour ?? null,
          windowEndHour: body.maintenanceWindow?.endHour ?? null,
          status: 'draft',
          currentPhase: -1,
          pauseReason: null,
          acknowledged: null,
          createdBy: actor.userId,
          createdAt: now,
          startedAt: null,
          finishedAt: null,
          updatedAt: now,
        });
        await rollouts.recordEvent(
          id,
          {
            kind: 'created',
            detail: `${release.itemName} ${release.version} in ${body.mode} mode, ${body.phases.length} phase(s).`,
            actor: actor.email,
          },
          now,
        );
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'rollout.create',
          objectType: 'rollout',
          objectId: id,
          details: { name: body.name, releaseId: release.id, mode: body.mode, target: body.target },
          requestId,
        });
      });
      return detail(actor.organisationId, id);
    },

    /**
     * Starts, pauses, resumes, aborts or retries the failures, as the state machine allows from
     * where the rollout stands; a refusal is a 409 with the machine's reason.
     */
    async act(
      actor: Actor,
      id: string,
      action: RolloutAction,
      requestId: string,
      reason?: string,
    ): Promise<RolloutDetail> {
      await database.transaction(async () => {
        const row = await rollouts.lock(id);
        if (!row || row.organisationId !== actor.organisationId) throw notFound('Rollout');
        const before = row.status;
        if (action === 'start' && row.status === 'draft')
          await enrol(row, new Date().toISOString());
        const result = await runner.drive(row, commandFor(action, actor, reason), {
          userId: actor.userId,
          email: actor.email,
        });
        if (result) throw new AppError(409, 'ROLLOUT_STATE_CONFLICT', result.refused);
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: AUDIT_ACTION_OF[action],
          objectType: 'rollout',
          objectId: id,
          details: { from: before, to: row.status, ...(reason ? { reason } : {}) },
          requestId,
        });
      });
      return detail(actor.organisationId, id);
    },
  };
}
export type RolloutsService = ReturnType<typeof createRolloutsService>;
