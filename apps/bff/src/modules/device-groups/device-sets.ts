import { compareFirmware, isVersionInRange, matchesInstalled } from '@repo/domain';
import { deviceGroupFilterSchema, type DeviceGroupFilter } from '@repo/schemas';
import { AppError } from '../../http/errors';
import type { DeviceSet, DeviceSetsRepo } from './device-sets.repo';

/** A group as the device sets need it: its members are rows, or its filter is saved as JSON. */
export type StoredGroup = { id: string; kind: 'static' | 'dynamic'; filter: string | null };

export const parseStoredFilter = (filter: string | null): DeviceGroupFilter =>
  deviceGroupFilterSchema.parse(JSON.parse(filter ?? '{}'));

/**
 * Turns what people chose (a group, a saved filter) into a device set SQL can test: version
 * ranges become the versions in them, compared as numbers by the domain's rules, and sites
 * become their tags.
 */
export function createDeviceSets(deviceSets: DeviceSetsRepo) {
  /**
   * Refuses a filter that names another organisation's item (as if it did not exist) or a
   * firmware range that ends before it starts. `path` names the filter in the request body.
   */
  async function check(organisationId: string, filter: DeviceGroupFilter, path: string) {
    if (
      filter.firmwareMin !== undefined &&
      filter.firmwareMax !== undefined &&
      compareFirmware(filter.firmwareMin, filter.firmwareMax) > 0
    ) {
      throw new AppError(400, 'VALIDATION_FAILED', 'The request body is not valid.', [
        { path: `${path}.firmwareMax`, message: 'at least firmwareMin' },
      ]);
    }
    const named = [
      ['entitledTo', filter.entitledTo?.itemId],
      ['installed', filter.installed?.itemId],
    ].filter((entry): entry is [string, string] => entry[1] !== undefined);
    const own = await deviceSets.ownItems(
      organisationId,
      named.map(([, itemId]) => itemId),
    );
    const unknown = named.filter(([, itemId]) => !own.has(itemId));
    if (unknown.length > 0) {
      throw new AppError(
        404,
        'ITEM_NOT_FOUND',
        `Item ${unknown[0]![1]} was not found.`,
        unknown.map(([field, itemId]) => ({
          path: `${path}.${field}.itemId`,
          message: 'no such item',
          itemId,
        })),
      );
    }
  }

  async function fromFilter(organisationId: string, filter: DeviceGroupFilter): Promise<DeviceSet> {
    const { firmwareMin: min, firmwareMax: max, installed } = filter;
    return {
      kind: 'filter',
      models: filter.models,
      firmwareVersions:
        min === undefined && max === undefined
          ? undefined
          : (await deviceSets.firmwareVersions(organisationId)).filter((v) =>
              isVersionInRange(v, { min, max }),
            ),
      allTags: filter.tags,
      anyTags: filter.sites?.map((site) => `site:${site}`),
      entitledTo: filter.entitledTo,
      installed: installed && {
        itemId: installed.itemId,
        versions:
          installed.relation === 'none'
            ? null
            : (await deviceSets.installedVersions(installed.itemId)).filter((v) =>
                matchesInstalled(v, installed.relation, installed.version),
              ),
      },
    };
  }

  return {
    check,
    fromFilter,
    ofGroup: (organisationId: string, group: StoredGroup): Promise<DeviceSet> | DeviceSet =>
      group.kind === 'static'
        ? { kind: 'members', groupId: group.id }
        : fromFilter(organisationId, parseStoredFilter(group.filter)),
  };
}
export type DeviceSets = ReturnType<typeof createDeviceSets>;
