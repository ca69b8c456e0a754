import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import type { Logger } from 'pino';
import type { CheckoutMode, Refund } from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Actor } from '../../http/auth';
import { AppError, notFound } from '../../http/errors';
import type { StripeGateway } from '../../stripe/stripe-gateway';
import type { AuditRepo } from '../audit/audit.repo';
import type { CheckoutRepo } from '../checkout/checkout.repo';
import type { Fulfill } from '../checkout/fulfillment';

type RefundRow = {
  id: string;
  purchaseId: string;
  amount: number;
  currency: string;
  status: Refund['status'];
  createdAt: string;
  completedAt: string | null;
};

type Deps = {
  db: Database;
  checkout: CheckoutRepo;
  fulfill: Fulfill;
  stripe: StripeGateway;
  audit: AuditRepo;
  logger: Logger;
};

const toRefund = (row: RefundRow): Refund => ({
  id: row.id,
  purchaseId: row.purchaseId,
  amount: { amount: row.amount, currency: row.currency },
  status: row.status,
  createdAt: row.createdAt,
  completedAt: row.completedAt,
});

/**
 * Refunds go through Stripe; only `charge.refunded` revokes. The refund row is written before
 * Stripe is called, so the webhook always finds what it confirms, whatever the order.
 */
export function createRefundsService({ db, checkout, fulfill, stripe, audit, logger }: Deps) {
  const s = {
    purchase: db.prepare(
      `SELECT p.id, p.amount, p.currency, p.status, p.checkout_session_id AS checkoutSessionId, p.mode,
              c.stripe_payment_intent_id AS paymentIntentId
       FROM purchases p JOIN checkout_sessions c ON c.id = p.checkout_session_id
       WHERE p.organisation_id = ? AND p.id = ?`,
    ),
    refundOf: db.prepare(
      `SELECT r.id, r.purchase_id AS purchaseId, r.amount, p.currency, r.status, r.created_at AS createdAt,
              r.completed_at AS completedAt
       FROM refunds r JOIN purchases p ON p.id = r.purchase_id WHERE r.purchase_id = ?`,
    ),
    insert: db.prepare(
      `INSERT INTO refunds (id, organisation_id, purchase_id, amount, status, requested_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    setStripeId: db.prepare(
      'UPDATE refunds SET stripe_refund_id = ?, status = ? WHERE id = ? AND status != ?',
    ),
    setStatus: db.prepare("UPDATE refunds SET status = ? WHERE id = ? AND status != 'succeeded'"),
    complete: db.prepare("UPDATE refunds SET status = 'succeeded', completed_at = ? WHERE id = ?"),
    refundPurchase: db.prepare(
      "UPDATE purchases SET status = 'refunded', refunded_at = ? WHERE id = ? AND status = 'active'",
    ),
    revoke: db.prepare(
      "UPDATE entitlements SET status = 'revoked', revoked_at = ? WHERE purchase_id = ? AND status = 'active'",
    ),
    requestedInSession: db.prepare(
      `SELECT r.id, r.purchase_id AS purchaseId FROM refunds r JOIN purchases p ON p.id = r.purchase_id
       WHERE p.checkout_session_id = ? AND r.status != 'succeeded'`,
    ),
    unrefundedInSession: db.prepare(
      `SELECT p.id, p.amount, p.organisation_id AS organisationId FROM purchases p
       WHERE p.checkout_session_id = ? AND p.status = 'active' AND p.amount > 0
         AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.purchase_id = p.id)`,
    ),
  };

  /** Marks one refund done: the purchase is refunded and its entitlement revoked, once. */
  function settle(refundId: string, purchaseId: string, now: string): boolean {
    s.complete.run(now, refundId);
    s.revoke.run(now, purchaseId);
    return s.refundPurchase.run(now, purchaseId).changes > 0;
  }

  async function sendToStripe(
    refund: RefundRow,
    paymentIntentId: string,
    mode: CheckoutMode,
    checkoutSessionId: string,
  ) {
    try {
      const created = await stripe.client(mode).refunds.create(
        {
          payment_intent: paymentIntentId,
          amount: refund.amount,
          metadata: { purchaseId: refund.purchaseId, refundId: refund.id, checkoutSessionId },
        },
        { idempotencyKey: `refund-${refund.id}` },
      );
      s.setStripeId.run(created.id, 'requested', refund.id, 'succeeded');
    } catch (error) {
      logger.warn({ err: error, refundId: refund.id }, 'the refund request to Stripe failed');
      s.setStatus.run('failed', refund.id);
      throw new AppError(
        502,
        'STRIPE_UNAVAILABLE',
        'The payment provider did not accept the refund. Try again.',
      );
    }
  }

  return {
    async requestRefund(actor: Actor, purchaseId: string, requestId: string): Promise<Refund> {
      const purchase = s.purchase.get(actor.organisationId, purchaseId) as
        | {
            id: string;
            amount: number;
            currency: string;
            status: string;
            checkoutSessionId: string;
            mode: CheckoutMode;
            paymentIntentId: string | null;
          }
        | undefined;
      if (!purchase) throw notFound('Purchase');

      let refund = s.refundOf.get(purchase.id) as RefundRow | undefined;
      if (refund?.status === 'failed' && purchase.paymentIntentId) {
        // A retry after a failed call: the same Stripe idempotency key makes it safe.
        await sendToStripe(
          refund,
          purchase.paymentIntentId,
          purchase.mode,
          purchase.checkoutSessionId,
        );
        return toRefund(s.refundOf.get(purchase.id) as RefundRow);
      }
      if (refund) return toRefund(refund);
      if (purchase.status !== 'active')
        throw new AppError(409, 'ALREADY_REFUNDED', 'This purchase was already refunded.');

      const now = new Date().toISOString();
      const refundId = `rfd_${randomUUID().replaceAll('-', '')}`;
      const free = purchase.amount === 0 || !purchase.paymentIntentId;
      try {
        db.transaction(() => {
          s.insert.run(
            refundId,
            actor.organisationId,
            purchase.id,
            purchase.amount,
            'requested',
            actor.userId,
            now,
          );
          audit.record({
            organisationId: actor.organisationId,
            userId: actor.userId,
            action: 'purchase.refund',
            objectType: 'purchase',
            objectId: purchase.id,
            details: { refundId, amount: purchase.amount },
            requestId,
          });
          if (free) {
            // Nothing was paid, so nothing goes back through Stripe; the entitlement ends now.
            settle(refundId, purchase.id, now);
            checkout.recordAttempt(
              purchase.checkoutSessionId,
              'refunded',
              `Purchase ${purchase.id} refunded (nothing was paid).`,
            );
          }
        })();
      } catch (error) {
        // The same refund requested twice at once: the purchase's unique refund row decides.
        const raced = s.refundOf.get(purchase.id) as RefundRow | undefined;
        if (raced) return toRefund(raced);
        throw error;
      }
      refund = s.refundOf.get(purchase.id) as RefundRow;
      if (!free)
        await sendToStripe(
          refund,
          purchase.paymentIntentId!,
          purchase.mode,
          purchase.checkoutSessionId,
        );
      return toRefund(s.refundOf.get(purchase.id) as RefundRow);
    },

    /**
     * `charge.refunded`: settles the refunds we asked for. A full refund made elsewhere (say, Stripe's
     * dashboard) ends every paid purchase of the session; free ones cost nothing and stay.
     */
    applyChargeRefunded(charge: Stripe.Charge, mode: CheckoutMode, eventId: string): string {
      const paymentIntentId =
        typeof charge.payment_intent === 'string'
          ? charge.payment_intent
          : (charge.payment_intent?.id ?? null);
      const ours = charge.metadata?.checkoutSessionId;
      const session = ours
        ? checkout.find(ours)
        : paymentIntentId
          ? checkout.findByPaymentIntent(paymentIntentId)
          : undefined;
      if (!session) return 'ignored: unknown payment';
      if (
        charge.metadata?.organisationId &&
        charge.metadata.organisationId !== session.organisationId
      ) {
        return 'ignored: organisation does not match';
      }
      if (session.mode !== mode) return 'ignored: mode does not match';
      // A refund proves the payment: if its confirmation has not come yet, fulfill first.
      if (!session.fulfilledAt) {
        fulfill({
          checkoutSessionId: session.id,
          paymentStatus: 'paid',
          paymentIntentId,
          source: 'a refund of its payment',
          stripeEventId: eventId,
        });
      }
      const now = new Date().toISOString();
      let refunded = 0;
      for (const r of s.requestedInSession.all(session.id) as {
        id: string;
        purchaseId: string;
      }[]) {
        if (settle(r.id, r.purchaseId, now)) refunded += 1;
      }
      if (charge.refunded) {
        for (const p of s.unrefundedInSession.all(session.id) as {
          id: string;
          amount: number;
          organisationId: string;
        }[]) {
          const refundId = `rfd_${randomUUID().replaceAll('-', '')}`;
          s.insert.run(refundId, p.organisationId, p.id, p.amount, 'requested', null, now);
          if (settle(refundId, p.id, now)) refunded += 1;
        }
      }
      if (refunded === 0) return 'ignored: nothing left to refund';
      checkout.recordAttempt(
        session.id,
        'refunded',
        `${refunded} purchase(s) refunded; entitlements revoked.`,
        eventId,
      );
      return `refunded ${refunded}`;
    },
  };
}
export type RefundsService = ReturnType<typeof createRefundsService>;
