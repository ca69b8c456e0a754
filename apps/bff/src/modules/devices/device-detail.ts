import { describeIncompatibility, releaseIncompatibility } from '@repo/domain';
import type { DeviceDetail, DeviceItem, Entitlement } from '@repo/schemas';
import type { Database } from '../../db/database';
import type { InstallsRepo } from '../installs/installs.repo';
import { toInstallJob } from '../installs/installs.repo';
import type { ReleasesRepo } from '../installs/releases.repo';
import type { DevicesRepo } from './devices.repo';

/**
 * One device as an operator needs it: what it may run (entitlements), which of those releases fit
 * its model and firmware and why the others do not, what runs on it now, and every install tried.
 */
export function createDeviceDetail({
  db,
  devices,
  installs,
  releases,
}: {
  db: Database;
  devices: DevicesRepo;
  installs: InstallsRepo;
  releases: ReleasesRepo;
}) {
  const s = {
    entitlements: db.prepare(
      `SELECT e.id, e.item_id AS itemId, i.name AS itemName, e.mode, e.status, e.purchase_id AS purchaseId,
              e.created_at AS createdAt, e.revoked_at AS revokedAt
       FROM entitlements e JOIN marketplace_items i ON i.id = e.item_id
       WHERE e.device_id = ? ORDER BY e.status = 'active' DESC, e.created_at DESC, e.id`,
    ),
    installations: db.prepare(
      `SELECT n.item_id AS itemId, i.name AS itemName, n.release_id AS releaseId, n.version,
              n.installed_at AS installedAt
       FROM device_installations n JOIN marketplace_items i ON i.id = n.item_id WHERE n.device_id = ?`,
    ),
  };

  return (organisationId: string, deviceId: string): DeviceDetail | undefined => {
    const device = devices.find(organisationId, deviceId);
    if (!device) return undefined;
    const entitlements = s.entitlements.all(device.id) as Entitlement[];
    const installations = s.installations.all(device.id) as {
      itemId: string;
      itemName: string;
      releaseId: string;
      version: string;
      installedAt: string;
    }[];

    const names = new Map<string, string>();
    for (const e of [...entitlements, ...installations]) names.set(e.itemId, e.itemName);
    const itemReleases = releases.forItems([...names.keys()]);

    const items: DeviceItem[] = [...names]
      .sort(([, a], [, b]) => a.localeCompare(b))
      .map(([itemId, itemName]) => {
        const installed = installations.find((n) => n.itemId === itemId);
        const active = installs.activeFor(device.id, itemId);
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
      });

    return { ...device, entitlements, items, installs: installs.history(device.id) };
  };
}
export type DeviceDetailReader = ReturnType<typeof createDeviceDetail>;
