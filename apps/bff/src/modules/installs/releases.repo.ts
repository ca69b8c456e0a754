import { compareFirmware } from '@repo/domain';
import type { Release } from '@repo/schemas';
import type { Database } from '../../db/database';

type ReleaseRow = Omit<Release, 'compatibleModels'> & { models: string };

const RELEASE_COLUMNS = `r.id, r.item_id AS itemId, i.name AS itemName, r.version,
  r.min_firmware AS minFirmware, r.published_at AS publishedAt,
  (SELECT json_group_array(model) FROM (SELECT model FROM release_compatible_models
     WHERE release_id = r.id ORDER BY model)) AS models`;

const toRelease = ({ models, ...row }: ReleaseRow): Release => ({
  ...row,
  compatibleModels: JSON.parse(models) as string[],
});

/** Items by name, and each item's releases newest version first. */
const byItemThenNewest = (a: Release, b: Release) =>
  a.itemName.localeCompare(b.itemName) || compareFirmware(b.version, a.version);

export function createReleasesRepo(db: Database) {
  const s = {
    forOrganisation: db.prepare(
      `SELECT ${RELEASE_COLUMNS} FROM releases r JOIN marketplace_items i ON i.id = r.item_id
       WHERE i.organisation_id = ?`,
    ),
    byId: db.prepare(
      `SELECT ${RELEASE_COLUMNS} FROM releases r JOIN marketplace_items i ON i.id = r.item_id
       WHERE r.id = ? AND i.organisation_id = ?`,
    ),
    forItems: db.prepare(
      `SELECT ${RELEASE_COLUMNS} FROM releases r JOIN marketplace_items i ON i.id = r.item_id
       WHERE r.item_id IN (SELECT value FROM json_each(?))`,
    ),
  };
  return {
    find(organisationId: string, releaseId: string): Release | undefined {
      const row = s.byId.get(releaseId, organisationId) as ReleaseRow | undefined;
      return row && toRelease(row);
    },
    forOrganisation: (organisationId: string): Release[] =>
      (s.forOrganisation.all(organisationId) as ReleaseRow[]).map(toRelease).sort(byItemThenNewest),
    forItems: (itemIds: string[]): Release[] =>
      (s.forItems.all(JSON.stringify(itemIds)) as ReleaseRow[])
        .map(toRelease)
        .sort(byItemThenNewest),
  };
}
export type ReleasesRepo = ReturnType<typeof createReleasesRepo>;
