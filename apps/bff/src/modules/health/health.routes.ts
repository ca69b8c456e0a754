import { Router } from 'express';
import type { HealthService } from './health.service';

export function healthRoutes({ health }: { health: HealthService }): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    res.json(await health.check());
  });
  return router;
}
