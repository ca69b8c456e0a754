import type {
  CreateDeviceGroupRequest,
  DeviceGroup,
  DeviceGroupDetail,
  DeviceGroupFilter,
  DeviceGroupPreview,
  DeviceGroupsPage,
  UpdateDeviceGroupRequest,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Actor } from '../../http/auth';
import { AppError, notFound } from '../../http/errors';
import { newId } from '../../ids';
import type { AuditRepo } from '../audit/audit.repo';
import type { DevicesRepo } from '../devices/devices.repo';
import type { DeviceGroupRow, DeviceGroupsRepo } from './device-groups.repo';
import type { DeviceSet } from './device-sets.repo';
import { parseStoredFilter, type DeviceSets } from './device-sets';

type Deps = {
  database: Database;
  groups: DeviceGroupsRepo;
  deviceSets: DeviceSets;
  devices: Pick<DevicesRepo, 'count' | 'list'>;
  audit: AuditRepo;
};

/**
 * Device groups: a list of devices, or a saved filter read afresh each time. A group is a device
 * set wherever one is chosen; one that an open rollout aims at is kept until the rollout ends.
 */
export function createDeviceGroupsService({ database, groups, deviceSets, devices, audit }: Deps) {
  async function toGroup(organisationId: string, row: DeviceGroupRow): Promise<DeviceGroup> {
    const set = await deviceSets.ofGroup(organisationId, row);
    return {
      id: row.id,
      name: row.name,
      kind: row.kind,
      filter: row.kind === 'dynamic' ? parseStoredFilter(row.filter) : null,
      deviceCount: await devices.count(organisationId, { set }),
      activeRolloutCount: row.activeRolloutCount,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  async function findRow(actor: Actor, id: string): Promise<DeviceGroupRow> {
    const row = await groups.find(actor.organisationId, id);
    if (!row) throw notFound('Device group');
    return row;
  }

  /** The IDs, each once; any that is not one of the organisation's devices refuses the lot. */
  async function ownDeviceIds(actor: Actor, deviceIds: string[]): Promise<string[]> {
    const unique = [...new Set(deviceIds)];
    const own = await groups.ownDevices(actor.organisationId, unique);
    const unknown = unique.filter((id) => !own.has(id));
    if (unknown.length > 0) {
      throw new AppError(
        422,
        'DEVICES_NOT_FOUND',
        `${unknown.length} device ID(s) are not devices of your organisation: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}.`,
        unknown.slice(0, 100).map((deviceId) => ({
          path: 'deviceIds',
          message: 'not a device of your organisation',
          deviceId,
        })),
      );
    }
    return unique;
  }

  async function refuseTakenName(actor: Actor, name: string, exceptId?: string) {
    if (await groups.nameTaken(actor.organisationId, name, exceptId))
      throw new AppError(409, 'GROUP_NAME_TAKEN', `A device group is already called "${name}".`, [
        { path: 'name', message: 'already used by another group' },
      ]);
  }

  return {
    async list(
      actor: Actor,
      query: { q?: string; cursor?: string; limit: number },
    ): Promise<DeviceGroupsPage> {
      const page = await groups.list(actor.organisationId, query);
      return {
        ...page,
        items: await Promise.all(page.items.map((row) => toGroup(actor.organisationId, row))),
      };
    },

    /** The group with a page of its members, in the devices list's shape. */
    async detail(
      actor: Actor,
      id: string,
      page: { cursor?: string; limit: number },
    ): Promise<DeviceGroupDetail> {
      const row = await findRow(actor, id);
      const set = await deviceSets.ofGroup(actor.organisationId, row);
      const [group, members] = await Promise.all([
        toGroup(actor.organisationId, row),
        devices.list(actor.organisationId, { ...page, set }),
      ]);
      return { ...group, members };
    },

    /** How many of the organisation's devices a filter matches now; nothing is written. */
    async preview(actor: Actor, filter: DeviceGroupFilter): Promise<DeviceGroupPreview> {
      await deviceSets.check(actor.organisationId, filter, 'filter');
      const set = await deviceSets.fromFilter(actor.organisationId, filter);
      return { deviceCount: await devices.count(actor.organisationId, { set }) };
    },

    /** The device set a group names, for lists filtered by it; another organisation's is a 404. */
    async deviceSet(actor: Actor, id: string): Promise<DeviceSet> {
      return deviceSets.ofGroup(actor.organisationId, await findRow(actor, id));
    },

    async create(
      actor: Actor,
      body: CreateDeviceGroupRequest,
      requestId: string,
    ): Promise<DeviceGroup> {
      const id = newId('grp');
      await database.transaction(async () => {
        await refuseTakenName(actor, body.name);
        const now = new Date().toISOString();
        if (body.kind === 'dynamic')
          await deviceSets.check(actor.organisationId, body.filter, 'filter');
        const members = body.kind === 'static' ? await ownDeviceIds(actor, body.deviceIds) : [];
        await groups.insert({
          id,
          organisationId: actor.organisationId,
          name: body.name,
          kind: body.kind,
          filter: body.kind === 'dynamic' ? JSON.stringify(body.filter) : null,
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        });
        await groups.replaceMembers(id, members);
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'device_group.create',
          objectType: 'device_group',
          objectId: id,
          details: { name: body.name, kind: body.kind, devices: members.length },
          requestId,
        });
      });
      return toGroup(actor.organisationId, await findRow(actor, id));
    },

    async update(
      actor: Actor,
      id: string,
      body: UpdateDeviceGroupRequest,
      requestId: string,
    ): Promise<DeviceGroup> {
      await database.transaction(async () => {
        if (!(await groups.lock(actor.organisationId, id))) throw notFound('Device group');
        const row = await findRow(actor, id);
        if (body.deviceIds && row.kind !== 'static')
          throw new AppError(
            422,
            'GROUP_KIND_MISMATCH',
            'A dynamic group has a filter, not a list of devices.',
            [{ path: 'deviceIds', message: 'only for a static group' }],
          );
        if (body.filter && row.kind !== 'dynamic')
          throw new AppError(
            422,
            'GROUP_KIND_MISMATCH',
            'A static group has a list of devices, not a filter.',
            [{ path: 'filter', message: 'only for a dynamic group' }],
          );
        if (body.name !== undefined) await refuseTakenName(actor, body.name, id);
        if (body.filter) await deviceSets.check(actor.organisationId, body.filter, 'filter');
        const members = body.deviceIds && (await ownDeviceIds(actor, body.deviceIds));
        await groups.update(id, {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.filter ? { filter: JSON.stringify(body.filter) } : {}),
          updatedAt: new Date().toISOString(),
        });
        if (members) await groups.replaceMembers(id, members);
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'device_group.update',
          objectType: 'device_group',
          objectId: id,
          details: {
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(members ? { devices: members.length } : {}),
            ...(body.filter ? { filter: body.filter } : {}),
          },
          requestId,
        });
      });
      return toGroup(actor.organisationId, await findRow(actor, id));
    },

    /** Refused while a draft, running or paused rollout aims at the group. */
    remove(actor: Actor, id: string, requestId: string): Promise<void> {
      return database.transaction(async () => {
        if (!(await groups.lock(actor.organisationId, id))) throw notFound('Device group');
        const row = await findRow(actor, id);
        if (row.activeRolloutCount > 0)
          throw new AppError(
            409,
            'GROUP_IN_USE',
            `${row.name} is the target of ${row.activeRolloutCount} draft, running or paused rollout(s); finish or abort them first.`,
          );
        await groups.remove(id);
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'device_group.delete',
          objectType: 'device_group',
          objectId: id,
          details: { name: row.name },
          requestId,
        });
      });
    },
  };
}
export type DeviceGroupsService = ReturnType<typeof createDeviceGroupsService>;
