import type { MarketplaceInstance, MarketplaceItem } from '@repo/schemas';
import type { Database } from '../../db/database';

export function createMarketplacesRepo(database: Database) {
  const instancesOfOrg = (organisationId: string) =>
    database.db
      .selectFrom('marketplaceInstances as m')
      .innerJoin('organisationInstances as oi', 'oi.instanceId', 'm.id')
      .select(['m.id', 'm.name', 'm.currency', 'm.platformFeeBps'])
      .where('oi.organisationId', '=', organisationId);

  return {
    instances: (organisationId: string): Promise<MarketplaceInstance[]> =>
      instancesOfOrg(organisationId).orderBy('m.name').execute(),

    instance: (
      organisationId: string,
      instanceId: string,
    ): Promise<MarketplaceInstance | undefined> =>
      instancesOfOrg(organisationId).where('m.id', '=', instanceId).executeTakeFirst(),

    async items(
      organisationId: string,
      instanceId: string,
      listed?: boolean,
    ): Promise<MarketplaceItem[]> {
      const { db } = database;
      const rows = await db
        .selectFrom('marketplaceItems')
        .select(['id', 'instanceId', 'name', 'description', 'priceAmount', 'currency', 'listed'])
        .where('organisationId', '=', organisationId)
        .where('instanceId', '=', instanceId)
        .$if(listed !== undefined, (q) => q.where('listed', '=', listed ? 1 : 0))
        .orderBy('name')
        .execute();
      const models =
        rows.length === 0
          ? []
          : await db
              .selectFrom('itemCompatibleModels')
              .select(['itemId', 'model'])
              .where(
                'itemId',
                'in',
                rows.map((r) => r.id),
              )
              .orderBy('model')
              .execute();
      return rows.map((row) => ({
        id: row.id,
        instanceId: row.instanceId,
        name: row.name,
        description: row.description,
        price: { amount: row.priceAmount, currency: row.currency },
        listed: row.listed === 1,
        compatibleModels: models.filter((m) => m.itemId === row.id).map((m) => m.model),
      }));
    },
  };
}
export type MarketplacesRepo = ReturnType<typeof createMarketplacesRepo>;
