import { Router } from 'express';
import { z } from 'zod';
import { marketplaceItemsQuerySchema } from '@repo/schemas';
import type { Database } from '../../db/database';
import { actorOf, requireSignedIn } from '../../http/auth';
import { notFound } from '../../http/errors';
import { parseParams, parseQuery } from '../../http/validate';
import { createMarketplacesRepo } from './marketplaces.repo';

const instanceParamsSchema = z.object({ instanceId: z.string().min(1).max(64) });

export function marketplacesRoutes({ db }: { db: Database }): Router {
  const marketplaces = createMarketplacesRepo(db);
  const router = Router();

  router.get('/marketplaces', requireSignedIn, (req, res) => {
    res.json({ items: marketplaces.instances(actorOf(req).organisationId) });
  });

  router.get('/marketplaces/:instanceId/items', requireSignedIn, (req, res) => {
    const { instanceId } = parseParams(instanceParamsSchema, req);
    const { listed } = parseQuery(marketplaceItemsQuerySchema, req);
    const { organisationId } = actorOf(req);
    if (!marketplaces.instance(organisationId, instanceId))
      throw notFound(`Marketplace ${instanceId}`);
    res.json({ items: marketplaces.items(organisationId, instanceId, listed) });
  });

  return router;
}
