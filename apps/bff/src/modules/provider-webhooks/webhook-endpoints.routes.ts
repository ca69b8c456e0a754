import { Router } from 'express';
import { z } from 'zod';
import {
  createWebhookEndpointRequestSchema,
  webhookDeliveriesQuerySchema,
  type CreatedWebhookEndpoint,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import { actorOf, requireRole } from '../../http/auth';
import { noStore } from '../../http/no-store';
import { AppError, notFound } from '../../http/errors';
import { parseBody, parseParams, parseQuery } from '../../http/validate';
import { newId } from '../../ids';
import type { SecretBox } from '../../security/secret-box';
import { newToken } from '../../security/tokens';
import type { AuditRepo } from '../audit/audit.repo';
import { wakeDispatchers } from './provider-events';
import { createWebhookEndpointsRepo } from './webhook-endpoints.repo';
import { privateAddressProblem } from './webhook-http';

const endpointId = z.string().regex(/^whe_[a-f0-9]{32}$/, 'not a webhook endpoint id');
const endpointParamsSchema = z.object({ id: endpointId });
const deliveryParamsSchema = z.object({
  id: endpointId,
  deliveryId: z.string().regex(/^whd_[a-f0-9]{32}$/, 'not a webhook delivery id'),
});

/** The dashboard's admin routes for webhook endpoints and their deliveries. */
export function webhookEndpointsRoutes({
  db,
  audit,
  secrets,
  allowPrivateAddresses,
}: {
  db: Database;
  audit: AuditRepo;
  secrets: SecretBox;
  /** Endpoints on this machine or a private network: development and tests only. */
  allowPrivateAddresses: boolean;
}): Router {
  const endpoints = createWebhookEndpointsRepo(db, secrets);
  const router = Router();

  const endpointOf = (organisationId: string, id: string) => {
    const endpoint = endpoints.find(organisationId, id);
    if (!endpoint) throw notFound('Webhook endpoint');
    return endpoint;
  };

  router.get('/webhook-endpoints', requireRole('admin'), (req, res) => {
    res.json({ items: endpoints.list(actorOf(req).organisationId) });
  });

  router.post('/webhook-endpoints', requireRole('admin'), noStore, async (req, res) => {
    const body = parseBody(createWebhookEndpointRequestSchema, req);
    const actor = actorOf(req);
    const problem = allowPrivateAddresses ? null : await privateAddressProblem(body.url);
    if (problem) {
      throw new AppError(
        422,
        'WEBHOOK_URL_NOT_PUBLIC',
        `Events can only go to the internet: ${problem}`,
        [{ path: 'url', message: problem }],
      );
    }
    const id = newId('whe');
    const secret = newToken('mkwhsec', 32);
    db.transaction(() => {
      endpoints.insert({
        id,
        organisationId: actor.organisationId,
        mode: body.mode,
        url: body.url,
        description: body.description || null,
        secret,
        eventTypes: body.eventTypes,
        createdBy: actor.userId,
        createdAt: new Date().toISOString(),
      });
      audit.record({
        organisationId: actor.organisationId,
        userId: actor.userId,
        action: 'webhook_endpoint.create',
        objectType: 'webhook_endpoint',
        objectId: id,
        details: { url: body.url, mode: body.mode, eventTypes: body.eventTypes },
        requestId: String(req.id),
      });
    })();
    const created: CreatedWebhookEndpoint = {
      ...endpoints.find(actor.organisationId, id)!,
      secret,
    };
    res.status(201).json(created);
  });

  router.post('/webhook-endpoints/:id/disable', requireRole('admin'), (req, res) => {
    const { id } = parseParams(endpointParamsSchema, req);
    const actor = actorOf(req);
    endpointOf(actor.organisationId, id);
    if (endpoints.disable(actor.organisationId, id)) {
      audit.record({
        organisationId: actor.organisationId,
        userId: actor.userId,
        action: 'webhook_endpoint.disable',
        objectType: 'webhook_endpoint',
        objectId: id,
        requestId: String(req.id),
      });
    }
    res.json(endpoints.find(actor.organisationId, id));
  });

  router.get('/webhook-endpoints/:id/deliveries', requireRole('admin'), (req, res) => {
    const { id } = parseParams(endpointParamsSchema, req);
    const query = parseQuery(webhookDeliveriesQuerySchema, req);
    endpointOf(actorOf(req).organisationId, id);
    res.json(endpoints.deliveries(id, query));
  });

  router.post(
    '/webhook-endpoints/:id/deliveries/:deliveryId/resend',
    requireRole('admin'),
    (req, res) => {
      const { id, deliveryId } = parseParams(deliveryParamsSchema, req);
      const actor = actorOf(req);
      const endpoint = endpointOf(actor.organisationId, id);
      const delivery = endpoints.delivery(id, deliveryId);
      if (!delivery) throw notFound('Webhook delivery');
      if (endpoint.disabledAt)
        throw new AppError(
          409,
          'ENDPOINT_DISABLED',
          'This endpoint is disabled; nothing is sent to it.',
        );
      if (delivery.status !== 'failed')
        throw new AppError(
          409,
          'DELIVERY_NOT_FAILED',
          delivery.status === 'pending'
            ? 'This delivery is still being tried.'
            : 'This delivery already succeeded.',
        );
      db.transaction(() => {
        endpoints.resend(deliveryId);
        audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'webhook_delivery.resend',
          objectType: 'webhook_delivery',
          objectId: deliveryId,
          requestId: String(req.id),
        });
      })();
      wakeDispatchers(db);
      res.status(202).json(endpoints.delivery(id, deliveryId));
    },
  );

  return router;
}
