import type Stripe from 'stripe';
import { paymentStatusSchema, type CheckoutMode } from '@repo/schemas';
import { decideCheckout, type CheckoutFact } from '@repo/domain';
import { paymentIntentIdOf } from '../../stripe/stripe-objects';
import type { Database } from '../../db/database';
import type { CheckoutRepo, CheckoutSessionRow } from './checkout.repo';
import type { Fulfill } from './fulfillment';

export type SyncOutcome = string;

/**
 * Brings our session in line with Stripe's: the checkout state machine decides what each fact
 * does, whatever order Stripe sends them in; this carries its decision out. Database only, in one
 * transaction (the webhook's, which records the event in it, or one of its own), reading the
 * session locked so that instances applying the same or different facts at once take turns and
 * end in the same state in any order. Trusts only what we put on the session:
 * client_reference_id and metadata, which must name one of our sessions, of the same
 * organisation and mode, and no other Stripe session.
 */
export function createCheckoutSync(database: Database, checkout: CheckoutRepo, fulfill: Fulfill) {
  /** Our session for Stripe's, locked until the transaction ends; or why it is not ours. */
  async function locate(
    session: Stripe.Checkout.Session,
    mode: CheckoutMode,
  ): Promise<CheckoutSessionRow | string> {
    const ours = session.metadata?.checkoutSessionId;
    if (!ours || (session.client_reference_id && session.client_reference_id !== ours)) {
      return 'ignored: not a session of ours';
    }
    const row = await checkout.lock(ours);
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

  /** What a Checkout Session object says happened, when it says anything. */
  const factOf = (session: Stripe.Checkout.Session): CheckoutFact | null => {
    const paymentStatus = paymentStatusSchema.safeParse(session.payment_status);
    if (session.status === 'complete' && paymentStatus.success)
      return { kind: 'completed', paymentStatus: paymentStatus.data };
    if (session.status === 'expired') return { kind: 'expired' };
    return null;
  };

  /** Asks the state machine what the fact does to our session, and does it. */
  const apply = (
    session: Stripe.Checkout.Session,
    mode: CheckoutMode,
    fact: CheckoutFact | null,
    source: string,
    eventId: string | null,
  ): Promise<SyncOutcome> =>
    database.transaction(async () => {
      const row = await locate(session, mode);
      if (typeof row === 'string') return row;
      if (!fact) return 'ignored: session still open';
      const decision = decideCheckout(checkout.state(row), fact);
      let outcome = decision.outcome;
      for (const effect of decision.effects) {
        switch (effect.kind) {
          case 'fulfill':
            outcome = await fulfill({
              checkoutSessionId: row.id,
              paymentStatus: effect.paymentStatus,
              paymentIntentId: paymentIntentId(session),
              source,
              stripeEventId: eventId,
              discount: discountOf(session),
            });
            break;
          case 'mark_pending':
            await checkout.transition(
              row.id,
              ['open', 'expired', 'cancelled'],
              'complete',
              paymentIntentId(session),
            );
            await checkout.recordAttempt(
              row.id,
              'payment_pending',
              'Checkout completed; the payment has not arrived yet.',
              eventId,
            );
            break;
          case 'mark_payment_failed':
            await checkout.markPaymentFailed(row.id, paymentIntentId(session));
            await checkout.recordAttempt(
              row.id,
              'payment_failed',
              'The delayed payment failed.',
              eventId,
            );
            break;
          case 'mark_expired':
            await checkout.transition(row.id, 'open', 'expired');
            await checkout.recordAttempt(
              row.id,
              'expired',
              'The payment page expired before payment.',
              eventId,
            );
            break;
          case 'mark_cancelled':
          case 'settle_refund':
            // Neither follows from a Checkout Session: the cancel page and charge.refunded own them.
            break;
        }
      }
      return outcome;
    });

  return {
    /** Applies a Checkout Session object from `checkout.session.completed` or a retrieve. */
    applySession: (
      session: Stripe.Checkout.Session,
      mode: CheckoutMode,
      source: string,
      eventId: string | null,
    ): Promise<SyncOutcome> => apply(session, mode, factOf(session), source, eventId),

    /** Applies a `checkout.session.*` event whose type is itself the fact. */
    applyEvent: (
      type: 'async_payment_succeeded' | 'async_payment_failed' | 'expired',
      session: Stripe.Checkout.Session,
      mode: CheckoutMode,
      eventId: string,
    ): Promise<SyncOutcome> =>
      apply(session, mode, { kind: type }, `Stripe (checkout.session.${type})`, eventId),
  };
}
export type CheckoutSync = ReturnType<typeof createCheckoutSync>;
