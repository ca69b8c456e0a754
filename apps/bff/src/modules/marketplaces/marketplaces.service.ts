import type { Actor } from '../../http/auth';
import { notFound } from '../../http/errors';
import type { MarketplacesRepo } from './marketplaces.repo';

export function createMarketplacesService({ marketplaces }: { marketplaces: MarketplacesRepo }) {
  return {
    instances: (actor: Actor) => marketplaces.instances(actor.organisationId),

    /** The items an organisation lists in one of its marketplaces; `listed` for the Store Preview. */
    async items(organisationId: string, instanceId: string, listed?: boolean) {
      if (!(await marketplaces.instance(organisationId, instanceId)))
        throw notFound(`Marketplace ${instanceId}`);
      return marketplaces.items(organisationId, instanceId, listed);
    },
  };
}
export type MarketplacesService = ReturnType<typeof createMarketplacesService>;
