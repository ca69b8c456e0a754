import { Router } from 'express';
import { z } from 'zod';
import { marketplaceItemsQuerySchema } from '@repo/schemas';
import { actorOf, requireSignedIn } from '../../http/auth';
import { parseParams, parseQuery } from '../../http/validate';
import type { MarketplacesService } from './marketplaces.service';

export const instanceParamsSchema = z.object({ instanceId: z.string().min(1).max(64) });

export function marketplacesRoutes({
  marketplaces,
}: {
  marketplaces: MarketplacesService;
}): Router {
  const router = Router();

  router.get('/marketplaces', requireSignedIn, async (req, res) => {
    res.json({ items: await marketplaces.instances(actorOf(req)) });
  });

  router.get('/marketplaces/:instanceId/items', requireSignedIn, async (req, res) => {
    const { instanceId } = parseParams(instanceParamsSchema, req);
    const { listed } = parseQuery(marketplaceItemsQuerySchema, req);
    res.json({ items: await marketplaces.items(actorOf(req).organisationId, instanceId, listed) });
  });

  return router;
}
