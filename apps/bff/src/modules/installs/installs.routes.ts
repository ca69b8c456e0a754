import { Router } from 'express';
import { z } from 'zod';
import {
  bulkInstallRequestSchema,
  createInstallRequestSchema,
  installsQuerySchema,
  type InstallJobEvents,
} from '@repo/schemas';
import { actorOf, requireRole, requireSignedIn } from '../../http/auth';
import { parseBody, parseParams, parseQuery } from '../../http/validate';
import type { InstallsService } from './installs.service';

export const installParamsSchema = z.object({
  id: z.string().regex(/^inst_[a-f0-9]{32}$/, 'not an install id'),
});

const canWrite = requireRole('admin', 'operator');

export function installsRoutes({ installs }: { installs: InstallsService }): Router {
  const router = Router();

  router.get('/installs', requireSignedIn, async (req, res) => {
    const query = parseQuery(installsQuerySchema, req);
    res.json(await installs.list(actorOf(req), query));
  });

  router.post('/installs', canWrite, async (req, res) => {
    const body = parseBody(createInstallRequestSchema, req);
    res.status(201).json(await installs.queue(actorOf(req), body, String(req.id)));
  });

  router.post('/installs/bulk', canWrite, async (req, res) => {
    const body = parseBody(bulkInstallRequestSchema, req);
    res.json(await installs.queueMany(actorOf(req), body, String(req.id)));
  });

  router.get('/installs/:id/events', requireSignedIn, async (req, res) => {
    const { id } = parseParams(installParamsSchema, req);
    const body: InstallJobEvents = { items: await installs.events(actorOf(req), id) };
    res.json(body);
  });

  router.post('/installs/:id/cancel', canWrite, async (req, res) => {
    const { id } = parseParams(installParamsSchema, req);
    res.json(await installs.cancel(actorOf(req), id, String(req.id)));
  });

  router.post('/installs/:id/retry', canWrite, async (req, res) => {
    const { id } = parseParams(installParamsSchema, req);
    res.status(201).json(await installs.retry(actorOf(req), id, String(req.id)));
  });

  router.get('/releases', requireSignedIn, async (req, res) => {
    res.json({ items: await installs.releases(actorOf(req)) });
  });

  return router;
}
