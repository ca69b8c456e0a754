import { Router } from 'express';
import { overviewQuerySchema } from '@repo/schemas';
import { actorOf, requireSignedIn } from '../../http/auth';
import { parseQuery } from '../../http/validate';
import type { OverviewService } from './overview.service';

export function overviewRoutes({ overview }: { overview: OverviewService }): Router {
  const router = Router();

  router.get('/overview', requireSignedIn, async (req, res) => {
    res.json(await overview.get(actorOf(req), parseQuery(overviewQuerySchema, req)));
  });

  return router;
}
