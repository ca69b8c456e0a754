import { Router } from 'express';
import { z } from 'zod';
import {
  createRolloutRequestSchema,
  pauseRolloutRequestSchema,
  rolloutDevicesQuerySchema,
  rolloutIdSchema,
  rolloutPreviewRequestSchema,
  rolloutsQuerySchema,
} from '@repo/schemas';
import { actorOf, requireRole, requireSignedIn } from '../../http/auth';
import { parseBody, parseParams, parseQuery } from '../../http/validate';
import type { RolloutAction, RolloutsService } from './rollouts.service';

const rolloutParamsSchema = z.object({ id: rolloutIdSchema });

/** Admins and operators run rollouts; support reads them. */
const canWrite = requireRole('admin', 'operator');

const ACTIONS: RolloutAction[] = ['start', 'resume', 'abort', 'retry-failed'];

export function rolloutsRoutes({ rollouts }: { rollouts: RolloutsService }): Router {
  const router = Router();

  router.get('/rollouts', requireSignedIn, async (req, res) => {
    res.json(await rollouts.list(actorOf(req), parseQuery(rolloutsQuerySchema, req)));
  });

  // Before /rollouts/:id, which would take "preview" for an id.
  router.post('/rollouts/preview', canWrite, async (req, res) => {
    const body = parseBody(rolloutPreviewRequestSchema, req);
    res.json(await rollouts.preview(actorOf(req), body));
  });

  router.post('/rollouts', canWrite, async (req, res) => {
    const body = parseBody(createRolloutRequestSchema, req);
    res.status(201).json(await rollouts.create(actorOf(req), body, String(req.id)));
  });

  router.get('/rollouts/:id', requireSignedIn, async (req, res) => {
    const { id } = parseParams(rolloutParamsSchema, req);
    res.json(await rollouts.get(actorOf(req), id));
  });

  router.get('/rollouts/:id/devices', requireSignedIn, async (req, res) => {
    const { id } = parseParams(rolloutParamsSchema, req);
    res.json(await rollouts.devices(actorOf(req), id, parseQuery(rolloutDevicesQuerySchema, req)));
  });

  router.post('/rollouts/:id/pause', canWrite, async (req, res) => {
    const { id } = parseParams(rolloutParamsSchema, req);
    // The body is optional: a pause without a reason sends none.
    const body = parseBody(pauseRolloutRequestSchema.optional(), req);
    res.json(await rollouts.act(actorOf(req), id, 'pause', String(req.id), body?.reason));
  });

  for (const action of ACTIONS) {
    router.post(`/rollouts/:id/${action}`, canWrite, async (req, res) => {
      const { id } = parseParams(rolloutParamsSchema, req);
      res.json(await rollouts.act(actorOf(req), id, action, String(req.id)));
    });
  }

  return router;
}
