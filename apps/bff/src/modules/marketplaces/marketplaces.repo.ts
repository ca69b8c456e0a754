import type { MarketplaceInstance, MarketplaceItem } from '@repo/schemas';
import type { Database } from '../../db/database';

type ItemRow = {
  id: string;
  instanceId: string;
  name: string;
  description: string;
  priceAmount: number;
  currency: string;
  listed: number;
  models: string;
};

export function createMarketplacesRepo(db: Database) {
  const instancesOfOrg = db.prepare(
    `SELECT m.id, m.name, m.currency, m.platform_fee_bps AS platformFeeBps
     FROM marketplace_instances m
     JOIN organisation_instances oi ON oi.instance_id = m.id
     WHERE oi.organisation_id = ? ORDER BY m.name`,
  );
  const instanceOfOrg = db.prepare(
    `SELECT m.id, m.name, m.currency, m.platform_fee_bps AS platformFeeBps
     FROM marketplace_instances m
     JOIN organisation_instances oi ON oi.instance_id = m.id
     WHERE oi.organisation_id = ? AND m.id = ?`,
  );
  const itemsOfOrg = db.prepare(
    `SELECT i.id, i.instance_id AS instanceId, i.name, i.description, i.price_amount AS priceAmount,
            i.currency, i.listed,
            (SELECT json_group_array(model) FROM
               (SELECT model FROM item_compatible_models WHERE item_id = i.id ORDER BY model)) AS models
     FROM marketplace_items i
     WHERE i.organisation_id = @organisationId AND i.instance_id = @instanceId
       AND (@listed IS NULL OR i.listed = @listed)
     ORDER BY i.name`,
  );

  return {
    instances: (organisationId: string) =>
      instancesOfOrg.all(organisationId) as MarketplaceInstance[],
    instance: (organisationId: string, instanceId: string) =>
      instanceOfOrg.get(organisationId, instanceId) as MarketplaceInstance | undefined,
    items(organisationId: string, instanceId: string, listed?: boolean): MarketplaceItem[] {
      const rows = itemsOfOrg.all({
        organisationId,
        instanceId,
        listed: listed === undefined ? null : Number(listed),
      }) as ItemRow[];
      return rows.map((row) => ({
        id: row.id,
        instanceId: row.instanceId,
        name: row.name,
        description: row.description,
        price: { amount: row.priceAmount, currency: row.currency },
        listed: row.listed === 1,
        compatibleModels: JSON.parse(row.models) as string[],
      }));
    },
  };
}
export type MarketplacesRepo = ReturnType<typeof createMarketplacesRepo>;
