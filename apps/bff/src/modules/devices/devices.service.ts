import { describeIncompatibility, normaliseDeviceId, releaseIncompatibility } from '@repo/domain';
import {
  MAX_BASKET_DEVICES,
  type DeviceDetail,
  type DevicesQuery,
  type DeviceItem,
  type ValidateDevicesRequest,
  type ValidateDevicesResponse,
} from '@repo/schemas';
import type { Actor } from '../../http/auth';
import type { DeviceSet } from '../device-groups/device-sets.repo';
import { notFound } from '../../http/errors';
import { toInstallJob, type InstallsRepo } from '../installs/installs.repo';
import type { ReleasesRepo } from '../installs/releases.repo';
import type { ValidateBasket } from './device-validation';
import type { DeviceFilters, DevicesRepo } from './devices.repo';

type Deps = {
  devices: DevicesRepo;
  installs: InstallsRepo;
  releases: ReleasesRepo;
  validateBasket: ValidateBasket;
  /** The device set a group of the actor's organisation names (a 404 for another's). */
  groupSet: (actor: Actor, groupId: string) => Promise<DeviceSet>;
};

type ListFilters = Omit<DevicesQuery, 'cursor' | 'limit'>;

/** The fleet as people see it: lists and filters, one device in full, and typed IDs judged. */
export function createDevicesService({
  devices,
  installs,
  releases,
  validateBasket,
  groupSet,
}: Deps) {
  /** The filters as the repo takes them: a group becomes the device set it names. */
  async function resolve(
    actor: Actor,
    { groupId, ...filters }: ListFilters,
  ): Promise<DeviceFilters> {
    return groupId === undefined ? filters : { ...filters, set: await groupSet(actor, groupId) };
  }

  /**
   * One device as an operator needs it: what it may run (entitlements), which of those releases
   * fit its model and firmware and why the others do not, what runs on it now, and every install
   * tried.
   */
  async function detail(actor: Actor, deviceId: string): Promise<DeviceDetail> {
    const device = await devices.find(actor.organisationId, normaliseDeviceId(deviceId));
    if (!device) throw notFound(`Device ${deviceId}`);
    const [entitlements, installations, history] = await Promise.all([
      devices.entitlements(device.id),
      devices.installations(device.id),
      installs.history(device.id),
    ]);

    const names = new Map<string, string>();
    for (const e of [...entitlements, ...installations]) names.set(e.itemId, e.itemName);
    const itemReleases = await releases.forItems([...names.keys()]);

    const items: DeviceItem[] = await Promise.all(
      [...names]
        .sort(([, a], [, b]) => a.localeCompare(b))
        .map(async ([itemId, itemName]) => {
          const installed = installations.find((n) => n.itemId === itemId);
          const active = await installs.activeFor(device.id, itemId);
          return {
            itemId,
            itemName,
            entitled: entitlements.some((e) => e.itemId === itemId && e.status === 'active'),
            releases: itemReleases
              .filter((r) => r.itemId === itemId)
              .map((release) => {
                const incompatibility = releaseIncompatibility(device, release);
                return {
                  ...release,
                  compatible: incompatibility === null,
                  incompatibleReason: incompatibility && describeIncompatibility(incompatibility),
                };
              }),
            installed: installed
              ? {
                  releaseId: installed.releaseId,
                  version: installed.version,
                  installedAt: installed.installedAt,
                }
              : null,
            activeInstall: active ? toInstallJob(active) : null,
          };
        }),
    );

    return { ...device, entitlements, items, installs: history };
  }

  return {
    list: async (actor: Actor, query: ListFilters & { cursor?: string; limit: number }) =>
      devices.list(actor.organisationId, {
        ...(await resolve(actor, query)),
        cursor: query.cursor,
        limit: query.limit,
      }),

    /** Every matching ID, up to what one basket holds: "select all that match" in the picker. */
    ids: async (actor: Actor, filters: ListFilters) =>
      devices.ids(actor.organisationId, await resolve(actor, filters), MAX_BASKET_DEVICES),

    facets: (actor: Actor) => devices.facets(actor.organisationId),

    detail,

    /** Each typed device ID judged against the basket, and the price when all is well. */
    async validate(actor: Actor, body: ValidateDevicesRequest): Promise<ValidateDevicesResponse> {
      const { valid, results, items, quote } = await validateBasket({
        organisationId: actor.organisationId,
        ...body,
      });
      return { valid, results, items, quote };
    },
  };
}
export type DevicesService = ReturnType<typeof createDevicesService>;
