import type Stripe from 'stripe';
import { decideCheckout } from '@repo/domain';
import type { Logger } from 'pino';
import type { CheckoutMode, Refund } from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Actor } from '../../http/auth';
import { AppError, notFound } from '../../http/errors';
import { newId } from '../../ids';
import type { StripeGateway } from '../../stripe/stripe-gateway';
import { paymentIntentIdOf } from '../../stripe/stripe-objects';
import type { AuditRepo } from '../audit/audit.repo';
import type { CheckoutRepo } from '../checkout/checkout.repo';
import type { Fulfill } from '../checkout/fulfillment';
import type { InstallsRepo } from '../installs/installs.repo';
import { recordPurchaseRefunded } from '../provider-webhooks/provider-events';

type RefundRow = {
  id: string;
  purchaseId: string;
  amount: number;
  currency: string;
  status: Refund['status'];
  stripeRefundId: string | null;
  stripeIdempotencyKey: string | null;
  createdAt: string;
  completedAt: string | null;
  reason: string | null;
};

/** A purchase that fulfillment recorded for a device × item × mode another purchase already holds. */
export type DuplicatePurchase = {
  purchaseId: string;
  organisationId: string;
  checkoutSessionId: string;
  deviceId: string;
  itemId: string;
  amount: number;
  /** The purchase whose active entitlement the device keeps. */
  ownerPurchaseId: string;
  stripeEventId: string | null;
};

type PurchaseRow = {
  id: string;
  amount: number;
  currency: string;
  status: string;
  checkoutSessionId: string;
  mode: CheckoutMode;
  paymentIntentId: string | null;
  hasDestination: number;
};

type Deps = {
  db: Database;
  checkout: CheckoutRepo;
  fulfill: Fulfill;
  stripe: StripeGateway;
  audit: AuditRepo;
  installs: InstallsRepo;
  logger: Logger;
};

const toRefund = (row: RefundRow): Refund => ({
  id: row.id,
  purchaseId: row.purchaseId,
  amount: { amount: row.amount, currency: row.currency },
  status: row.status,
  createdAt: row.createdAt,
  completedAt: row.completedAt,
  reason: row.reason,
});

/**
 * Refunds go through Stripe; what Stripe reports refunded (`charge.refunded`, cumulative) is what
 * ends purchases. A refund row is written before Stripe is called and counts once Stripe has
 * accepted it, so an event settles exactly the refunds it covers, whatever the order of things.
 */
export function createRefundsService({
  db,
  checkout,
  fulfill,
  stripe,
  audit,
  installs,
  logger,
}: Deps) {
  const s = {
    purchase: db.prepare(
      `SELECT p.id, p.amount, p.currency, p.status, p.checkout_session_id AS checkoutSessionId, p.mode,
              c.stripe_payment_intent_id AS paymentIntentId,
              (o.stripe_connected_account IS NOT NULL AND c.platform_fee > 0) AS hasDestination
       FROM purchases p JOIN checkout_sessions c ON c.id = p.checkout_session_id
       JOIN organisations o ON o.id = p.organisation_id
       WHERE p.organisation_id = ? AND p.id = ?`,
    ),
    refundOf: db.prepare(
      `SELECT r.id, r.purchase_id AS purchaseId, r.amount, p.currency, r.status, r.stripe_refund_id AS stripeRefundId,
              r.stripe_idempotency_key AS stripeIdempotencyKey,
              r.created_at AS createdAt, r.completed_at AS completedAt, r.reason
       FROM refunds r JOIN purchases p ON p.id = r.purchase_id WHERE r.purchase_id = ?`,
    ),
    insertAutomatic: db.prepare(
      `INSERT INTO refunds (id, organisation_id, purchase_id, amount, status, requested_by, created_at,
         stripe_idempotency_key, reason)
       VALUES (@id, @organisationId, @purchaseId, @amount, 'requested', NULL, @now, @key, @reason)`,
    ),
    itemName: db.prepare('SELECT name FROM marketplace_items WHERE id = ?').pluck(),
    // Automatic refunds Stripe has not taken yet: new, or refused or unanswered last time.
    unsentAutomatic: db.prepare(
      `SELECT p.organisation_id AS organisationId, p.id AS purchaseId FROM refunds r
       JOIN purchases p ON p.id = r.purchase_id
       WHERE p.checkout_session_id = ? AND r.reason IS NOT NULL AND r.stripe_refund_id IS NULL
         AND r.status != 'succeeded' AND p.amount > 0`,
    ),
    idempotencyKey: db.prepare('UPDATE refunds SET stripe_idempotency_key = ? WHERE id = ?'),
    insert: db.prepare(
      `INSERT INTO refunds (id, organisation_id, purchase_id, amount, status, requested_by, created_at)
       VALUES (?, ?, ?, ?, 'requested', ?, ?)`,
    ),
    accepted: db.prepare(
      "UPDATE refunds SET stripe_refund_id = ?, status = 'requested' WHERE id = ? AND status != 'succeeded'",
    ),
    failed: db.prepare(
      "UPDATE refunds SET status = 'failed' WHERE id = ? AND status = 'requested' AND stripe_refund_id IS NULL",
    ),
    complete: db.prepare("UPDATE refunds SET status = 'succeeded', completed_at = ? WHERE id = ?"),
    refundPurchase: db.prepare(
      "UPDATE purchases SET status = 'refunded', refunded_at = ? WHERE id = ? AND status = 'active'",
    ),
    revoke: db.prepare(
      `UPDATE entitlements SET status = 'revoked', revoked_at = ? WHERE purchase_id = ? AND status = 'active'
       RETURNING organisation_id AS organisationId, device_id AS deviceId, item_id AS itemId, mode`,
    ),
    // Another paid purchase of the same device, item and mode (two sessions paid at once) takes over.
    handOver: db.prepare(
      `INSERT INTO entitlements (id, organisation_id, device_id, item_id, mode, purchase_id, status, created_at)
       SELECT @id, p.organisation_id, p.device_id, p.item_id, p.mode, p.id, 'active', @now FROM purchases p
       WHERE p.organisation_id = @organisationId AND p.device_id = @deviceId AND p.item_id = @itemId
         AND p.mode = @mode AND p.status = 'active'
         AND NOT EXISTS (SELECT 1 FROM entitlements e WHERE e.purchase_id = p.id)
         AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.purchase_id = p.id)
       ORDER BY p.created_at LIMIT 1
       ON CONFLICT DO NOTHING`,
    ),
    reportRefunded: db.prepare(
      'UPDATE checkout_sessions SET amount_refunded = max(amount_refunded, ?) WHERE id = ?',
    ),
    sessionRefunds: db.prepare(
      `SELECT r.id, r.purchase_id AS purchaseId, r.amount, r.status, r.stripe_refund_id AS stripeRefundId
       FROM refunds r JOIN purchases p ON p.id = r.purchase_id
       WHERE p.checkout_session_id = ? ORDER BY r.created_at, r.id`,
    ),
    unrefundedPaid: db.prepare(
      `SELECT p.id, p.amount, p.organisation_id AS organisationId FROM purchases p
       WHERE p.checkout_session_id = ? AND p.status = 'active' AND p.amount > 0
         AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.purchase_id = p.id)`,
    ),
    amounts: db.prepare(
      'SELECT amount_refunded AS refunded, amount_total AS total FROM checkout_sessions WHERE id = ?',
    ),
  };

  /** Ends one purchase: the refund is done, the purchase refunded, its entitlement revoked. */
  function settle(refundId: string, purchaseId: string, now: string): boolean {
    s.complete.run(now, refundId);
    const revoked = s.revoke.all(now, purchaseId) as {
      organisationId: string;
      deviceId: string;
      itemId: string;
      mode: string;
    }[];
    for (const e of revoked) {
      s.handOver.run({ ...e, id: newId('ent'), now });
      installs.cancelUnentitled(e.deviceId, e.itemId, 'The purchase was refunded.', now);
    }
    const refunded = s.refundPurchase.run(now, purchaseId).changes > 0;
    if (refunded) recordPurchaseRefunded(db, purchaseId);
    return refunded;
  }

  /**
   * Settles, oldest first, the accepted refunds that Stripe's reported total covers. A full refund
   * made elsewhere (say, Stripe's dashboard) ends every paid purchase; free ones cost nothing and stay.
   */
  const settleCovered = (sessionId: string, eventId: string | null): number => {
    const { refunded, total } = s.amounts.get(sessionId) as { refunded: number; total: number };
    const now = new Date().toISOString();
    const rows = s.sessionRefunds.all(sessionId) as Pick<
      RefundRow,
      'id' | 'purchaseId' | 'amount' | 'status' | 'stripeRefundId'
    >[];
    const fullyRefunded = total > 0 && refunded >= total;
    let covered = rows
      .filter((r) => r.status === 'succeeded')
      .reduce((sum, r) => sum + r.amount, 0);
    let count = 0;
    for (const r of rows) {
      if (r.status === 'succeeded') continue;
      const acceptedByStripe = r.stripeRefundId !== null;
      if (fullyRefunded || (acceptedByStripe && covered + r.amount <= refunded)) {
        covered += r.amount;
        if (settle(r.id, r.purchaseId, now)) count += 1;
      }
    }
    if (fullyRefunded) {
      for (const p of s.unrefundedPaid.all(sessionId) as {
        id: string;
        amount: number;
        organisationId: string;
      }[]) {
        const refundId = newId('rfd');
        s.insert.run(refundId, p.organisationId, p.id, p.amount, null, now);
        if (settle(refundId, p.id, now)) count += 1;
      }
    }
    if (count > 0)
      checkout.recordAttempt(
        sessionId,
        'refunded',
        `${count} purchase(s) refunded; entitlements revoked.`,
        eventId,
      );
    return count;
  };

  async function sendToStripe(refund: RefundRow, purchase: PurchaseRow) {
    let created: Stripe.Refund;
    try {
      created = await stripe.client(purchase.mode).refunds.create(
        {
          payment_intent: purchase.paymentIntentId!,
          amount: refund.amount,
          metadata: {
            purchaseId: purchase.id,
            refundId: refund.id,
            checkoutSessionId: purchase.checkoutSessionId,
          },
          // The money went to the provider's account: take it back from there, fee included.
          ...(purchase.hasDestination
            ? { reverse_transfer: true, refund_application_fee: true }
            : {}),
        },
        { idempotencyKey: refund.stripeIdempotencyKey ?? `refund-${refund.id}` },
      );
    } catch (error) {
      logger.warn({ err: error, refundId: refund.id }, 'the refund request to Stripe failed');
      s.failed.run(refund.id);
      throw new AppError(
        502,
        'STRIPE_UNAVAILABLE',
        'The payment provider did not accept the refund. Try again.',
      );
    }
    // Stripe's event may have come before this answer: settle what it already reported.
    db.transaction(() => {
      s.accepted.run(created.id, refund.id);
      settleCovered(purchase.checkoutSessionId, null);
    }).immediate();
  }

  /**
   * `charge.refunded`, or the same charge retrieved from Stripe (no event id): records Stripe's
   * refunded total and settles what it covers.
   */
  function applyChargeRefunded(
    charge: Stripe.Charge,
    mode: CheckoutMode,
    eventId: string | null,
  ): string {
    const paymentIntentId = paymentIntentIdOf(charge.payment_intent);
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
    const decision = decideCheckout(checkout.state(session), {
      kind: 'charge_refunded',
      fully: charge.amount_refunded >= charge.amount,
    });
    // A refund proves the payment: if its confirmation has not come yet, fulfill first.
    if (decision.effects.some((e) => e.kind === 'fulfill')) {
      fulfill({
        checkoutSessionId: session.id,
        paymentStatus: 'paid',
        paymentIntentId,
        source: 'a refund of its payment',
        stripeEventId: eventId,
        // The charge is what was paid; anything less than the subtotal was a discount.
        discount: {
          amount: Math.max(0, session.amountSubtotal - charge.amount),
          promotionCodeId: null,
        },
      });
    }
    s.reportRefunded.run(charge.amount_refunded, session.id);
    const count = settleCovered(session.id, eventId);
    return count > 0 ? `refunded ${count}` : 'recorded: nothing more to settle yet';
  }

  /**
   * Sends the session's automatic refunds that Stripe has not taken yet. Never throws: a refusal
   * leaves the refund failed, with its key, for the next try to send again under the same key.
   */
  async function sendAutomaticRefunds(checkoutSessionId: string): Promise<void> {
    const pending = s.unsentAutomatic.all(checkoutSessionId) as {
      organisationId: string;
      purchaseId: string;
    }[];
    for (const { organisationId, purchaseId } of pending) {
      const purchase = s.purchase.get(organisationId, purchaseId) as PurchaseRow;
      const refund = s.refundOf.get(purchaseId) as RefundRow;
      try {
        await sendToStripe(refund, purchase);
      } catch (error) {
        logger.warn(
          { err: error, purchaseId, refundId: refund.id },
          'the automatic refund of a duplicate purchase failed; it is sent again later',
        );
      }
    }
  }

  return {
    /**
     * Inside fulfillment's transaction: the duplicate is recorded with its refund, its reason, an
     * attempt and an audit entry, all or nothing. A free one ends at once; a paid one goes to
     * Stripe after the commit (sendAutomaticRefunds), under a key derived from the purchase.
     */
    recordDuplicate(duplicate: DuplicatePurchase): { needsStripe: boolean } {
      const now = new Date().toISOString();
      const refundId = newId('rfd');
      const itemName = s.itemName.get(duplicate.itemId) as string;
      const reason = `Refunded automatically: ${duplicate.deviceId} already owned ${itemName} through purchase ${duplicate.ownerPurchaseId}.`;
      s.insertAutomatic.run({
        id: refundId,
        organisationId: duplicate.organisationId,
        purchaseId: duplicate.purchaseId,
        amount: duplicate.amount,
        now,
        key: `duplicate-refund-${duplicate.purchaseId}`,
        reason,
      });
      audit.record({
        organisationId: duplicate.organisationId,
        userId: null,
        action: 'purchase.refund',
        objectType: 'purchase',
        objectId: duplicate.purchaseId,
        details: {
          refundId,
          amount: duplicate.amount,
          automatic: true,
          ownerPurchaseId: duplicate.ownerPurchaseId,
        },
      });
      const free = duplicate.amount === 0;
      checkout.recordAttempt(
        duplicate.checkoutSessionId,
        'refunded',
        free
          ? `Purchase ${duplicate.purchaseId} ended: ${duplicate.deviceId} already owned ${itemName} through purchase ${duplicate.ownerPurchaseId} (nothing was paid).`
          : `Refund of ${duplicate.amount} requested for duplicate purchase ${duplicate.purchaseId}: ${duplicate.deviceId} already owned ${itemName} through purchase ${duplicate.ownerPurchaseId}.`,
        duplicate.stripeEventId,
      );
      if (free) settle(refundId, duplicate.purchaseId, now);
      return { needsStripe: !free };
    },

    sendAutomaticRefunds,

    /**
     * When a purchase is opened: an automatic refund Stripe has not taken is sent again, and a
     * refund Stripe took but whose `charge.refunded` never came is asked of Stripe and, once done
     * there, applied exactly as that event would be. Stripe unreachable leaves the stored state.
     */
    async reconcilePurchase(organisationId: string, purchaseId: string): Promise<void> {
      const purchase = s.purchase.get(organisationId, purchaseId) as PurchaseRow | undefined;
      const refund = s.refundOf.get(purchaseId) as RefundRow | undefined;
      if (!purchase || !refund || refund.status === 'succeeded') return;
      if (!refund.stripeRefundId) {
        if (refund.reason) await sendAutomaticRefunds(purchase.checkoutSessionId);
        return;
      }
      try {
        const client = stripe.client(purchase.mode);
        const stripeRefund = await client.refunds.retrieve(refund.stripeRefundId);
        if (stripeRefund.status !== 'succeeded' || !stripeRefund.charge) return;
        const chargeId =
          typeof stripeRefund.charge === 'string' ? stripeRefund.charge : stripeRefund.charge.id;
        const charge = await client.charges.retrieve(chargeId);
        db.transaction(() => applyChargeRefunded(charge, purchase.mode, null)).immediate();
      } catch (error) {
        logger.warn(
          { err: error, purchaseId, refundId: refund.id },
          'reconciling a refund with Stripe failed',
        );
      }
    },

    /**
     * `idempotencyKey` is the caller's key for this refund attempt. The first attempt's key is kept
     * and sent to Stripe on every resend, so that an answer lost on the way can never become a
     * second refund; later attempts find the same refund row and change nothing.
     */
    async requestRefund(
      actor: Actor,
      purchaseId: string,
      requestId: string,
      idempotencyKey?: string,
    ): Promise<Refund> {
      const purchase = s.purchase.get(actor.organisationId, purchaseId) as PurchaseRow | undefined;
      if (!purchase) throw notFound('Purchase');
      const now = new Date().toISOString();
      const free = purchase.amount === 0 || !purchase.paymentIntentId;

      let refund = s.refundOf.get(purchase.id) as RefundRow | undefined;
      if (!refund) {
        if (purchase.status !== 'active')
          throw new AppError(409, 'ALREADY_REFUNDED', 'This purchase was already refunded.');
        try {
          db.transaction(() => {
            const refundId = newId('rfd');
            s.insert.run(
              refundId,
              actor.organisationId,
              purchase.id,
              purchase.amount,
              actor.userId,
              now,
            );
            // Namespaced by the refund: a key chosen by one organisation never meets another's.
            if (idempotencyKey)
              s.idempotencyKey.run(`refund-${refundId}-${idempotencyKey}`, refundId);
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
          // The same refund asked for twice at once: the purchase's unique refund row decides.
          if (!s.refundOf.get(purchase.id)) throw error;
        }
        refund = s.refundOf.get(purchase.id) as RefundRow;
      }
      // New, or failed before Stripe took it: (re)send; the same Stripe idempotency key makes it safe.
      if (!free && refund.status !== 'succeeded' && !refund.stripeRefundId)
        await sendToStripe(refund, purchase);
      return toRefund(s.refundOf.get(purchase.id) as RefundRow);
    },

    applyChargeRefunded,
  };
}
export type RefundsService = ReturnType<typeof createRefundsService>;
