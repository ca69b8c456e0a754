import { Router } from 'express';
import { z } from 'zod';
import {
  createDeviceGroupRequestSchema,
  deviceGroupIdSchema,
  deviceGroupMembersQuerySchema,
  deviceGroupPreviewRequestSchema,
  deviceGroupsQuerySchema,
  updateDeviceGroupRequestSchema,
} from '@repo/schemas';
import { actorOf, requireRole, requireSignedIn } from '../../http/auth';
import { parseBody, parseParams, parseQuery } from '../../http/validate';
import type { DeviceGroupsService } from './device-groups.service';

const groupParamsSchema = z.object({ id: deviceGroupIdSchema });

/** Admins and operators shape the groups; support reads them. */
const canWrite = requireRole('admin', 'operator');

export function deviceGroupsRoutes({
  deviceGroups,
}: {
  deviceGroups: DeviceGroupsService;
}): Router {
  const router = Router();

  router.get('/device-groups', requireSignedIn, async (req, res) => {
    res.json(await deviceGroups.list(actorOf(req), parseQuery(deviceGroupsQuerySchema, req)));
  });

  router.post('/device-groups', canWrite, async (req, res) => {
    const body = parseBody(createDeviceGroupRequestSchema, req);
    res.status(201).json(await deviceGroups.create(actorOf(req), body, String(req.id)));
  });

  router.post('/device-groups/preview', canWrite, async (req, res) => {
    const { filter } = parseBody(deviceGroupPreviewRequestSchema, req);
    res.json(await deviceGroups.preview(actorOf(req), filter));
  });

  router.get('/device-groups/:id', requireSignedIn, async (req, res) => {
    const { id } = parseParams(groupParamsSchema, req);
    const page = parseQuery(deviceGroupMembersQuerySchema, req);
    res.json(await deviceGroups.detail(actorOf(req), id, page));
  });

  router.patch('/device-groups/:id', canWrite, async (req, res) => {
    const { id } = parseParams(groupParamsSchema, req);
    const body = parseBody(updateDeviceGroupRequestSchema, req);
    res.json(await deviceGroups.update(actorOf(req), id, body, String(req.id)));
  });

  router.delete('/device-groups/:id', canWrite, async (req, res) => {
    const { id } = parseParams(groupParamsSchema, req);
    await deviceGroups.remove(actorOf(req), id, String(req.id));
    res.status(204).end();
  });

  return router;
}
