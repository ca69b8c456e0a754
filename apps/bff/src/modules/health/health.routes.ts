import { Router } from 'express';
import type { Database } from '../../db/database';
import { AppError } from '../../http/errors';

export function healthRoutes({ db }: { db: Database }): Router {
  const ping = db.prepare('SELECT 1').pluck();
  const router = Router();
  router.get('/health', (_req, res) => {
    try {
      ping.get();
    } catch {
      throw new AppError(503, 'DATABASE_UNAVAILABLE', 'The database does not answer.');
    }
    res.json({ status: 'ok' });
  });
  return router;
}
