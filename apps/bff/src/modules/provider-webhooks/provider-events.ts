import type {
  CheckoutMode,
  InstallJob,
  ProviderEvent,
  ProviderEventData,
  ProviderEventType,
  StorefrontPurchase,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import { newId } from '../../ids';
import { createWebhookDeliveriesRepo } from './webhook-deliveries.repo';

/** Where dispatchers on every instance hear that deliveries are waiting. */
export const PROVIDER_WEBHOOKS_CHANNEL = 'provider_webhooks';

/** An event for providers' endpoints; `data` has exactly the shape its type promises. */
export type ProviderEventInput = {
  [T in ProviderEventType]: {
    organisationId: string;
    mode: CheckoutMode;
    type: T;
    data: ProviderEventData[T];
  };
}[ProviderEventType];

/** Purchases as the storefront API describes them: the object purchase events carry. */
export type PurchaseProjections = {
  bySession(checkoutSessionId: string): Promise<StorefrontPurchase[]>;
  byId(purchaseId: string): Promise<StorefrontPurchase | undefined>;
};

/**
 * Events for providers' webhook endpoints, written as rows in the caller's transaction (so that
 * an event exists if and only if the change it reports does) and delivered afterwards by the
 * dispatcher of whichever instance claims them.
 */
export function createProviderEvents(database: Database, purchases: PurchaseProjections) {
  const deliveries = createWebhookDeliveriesRepo(database);

  /**
   * Records an event for every enabled endpoint of the organisation and mode that subscribed to
   * its type. Returns the event id, or null when nobody listens.
   */
  async function record(input: ProviderEventInput): Promise<string | null> {
    const endpointIds = await deliveries.subscribedEndpoints(
      input.organisationId,
      input.mode,
      input.type,
    );
    if (endpointIds.length === 0) return null;
    const now = new Date().toISOString();
    const event = {
      id: newId('evt'),
      type: input.type,
      createdAt: now,
      mode: input.mode,
      data: input.data,
    } as ProviderEvent;
    await deliveries.insertEvent({
      id: event.id,
      organisationId: input.organisationId,
      mode: input.mode,
      type: input.type,
      payload: JSON.stringify(event),
      createdAt: now,
      endpointIds,
    });
    await database.notify(PROVIDER_WEBHOOKS_CHANNEL);
    return event.id;
  }

  return {
    record,

    /** `purchase.activated` for each purchase fulfillment just created in a session. */
    async purchasesActivated(
      checkoutSessionId: string,
      except: ReadonlySet<string> = new Set(),
    ): Promise<void> {
      const created = (await purchases.bySession(checkoutSessionId)).filter(
        (purchase) => !except.has(purchase.id),
      );
      if (created.length === 0) return;
      const organisationId = await deliveries.organisationOfSession(checkoutSessionId);
      for (const purchase of created) {
        await record({
          organisationId,
          mode: purchase.mode,
          type: 'purchase.activated',
          data: { object: purchase },
        });
      }
    },

    /** `purchase.refunded` once a refund has ended a purchase. */
    async purchaseRefunded(purchaseId: string): Promise<void> {
      const purchase = await purchases.byId(purchaseId);
      if (!purchase) return;
      await record({
        organisationId: await deliveries.organisationOfSession(purchase.checkoutSessionId),
        mode: purchase.mode,
        type: 'purchase.refunded',
        data: { object: purchase },
      });
    },

    /**
     * `install.succeeded` or `install.failed` for a finished install job, in the job's
     * transaction. Install jobs carry no mode of their own; it is the mode of the entitlement
     * they install under.
     */
    async installFinished(input: {
      organisationId: string;
      mode: CheckoutMode;
      job: InstallJob;
    }): Promise<string | null> {
      if (input.job.status !== 'succeeded' && input.job.status !== 'failed') return null;
      return record({
        organisationId: input.organisationId,
        mode: input.mode,
        type: input.job.status === 'succeeded' ? 'install.succeeded' : 'install.failed',
        data: { object: input.job },
      });
    },
  };
}
export type ProviderEvents = ReturnType<typeof createProviderEvents>;
