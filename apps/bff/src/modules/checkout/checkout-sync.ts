import type Stripe from 'stripe';
import type { CheckoutMode } from '@repo/schemas';
import { paymentIntentIdOf } from '../../stripe/stripe-objects';
import type { CheckoutRepo, CheckoutSessionRow } from './checkout.repo';
import type { Fulfill } from './fulfillment';

export type SyncOutcome = string;

/**
 * Brings our session in line with Stripe's. Synchronous (database only), so the webhook can run
 * it inside the transaction that records the event. Trusts only what we put on the session:
 * client_reference_id and metadata, which must name one of our sessions, of the same
 * organisation and mode, and no other Stripe session.
 */
export function createCheckoutSync(checkout: CheckoutRepo, fulfill: Fulfill) {
  function locate(
    session: Stripe.Checkout.Session,
    mode: CheckoutMode,
  ): CheckoutSessionRow | string {
    const ours = session.metadata?.checkoutSessionId;
    if (!ours || (session.client_reference_id && session.client_reference_id !== ours)) {
      return 'ignored: not a session of ours';
    }
    const row = checkout.find(ours);
    if (!row) return 'ignored: unknown checkout session';
    if (row.organisationId !== session.metadata?.organisationId)
      return 'ignored: organisation does not match';
    if (row.mode !== mode) return 'ignored: mode does not match';
    if (row.stripeSessionId && row.stripeSessionId !== session.id)
      return 'ignored: Stripe session does not match';
    return row;
  }

  const paymentIntentId = (session: Stripe.Checkout.Session) =>
    paymentIntentIdOf(session.payment_intent);

  /** The promotion code's discount as Stripe reports it on the session, if any. */
  const discountOf = (session: Stripe.Checkout.Session) => {
    const amount = session.total_details?.amount_discount ?? 0;
    if (amount <= 0) return null;
    const promotionCode = session.discounts?.find((d) => d.promotion_code)?.promotion_code;
    return {
      amount,
      promotionCodeId:
        typeof promotionCode === 'string' ? promotionCode : (promotionCode?.id ?? null),
    };
  };

  return {
    locate,

    /** Applies a Checkout Session object from an event or a retrieve. */
    applySession(
      session: Stripe.Checkout.Session,
      mode: CheckoutMode,
      source: string,
      eventId: string | null,
    ): SyncOutcome {
      const row = locate(session, mode);
      if (typeof row === 'string') return row;
      if (session.status === 'complete') {
        const paymentStatus =
          session.payment_status === 'paid' || session.payment_status === 'no_payment_required'
            ? (session.payment_status as 'paid' | 'no_payment_required')
            : null;
        if (paymentStatus) {
          return fulfill({
            checkoutSessionId: row.id,
            paymentStatus,
            paymentIntentId: paymentIntentId(session),
            source,
            stripeEventId: eventId,
            discount: discountOf(session),
          });
        }
        if (row.fulfilledAt) return 'already_fulfilled';
        checkout.transition(row.id, 'open', 'complete', paymentIntentId(session));
        if (!checkout.hasAttempt(row.id, 'payment_pending')) {
          checkout.recordAttempt(
            row.id,
            'payment_pending',
            'Checkout completed; the payment has not arrived yet.',
            eventId,
          );
        }
        return 'payment_pending';
      }
      if (session.status === 'expired') {
        if (!checkout.transition(row.id, 'open', 'expired'))
          return `ignored: session is ${row.status}`;
        checkout.recordAttempt(
          row.id,
          'expired',
          'The payment page expired before payment.',
          eventId,
        );
        return 'expired';
      }
      return 'ignored: session still open';
    },

    /** A delayed payment (bank transfer) that failed: the order stays unpaid. */
    applyAsyncPaymentFailed(
      session: Stripe.Checkout.Session,
      mode: CheckoutMode,
      eventId: string,
    ): SyncOutcome {
      const row = locate(session, mode);
      if (typeof row === 'string') return row;
      if (row.fulfilledAt) return 'ignored: already fulfilled';
      checkout.transition(row.id, 'open', 'complete', paymentIntentId(session));
      checkout.recordAttempt(row.id, 'payment_failed', 'The delayed payment failed.', eventId);
      return 'payment_failed';
    },
  };
}
export type CheckoutSync = ReturnType<typeof createCheckoutSync>;
