import { Router } from 'express';
import { z } from 'zod';
import { createWebhookEndpointRequestSchema, webhookDeliveriesQuerySchema } from '@repo/schemas';
import { actorOf, requireRole } from '../../http/auth';
import { noStore } from '../../http/no-store';
import { parseBody, parseParams, parseQuery } from '../../http/validate';
import type { WebhookEndpointsService } from './webhook-endpoints.service';

const endpointId = z.string().regex(/^whe_[a-f0-9]{32}$/, 'not a webhook endpoint id');
const endpointParamsSchema = z.object({ id: endpointId });
const deliveryParamsSchema = z.object({
  id: endpointId,
  deliveryId: z.string().regex(/^whd_[a-f0-9]{32}$/, 'not a webhook delivery id'),
});

/** The dashboard's admin routes for webhook endpoints and their deliveries. */
export function webhookEndpointsRoutes({
  webhookEndpoints,
}: {
  webhookEndpoints: WebhookEndpointsService;
}): Router {
  const router = Router();

  router.get('/webhook-endpoints', requireRole('admin'), async (req, res) => {
    res.json({ items: await webhookEndpoints.list(actorOf(req)) });
  });

  router.post('/webhook-endpoints', requireRole('admin'), noStore, async (req, res) => {
    const body = parseBody(createWebhookEndpointRequestSchema, req);
    res.status(201).json(await webhookEndpoints.create(actorOf(req), body, String(req.id)));
  });

  router.post('/webhook-endpoints/:id/disable', requireRole('admin'), async (req, res) => {
    const { id } = parseParams(endpointParamsSchema, req);
    res.json(await webhookEndpoints.disable(actorOf(req), id, String(req.id)));
  });

  router.get('/webhook-endpoints/:id/deliveries', requireRole('admin'), async (req, res) => {
    const { id } = parseParams(endpointParamsSchema, req);
    const query = parseQuery(webhookDeliveriesQuerySchema, req);
    res.json(await webhookEndpoints.deliveries(actorOf(req), id, query));
  });

  router.post(
    '/webhook-endpoints/:id/deliveries/:deliveryId/resend',
    requireRole('admin'),
    async (req, res) => {
      const { id, deliveryId } = parseParams(deliveryParamsSchema, req);
      res
        .status(202)
        .json(await webhookEndpoints.resend(actorOf(req), id, deliveryId, String(req.id)));
    },
  );

  return router;
}
