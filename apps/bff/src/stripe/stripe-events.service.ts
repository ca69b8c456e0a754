import type Stripe from 'stripe';
import type { CheckoutMode } from '@repo/schemas';
import type { Database } from '../db/database';
import type { CheckoutSync } from '../modules/checkout/checkout-sync';
import type { RefundsService } from '../modules/purchases/refunds.service';
import { createWebhookEventsRepo } from './webhook-events.repo';

export type ProcessedEvent = { duplicate: boolean; outcome: string };

type Deps = {
  database: Database;
  sync: CheckoutSync;
  refunds: Pick<RefundsService, 'applyChargeRefunded' | 'applyDisputeCreated'>;
};

/**
 * What Stripe's events do. Each is applied in ONE transaction with the record of its id, so that
 * it counts once whoever delivers it, on whichever instance and however often: a second delivery
 * waits for the first to commit and finds it done; a failure records nothing, so Stripe's retry
 * finds it new.
 */
export function createStripeEventsService({ database, sync, refunds }: Deps) {
  const events = createWebhookEventsRepo(database);

  function dispatch(event: Stripe.Event, mode: CheckoutMode): Promise<string> {
    switch (event.type) {
      case 'checkout.session.completed':
        return sync.applySession(event.data.object, mode, `Stripe (${event.type})`, event.id);
      case 'checkout.session.async_payment_succeeded':
        return sync.applyEvent('async_payment_succeeded', event.data.object, mode, event.id);
      case 'checkout.session.async_payment_failed':
        return sync.applyEvent('async_payment_failed', event.data.object, mode, event.id);
      case 'checkout.session.expired':
        return sync.applyEvent('expired', event.data.object, mode, event.id);
      case 'charge.refunded':
        return refunds.applyChargeRefunded(event.data.object, mode, event.id);
      case 'charge.dispute.created':
        return refunds.applyDisputeCreated(event.data.object, mode, event.id);
      default:
        return Promise.resolve(`ignored: ${event.type} is not handled`);
    }
  }

  return {
    /** Records the event's id and applies it, or answers that it was a duplicate. */
    process: (event: Stripe.Event, mode: CheckoutMode): Promise<ProcessedEvent> =>
      database.transaction(async () => {
        if (!(await events.claim({ id: event.id, mode, type: event.type })))
          return { duplicate: true, outcome: 'duplicate' };
        const outcome = await dispatch(event, mode);
        await events.finish(event.id, outcome);
        return { duplicate: false, outcome };
      }),

    /** A signed event that cannot be handled: kept with the reason, never over a processed one. */
    recordRejected: (event: { id: string; mode: CheckoutMode; type: string; error: string }) =>
      events.recordRejected(event),
  };
}
export type StripeEventsService = ReturnType<typeof createStripeEventsService>;
