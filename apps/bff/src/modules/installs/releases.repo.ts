import { compareFirmware } from '@repo/domain';
import type { Release } from '@repo/schemas';
import type { Database } from '../../db/database';

/** Items by name, and each item's releases newest version first. */
const byItemThenNewest = (a: Release, b: Release) =>
  a.itemName.localeCompare(b.itemName) || compareFirmware(b.version, a.version);

export function createReleasesRepo(database: Database) {
  const releases = () =>
    database.db
      .selectFrom('releases as r')
      .innerJoin('marketplaceItems as i', 'i.id', 'r.itemId')
      .select([
        'r.id',
        'r.itemId',
        'i.name as itemName',
        'r.version',
        'r.minFirmware',
        'r.publishedAt',
      ]);

  /** Each release with the models it runs on, fetched for all of them in a second query. */
  async function withModels(rows: Omit<Release, 'compatibleModels'>[]): Promise<Release[]> {
    if (rows.length === 0) return [];
    const models = await database.db
      .selectFrom('releaseCompatibleModels')
      .select(['releaseId', 'model'])
      .where(
        'releaseId',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('model')
      .execute();
    const byRelease = new Map<string, string[]>();
    for (const { releaseId, model } of models) {
      const list = byRelease.get(releaseId);
      if (list) list.push(model);
      else byRelease.set(releaseId, [model]);
    }
    return rows.map((row) => ({ ...row, compatibleModels: byRelease.get(row.id) ?? [] }));
  }

  return {
    /** A release of one of the organisation's items. */
    async find(organisationId: string, releaseId: string): Promise<Release | undefined> {
      const row = await releases()
        .where('r.id', '=', releaseId)
        .where('i.organisationId', '=', organisationId)
        .executeTakeFirst();
      return row && (await withModels([row]))[0];
    },

    async forOrganisation(organisationId: string): Promise<Release[]> {
      const rows = await releases().where('i.organisationId', '=', organisationId).execute();
      return (await withModels(rows)).sort(byItemThenNewest);
    },

    async forItems(itemIds: string[]): Promise<Release[]> {
      if (itemIds.length === 0) return [];
      const rows = await releases().where('r.itemId', 'in', itemIds).execute();
      return (await withModels(rows)).sort(byItemThenNewest);
    },
  };
}
export type ReleasesRepo = ReturnType<typeof createReleasesRepo>;
