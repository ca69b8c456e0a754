import { allocateProportionally } from '@repo/domain';
import type { PaymentStatus } from '@repo/schemas';
import type { Database } from '../../db/database';
import { enqueue } from '../../db/outbox';
import type { NewRow } from '../../db/schema';
import { newId } from '../../ids';
import type { AuditRepo } from '../audit/audit.repo';
import type { EntitledItem, EntitlementsRepo } from '../entitlements/entitlements.repo';
import type { ProviderEvents } from '../provider-webhooks/provider-events';
import type { PurchasesRepo } from '../purchases/purchases.repo';
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
  record(duplicate: DuplicatePurchase): Promise<{ needsStripe: boolean }>;
};

/** The outbox topic whose handler sends a session's automatic refunds to Stripe. */
export const SEND_AUTOMATIC_REFUNDS = 'refunds.send-automatic';

type Deps = {
  database: Database;
  checkout: CheckoutRepo;
  purchases: Pick<PurchasesRepo, 'insertPurchases'>;
  entitlements: EntitlementsRepo;
  providerEvents: Pick<ProviderEvents, 'purchasesActivated'>;
  duplicates: DuplicateHandling;
  audit: Pick<AuditRepo, 'record'>;
  /** Newly entitled devices join the rollouts of their items (modules/rollouts). */
  rollouts: { entitlementsGranted(granted: EntitledItem[]): Promise<void> };
};

/**
 * The one fulfillment function, called by the webhook, the return page and a refund that arrives
 * first, possibly at the same moment and on different instances. One transaction: the session row
 * is locked first, so that callers take turns, and the guarded "mark fulfilled" update lets
 * exactly one through, which creates a purchase per device × item and an entitlement per
 * device × item × mode. A line whose device already holds that entitlement through another
 * purchase (two checkouts both paid at Stripe) is a duplicate: its purchase is recorded and
 * refunded, and the device keeps the first one. Joins the caller's transaction when there is one
 * (the webhook's, which records the event in it).
 */
export function createFulfillment({
  database,
  checkout,
  purchases,
  entitlements,
  providerEvents,
  duplicates,
  audit,
  rollouts,
}: Deps) {
  return (input: FulfillInput): Promise<FulfillmentResult> =>
    database.transaction(async () => {
      const session = await checkout.lock(input.checkoutSessionId);
      if (!session) return 'not_found';
      if (session.fulfilledAt) return 'already_fulfilled';
      if (input.paymentStatus !== 'paid' && input.paymentStatus !== 'no_payment_required')
        return 'not_paid';

      const now = new Date().toISOString();
      const claimed = await checkout.markFulfilled(
        session.id,
        input.paymentStatus,
        input.paymentIntentId,
        now,
      );
      if (!claimed) return 'already_fulfilled';

      const lines = await checkout.lines(session.id);
      // A session-level discount is shared out over the lines, so that what each purchase records
      // as paid (and so may refund) adds up to what Stripe charged.
      const discount = Math.min(Math.max(input.discount?.amount ?? 0, 0), session.amountSubtotal);
      if (discount > 0)
        await checkout.recordDiscount(
          session.id,
          discount,
          input.discount?.promotionCodeId ?? null,
        );
      const shares = allocateProportionally(
        lines.map((line) => line.unitAmount),
        discount,
      );
      const bought: NewRow<'purchases'>[] = lines.map((line, index) => ({
        id: newId('pur'),
        organisationId: session.organisationId,
        checkoutSessionId: session.id,
        deviceId: line.deviceId,
        itemId: line.itemId,
        mode: session.mode,
        amount: line.unitAmount - shares[index]!,
        amountDiscount: shares[index]!,
        currency: session.currency,
        status: 'active',
        createdAt: now,
        refundedAt: null,
      }));
      await purchases.insertPurchases(bought);
      // A device that already holds an active entitlement keeps it; the partial unique index decides.
      const entitlementOf = (purchase: NewRow<'purchases'>) => ({
        id: newId('ent'),
        organisationId: session.organisationId,
        deviceId: purchase.deviceId,
        itemId: purchase.itemId,
        mode: session.mode,
        purchaseId: purchase.id,
        createdAt: now,
      });
      const granted = await entitlements.grantAll(bought.map(entitlementOf));

      const eventId = input.stripeEventId ?? null;
      const found: DuplicatePurchase[] = [];
      for (const purchase of bought) {
        if (granted.has(purchase.id)) continue;
        const owner = () =>
          entitlements.ownerPurchaseId(purchase.deviceId, purchase.itemId, session.mode);
        let ownerPurchaseId = await owner();
        if (!ownerPurchaseId) {
          // The entitlement that stood in the way was revoked since (its purchase refunded and
          // committed in between, on PostgreSQL): the device is free, this purchase takes it.
          if (await entitlements.grant(entitlementOf(purchase))) {
            granted.add(purchase.id);
            continue;
          }
          ownerPurchaseId = await owner();
        }
        found.push({
          purchaseId: purchase.id,
          organisationId: session.organisationId,
          checkoutSessionId: session.id,
          deviceId: purchase.deviceId,
          itemId: purchase.itemId,
          amount: purchase.amount,
          ownerPurchaseId: ownerPurchaseId!,
          stripeEventId: eventId,
        });
      }

      if (input.paymentStatus === 'paid')
        await checkout.recordAttempt(
          session.id,
          'paid',
          `Payment confirmed by ${input.source}.`,
          eventId,
        );
      await checkout.recordAttempt(
        session.id,
        'fulfilled',
        found.length === 0
          ? `${lines.length} purchase(s) and entitlement(s) recorded.`
          : `${lines.length} purchase(s) and ${lines.length - found.length} entitlement(s) recorded; ${found.length} duplicate(s) to refund.`,
        eventId,
      );
      // The marketplace did this, on Stripe's word: whoever started the checkout has its own entry.
      await audit.record({
        organisationId: session.organisationId,
        userId: null,
        action: 'checkout.fulfill',
        objectType: 'checkout_session',
        objectId: session.id,
        details: {
          source: input.source,
          paymentStatus: input.paymentStatus,
          purchases: lines.length,
          duplicates: found.length,
          stripeEventId: eventId,
        },
      });
      // A duplicate never grants anything: the provider hears of it only as refunded.
      await providerEvents.purchasesActivated(session.id, new Set(found.map((d) => d.purchaseId)));
      await rollouts.entitlementsGranted(
        bought.filter((p) => granted.has(p.id)).map((p) => entitlementOf(p)),
      );
      let refundsToSend = false;
      for (const duplicate of found) {
        if ((await duplicates.record(duplicate)).needsStripe) refundsToSend = true;
      }
      // Stripe is never called inside a transaction: the outbox message exists if and only if
      // this commits, and a worker on any instance sends the refunds afterwards.
      if (refundsToSend) {
        await enqueue(database, {
          topic: SEND_AUTOMATIC_REFUNDS,
          payload: { checkoutSessionId: session.id },
          dedupeKey: `${SEND_AUTOMATIC_REFUNDS}:${session.id}`,
        });
      }
      return 'fulfilled';
    });
}
export type Fulfill = ReturnType<typeof createFulfillment>;
