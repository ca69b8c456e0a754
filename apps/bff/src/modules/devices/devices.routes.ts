import { Router } from 'express';
import { z } from 'zod';
import { deviceIdSchema, devicesQuerySchema } from '@repo/schemas';
import type { Database } from '../../db/database';
import { actorOf, requireSignedIn } from '../../http/auth';
import { notFound } from '../../http/errors';
import { parseParams, parseQuery } from '../../http/validate';
import { createDevicesRepo } from './devices.repo';

const deviceParamsSchema = z.object({ deviceId: deviceIdSchema });

export function devicesRoutes({ db }: { db: Database }): Router {
  const devices = createDevicesRepo(db);
  const router = Router();

  router.get('/devices', requireSignedIn, (req, res) => {
    const query = parseQuery(devicesQuerySchema, req);
    res.json(devices.list(actorOf(req).organisationId, query));
  });

  router.get('/devices/facets', requireSignedIn, (req, res) => {
    res.json(devices.facets(actorOf(req).organisationId));
  });

  router.get('/devices/:deviceId', requireSignedIn, (req, res) => {
    const { deviceId } = parseParams(deviceParamsSchema, req);
    const device = devices.find(actorOf(req).organisationId, deviceId);
    if (!device) throw notFound(`Device ${deviceId}`);
    res.json(device);
  });

  return router;
}
