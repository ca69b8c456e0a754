import { rolloutExclusion, type RolloutExclusion } from '@repo/domain';
import type { CheckoutMode, DeviceGroupFilter, Release } from '@repo/schemas';
import { notFound } from '../../http/errors';
import type { DeviceGroupsRepo } from '../device-groups/device-groups.repo';
import type { DeviceSet } from '../device-groups/device-sets.repo';
import { parseStoredFilter, type DeviceSets } from '../device-groups/device-sets';
import type { RolloutDevicesRepo } from './rollout-devices.repo';
import type { RolloutRow } from './rollouts.repo';

/** A target as it arrives in a request, or as a rollout keeps it. */
export type TargetChoice =
  | { kind: 'group'; groupId: string | null }
  | { kind: 'filter'; filter: DeviceGroupFilter }
  | { kind: 'entitled' };

export const targetOfRow = (row: RolloutRow): TargetChoice =>
  row.targetKind === 'group'
    ? { kind: 'group', groupId: row.targetGroupId }
    : row.targetKind === 'filter'
      ? { kind: 'filter', filter: parseStoredFilter(row.targetFilter) }
      : { kind: 'entitled' };

export type Classified = {
  /** Devices the target names. */
  targeted: number;
  /** Those that take part, by device ID. */
  eligible: string[];
  /** The others with their reason, by device ID. */
  excluded: (RolloutExclusion & { deviceId: string })[];
};

type Deps = {
  members: Pick<RolloutDevicesRepo, 'candidates'>;
  groups: Pick<DeviceGroupsRepo, 'find'>;
  deviceSets: DeviceSets;
};

/** A rollout's target narrowed to the devices that take part: entitled, able, not there yet. */
export function createRolloutTargets({ members, groups, deviceSets }: Deps) {
  async function setOf(
    organisationId: string,
    target: TargetChoice,
    itemId: string,
    mode: CheckoutMode,
  ): Promise<DeviceSet> {
    switch (target.kind) {
      case 'group': {
        const group = target.groupId && (await groups.find(organisationId, target.groupId));
        if (!group) throw notFound('Device group');
        return deviceSets.ofGroup(organisationId, group);
      }
      case 'filter':
        return deviceSets.fromFilter(organisationId, target.filter);
      case 'entitled':
        return { kind: 'filter', entitledTo: { itemId, mode } };
    }
  }

  return {
    setOf,

    /**
     * Each device of the set judged for a rollout of `release` in `mode` (`rolloutId`: the
     * rollout itself, which its own devices do not count against); `deviceId` judges one only.
     */
    async classify(
      organisationId: string,
      set: DeviceSet,
      rollout: { id: string | null; release: Release; mode: CheckoutMode },
      deviceId?: string,
    ): Promise<Classified> {
      const { release, mode } = rollout;
      const candidates = await members.candidates(
        organisationId,
        set,
        { id: rollout.id, itemId: release.itemId, mode },
        deviceId,
      );
      const eligible: string[] = [];
      const excluded: Classified['excluded'] = [];
      for (const candidate of candidates) {
        const exclusion = rolloutExclusion(candidate, release, mode);
        if (exclusion) excluded.push({ deviceId: candidate.id, ...exclusion });
        else eligible.push(candidate.id);
      }
      return { targeted: candidates.length, eligible, excluded };
    },
  };
}
export type RolloutTargets = ReturnType<typeof createRolloutTargets>;
