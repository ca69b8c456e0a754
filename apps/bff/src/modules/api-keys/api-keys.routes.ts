import { Router } from 'express';
import { z } from 'zod';
import { createApiKeyRequestSchema } from '@repo/schemas';
import { actorOf, requireRole } from '../../http/auth';
import { noStore } from '../../http/no-store';
import { parseBody, parseParams } from '../../http/validate';
import type { ApiKeysService } from './api-keys.service';

const keyParamsSchema = z.object({
  id: z.string().regex(/^key_[a-f0-9]{32}$/, 'not an API key id'),
});

/** The dashboard's admin routes for API keys; the secret leaves the server once, on create. */
export function apiKeysRoutes({ apiKeys }: { apiKeys: ApiKeysService }): Router {
  const router = Router();

  router.get('/api-keys', requireRole('admin'), async (req, res) => {
    res.json({ items: await apiKeys.list(actorOf(req)) });
  });

  router.post('/api-keys', requireRole('admin'), noStore, async (req, res) => {
    const body = parseBody(createApiKeyRequestSchema, req);
    res.status(201).json(await apiKeys.create(actorOf(req), body, String(req.id)));
  });

  router.post('/api-keys/:id/revoke', requireRole('admin'), async (req, res) => {
    const { id } = parseParams(keyParamsSchema, req);
    res.json(await apiKeys.revoke(actorOf(req), id, String(req.id)));
  });

  return router;
}
