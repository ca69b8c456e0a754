import { allocateProportionally } from '@repo/domain';
import { newId } from '../../ids';
import type { PaymentStatus } from '@repo/schemas';
import type { Database } from '../../db/database';
import { recordPurchasesActivated } from '../provider-webhooks/provider-events';
import type { DuplicatePurchase } from '../purchases/refunds.service';
import type { CheckoutRepo } from './checkout.repo';

export type FulfillmentResult = 'fulfilled' | 'already_fulfilled' | 'not_paid' | 'not_found';

export type FulfillInput = {
  checkoutSessionId: string;
  paymentStatus: PaymentStatus;
  paymentIntentId: string | null;
  /** What confirmed the payment: a webhook event, the return page, or a basket with nothing to pay. */
  source: string;
  stripeEventId?: string | null;
  /** What a promotion code took off the session at Stripe; shared out over the purchases. */
  discount?: { amount: number; promotionCodeId: string | null } | null;
};

/** What becomes of a purchase paid for something its device already owns (the refunds service). */
export type DuplicateHandling = {
  /** In fulfillment's transaction: record the duplicate's refund; true when Stripe must be called. */
  record(duplicate: DuplicatePurchase): { needsStripe: boolean };
  /** After that transaction has committed: send the session's refunds to Stripe. */
  send(checkoutSessionId: string): Promise<void>;
};

/**
 * The one fulfillment function, called by the webhook and the return page, possibly at once.
 * One IMMEDIATE transaction: the guarded UPDATE lets exactly one caller through, which creates a
 * purchase per device × item and an entitlement per device × item × mode. A line whose device
 * already holds that entitlement through another purchase (two checkouts both paid at Stripe) is
 * a duplicate: its purchase is recorded and refunded, and the device keeps the first one.
 */
export function createFulfillment(
  db: Database,
  checkout: CheckoutRepo,
  duplicates: DuplicateHandling,
) {
  const markFulfilled = db.prepare(
    `UPDATE checkout_sessions
     SET status = 'complete', payment_status = @paymentStatus, fulfilled_at = @now,
         stripe_payment_intent_id = coalesce(@paymentIntentId, stripe_payment_intent_id)
     WHERE id = @id AND fulfilled_at IS NULL`,
  );
  const insertPurchase = db.prepare(
    `INSERT INTO purchases (id, organisation_id, checkout_session_id, device_id, item_id, mode, amount, currency,
       status, created_at, amount_discount)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
  );
  const recordDiscount = db.prepare(
    `UPDATE checkout_sessions SET amount_discount = @discount, amount_total = amount_subtotal - @discount,
       stripe_promotion_code_id = @promotionCodeId
     WHERE id = @id`,
  );
  // A device that already holds an active entitlement keeps it; the partial unique index decides.
  const insertEntitlement = db.prepare(
    `INSERT INTO entitlements (id, organisation_id, device_id, item_id, mode, purchase_id, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'active', ?)
     ON CONFLICT DO NOTHING`,
  );
  const entitledPurchase = db
    .prepare(
      `SELECT purchase_id FROM entitlements
       WHERE device_id = ? AND item_id = ? AND mode = ? AND status = 'active'`,
    )
    .pluck();

  const fulfill = db.transaction((input: FulfillInput): FulfillmentResult => {
    const session = checkout.find(input.checkoutSessionId);
    if (!session) return 'not_found';
    if (session.fulfilledAt) return 'already_fulfilled';
    if (input.paymentStatus !== 'paid' && input.paymentStatus !== 'no_payment_required')
      return 'not_paid';

    const now = new Date().toISOString();
    const claimed = markFulfilled.run({
      id: session.id,
      paymentStatus: input.paymentStatus,
      paymentIntentId: input.paymentIntentId,
      now,
    });
    if (claimed.changes === 0) return 'already_fulfilled';

    const lines = checkout.lines(session.id);
    const found: DuplicatePurchase[] = [];
    // A session-level discount is shared out over the lines, so that what each purchase records
    // as paid (and so may refund) adds up to what Stripe charged.
    const discount = Math.min(Math.max(input.discount?.amount ?? 0, 0), session.amountSubtotal);
    if (discount > 0)
      recordDiscount.run({
        id: session.id,
        discount,
        promotionCodeId: input.discount?.promotionCodeId ?? null,
      });
    const shares = allocateProportionally(
      lines.map((line) => line.unitAmount),
      discount,
    );
    for (const [index, line] of lines.entries()) {
      const share = shares[index]!;
      const purchaseId = newId('pur');
      insertPurchase.run(
        purchaseId,
        session.organisationId,
        session.id,
        line.deviceId,
        line.itemId,
        session.mode,
        line.unitAmount - share,
        session.currency,
        now,
        share,
      );
      const granted = insertEntitlement.run(
        newId('ent'),
        session.organisationId,
        line.deviceId,
        line.itemId,
        session.mode,
        purchaseId,
        now,
      );
      if (granted.changes === 0) {
        found.push({
          purchaseId,
          organisationId: session.organisationId,
          checkoutSessionId: session.id,
          deviceId: line.deviceId,
          itemId: line.itemId,
          amount: line.unitAmount - share,
          ownerPurchaseId: entitledPurchase.get(line.deviceId, line.itemId, session.mode) as string,
          stripeEventId: input.stripeEventId ?? null,
        });
      }
    }
    const eventId = input.stripeEventId ?? null;
    if (input.paymentStatus === 'paid')
      checkout.recordAttempt(session.id, 'paid', `Payment confirmed by ${input.source}.`, eventId);
    checkout.recordAttempt(
      session.id,
      'fulfilled',
      found.length === 0
        ? `${lines.length} purchase(s) and entitlement(s) recorded.`
        : `${lines.length} purchase(s) and ${lines.length - found.length} entitlement(s) recorded; ${found.length} duplicate(s) to refund.`,
      eventId,
    );
    // A duplicate never grants anything: the provider hears of it only as refunded.
    recordPurchasesActivated(db, session.id, new Set(found.map((d) => d.purchaseId)));
    const refundsToSend = found
      .map((duplicate) => duplicates.record(duplicate).needsStripe)
      .some(Boolean);
    // Fulfillment is synchronous and often runs inside a webhook's transaction: the callback runs
    // once that has committed, and sends only the refunds the committed state holds.
    if (refundsToSend) setImmediate(() => void duplicates.send(session.id));
    return 'fulfilled';
  });

  return (input: FulfillInput): FulfillmentResult => fulfill.immediate(input);
}
export type Fulfill = ReturnType<typeof createFulfillment>;
