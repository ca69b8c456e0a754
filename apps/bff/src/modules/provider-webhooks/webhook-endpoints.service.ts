import type {
  CreateWebhookEndpointRequest,
  CreatedWebhookEndpoint,
  WebhookDeliveriesPage,
  WebhookDelivery,
  WebhookEndpoint,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Actor } from '../../http/auth';
import { AppError, notFound } from '../../http/errors';
import { newId } from '../../ids';
import { newToken } from '../../security/tokens';
import type { AuditRepo } from '../audit/audit.repo';
import { PROVIDER_WEBHOOKS_CHANNEL } from './provider-events';
import type { WebhookEndpointsRepo } from './webhook-endpoints.repo';
import { privateAddressProblem } from './webhook-http';

/** Providers' webhook endpoints and their deliveries, as admins manage them in the dashboard. */
export function createWebhookEndpointsService({
  database,
  endpoints,
  audit,
  allowPrivateAddresses,
}: {
  database: Database;
  endpoints: WebhookEndpointsRepo;
  audit: AuditRepo;
  /** Endpoints on this machine or a private network: development and tests only. */
  allowPrivateAddresses: boolean;
}) {
  async function endpointOf(organisationId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await endpoints.find(organisationId, id);
    if (!endpoint) throw notFound('Webhook endpoint');
    return endpoint;
  }

  async function deliveryOf(endpointId: string, id: string): Promise<WebhookDelivery> {
    const delivery = await endpoints.delivery(endpointId, id);
    if (!delivery) throw notFound('Webhook delivery');
    return delivery;
  }

  return {
    list: (actor: Actor) => endpoints.list(actor.organisationId),

    /** The signing secret leaves the server once, in this answer; it is kept sealed. */
    async create(
      actor: Actor,
      body: CreateWebhookEndpointRequest,
      requestId: string,
    ): Promise<CreatedWebhookEndpoint> {
      // Resolving the name is network work: done before the transaction, never inside it.
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
      await database.transaction(async () => {
        await endpoints.insert({
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
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'webhook_endpoint.create',
          objectType: 'webhook_endpoint',
          objectId: id,
          details: { url: body.url, mode: body.mode, eventTypes: body.eventTypes },
          requestId,
        });
      });
      return { ...(await endpointOf(actor.organisationId, id)), secret };
    },

    /** Nothing more is sent to it, not even what was queued; disabling twice records nothing. */
    async disable(actor: Actor, id: string, requestId: string): Promise<WebhookEndpoint> {
      await endpointOf(actor.organisationId, id);
      await database.transaction(async () => {
        const now = new Date().toISOString();
        if (!(await endpoints.disable(actor.organisationId, id, now))) return;
        await endpoints.dropPending(id, now);
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'webhook_endpoint.disable',
          objectType: 'webhook_endpoint',
          objectId: id,
          requestId,
        });
      });
      return endpointOf(actor.organisationId, id);
    },

    async deliveries(
      actor: Actor,
      id: string,
      query: { status?: WebhookDelivery['status']; cursor?: string; limit: number },
    ): Promise<WebhookDeliveriesPage> {
      await endpointOf(actor.organisationId, id);
      return endpoints.deliveries(id, query);
    },

    /** A failed delivery gets one more try, by whichever instance's dispatcher claims it first. */
    async resend(
      actor: Actor,
      id: string,
      deliveryId: string,
      requestId: string,
    ): Promise<WebhookDelivery> {
      const endpoint = await endpointOf(actor.organisationId, id);
      const delivery = await deliveryOf(id, deliveryId);
      if (endpoint.disabledAt)
        throw new AppError(
          409,
          'ENDPOINT_DISABLED',
          'This endpoint is disabled; nothing is sent to it.',
        );
      const notFailed = (status: WebhookDelivery['status']) =>
        new AppError(
          409,
          'DELIVERY_NOT_FAILED',
          status === 'pending'
            ? 'This delivery is still being tried.'
            : 'This delivery already succeeded.',
        );
      if (delivery.status !== 'failed') throw notFailed(delivery.status);
      await database.transaction(async () => {
        // Another admin may have resent it a moment ago: only one of them does.
        if (!(await endpoints.resend(deliveryId, new Date().toISOString())))
          throw notFailed('pending');
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'webhook_delivery.resend',
          objectType: 'webhook_delivery',
          objectId: deliveryId,
          requestId,
        });
        await database.notify(PROVIDER_WEBHOOKS_CHANNEL);
      });
      return deliveryOf(id, deliveryId);
    },
  };
}
export type WebhookEndpointsService = ReturnType<typeof createWebhookEndpointsService>;
