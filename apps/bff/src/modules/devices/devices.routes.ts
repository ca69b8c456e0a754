import { Router } from 'express';
import { z } from 'zod';
import { deviceIdSchema, devicesQuerySchema, validateDevicesRequestSchema } from '@repo/schemas';
import { actorOf, requireRole, requireSignedIn } from '../../http/auth';
import { parseBody, parseParams, parseQuery } from '../../http/validate';
import type { DevicesService } from './devices.service';

const deviceParamsSchema = z.object({ deviceId: deviceIdSchema });

export function devicesRoutes({ devices }: { devices: DevicesService }): Router {
  const router = Router();

  router.get('/devices', requireSignedIn, async (req, res) => {
    const query = parseQuery(devicesQuerySchema, req);
    res.json(await devices.list(actorOf(req), query));
  });

  router.get('/devices/ids', requireSignedIn, async (req, res) => {
    const { cursor: _cursor, limit: _limit, ...filters } = parseQuery(devicesQuerySchema, req);
    res.json(await devices.ids(actorOf(req), filters));
  });

  router.get('/devices/facets', requireSignedIn, async (req, res) => {
    res.json(await devices.facets(actorOf(req)));
  });

  router.post('/devices/validate', requireRole('admin'), async (req, res) => {
    const body = parseBody(validateDevicesRequestSchema, req);
    res.json(await devices.validate(actorOf(req), body));
  });

  router.get('/devices/:deviceId', requireSignedIn, async (req, res) => {
    const { deviceId } = parseParams(deviceParamsSchema, req);
    res.json(await devices.detail(actorOf(req), deviceId));
  });

  return router;
}
