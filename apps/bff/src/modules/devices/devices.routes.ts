import { Router } from 'express';
import { z } from 'zod';
import {
  MAX_BASKET_DEVICES,
  deviceIdSchema,
  devicesQuerySchema,
  validateDevicesRequestSchema,
  type ValidateDevicesResponse,
} from '@repo/schemas';
import { actorOf, requireRole, requireSignedIn } from '../../http/auth';
import { notFound } from '../../http/errors';
import { parseBody, parseParams, parseQuery } from '../../http/validate';
import type { ValidateBasket } from './device-validation';
import type { DeviceDetailReader } from './device-detail';
import type { DevicesRepo } from './devices.repo';

const deviceParamsSchema = z.object({ deviceId: deviceIdSchema });

export function devicesRoutes({
  devices,
  deviceDetail,
  validateBasket,
}: {
  devices: DevicesRepo;
  deviceDetail: DeviceDetailReader;
  validateBasket: ValidateBasket;
}): Router {
  const router = Router();

  router.get('/devices', requireSignedIn, (req, res) => {
    const query = parseQuery(devicesQuerySchema, req);
    res.json(devices.list(actorOf(req).organisationId, query));
  });

  router.get('/devices/ids', requireSignedIn, (req, res) => {
    const { cursor: _cursor, limit: _limit, ...filters } = parseQuery(devicesQuerySchema, req);
    res.json(devices.ids(actorOf(req).organisationId, filters, MAX_BASKET_DEVICES));
  });

  router.get('/devices/facets', requireSignedIn, (req, res) => {
    res.json(devices.facets(actorOf(req).organisationId));
  });

  router.post('/devices/validate', requireRole('admin'), (req, res) => {
    const body = parseBody(validateDevicesRequestSchema, req);
    const { valid, results, items, quote } = validateBasket({
      organisationId: actorOf(req).organisationId,
      ...body,
    });
    const answer: ValidateDevicesResponse = { valid, results, items, quote };
    res.json(answer);
  });

  router.get('/devices/:deviceId', requireSignedIn, (req, res) => {
    const { deviceId } = parseParams(deviceParamsSchema, req);
    const device = deviceDetail(actorOf(req).organisationId, deviceId);
    if (!device) throw notFound(`Device ${deviceId}`);
    res.json(device);
  });

  return router;
}
