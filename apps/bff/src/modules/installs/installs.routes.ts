import { Router } from 'express';
import { z } from 'zod';
import {
  bulkInstallRequestSchema,
  createInstallRequestSchema,
  installsQuerySchema,
  type InstallJobEvents,
} from '@repo/schemas';
import { actorOf, requireRole, requireSignedIn } from '../../http/auth';
import { notFound } from '../../http/errors';
import { parseBody, parseParams, parseQuery } from '../../http/validate';
import type { ReleasesRepo } from './releases.repo';
import type { InstallsRepo } from './installs.repo';
import type { InstallsService } from './installs.service';

export const installParamsSchema = z.object({
  id: z.string().regex(/^inst_[a-f0-9]{32}$/, 'not an install id'),
});

const canWrite = requireRole('admin', 'operator');

export function installsRoutes({
  installs,
  releases,
  service,
}: {
  installs: InstallsRepo;
  releases: ReleasesRepo;
  service: InstallsService;
}): Router {
  const router = Router();

  router.get('/installs', requireSignedIn, (req, res) => {
    const query = parseQuery(installsQuerySchema, req);
    res.json(installs.list(actorOf(req).organisationId, query));
  });

  router.post('/installs', canWrite, (req, res) => {
    const body = parseBody(createInstallRequestSchema, req);
    res.status(201).json(service.queue(actorOf(req), body, String(req.id)));
  });

  router.post('/installs/bulk', canWrite, (req, res) => {
    const body = parseBody(bulkInstallRequestSchema, req);
    res.json(service.queueMany(actorOf(req), body, String(req.id)));
  });

  router.get('/installs/:id/events', requireSignedIn, (req, res) => {
    const { id } = parseParams(installParamsSchema, req);
    if (!installs.findForOrg(actorOf(req).organisationId, id)) throw notFound('Install');
    const body: InstallJobEvents = { items: installs.events(id) };
    res.json(body);
  });

  router.post('/installs/:id/cancel', canWrite, (req, res) => {
    const { id } = parseParams(installParamsSchema, req);
    res.json(service.cancel(actorOf(req), id, String(req.id)));
  });

  router.post('/installs/:id/retry', canWrite, (req, res) => {
    const { id } = parseParams(installParamsSchema, req);
    res.status(201).json(service.retry(actorOf(req), id, String(req.id)));
  });

  router.get('/releases', requireSignedIn, (req, res) => {
    res.json({ items: releases.forOrganisation(actorOf(req).organisationId) });
  });

  return router;
}
