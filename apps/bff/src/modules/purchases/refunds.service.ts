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
import type { EntitledItem, EntitlementsRepo } from '../entitlements/entitlements.repo';
import type { InstallsRepo } from '../installs/installs.repo';
import type { ProviderEvents } from '../provider-webhooks/provider-events';
import type { PurchasesRepo } from './purchases.repo';
import { createRefundsRepo, type RefundablePurchase, type RefundRow } from './refunds.repo';

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

type Deps = {
  database: Database;
  checkout: CheckoutRepo;
  purchases: Pick<PurchasesRepo, 'markRefunded'>;
  entitlements: EntitlementsRepo;
  providerEvents: Pick<ProviderEvents, 'purchaseRefunded'>;
  fulfill: Fulfill;
  stripe: StripeGateway;
  audit: AuditRepo;
  installs: Pick<InstallsRepo, 'cancelUnentitled'>;
  /** Devices that lose an entitlement leave the rollouts of it (modules/rollouts). */
  rollouts: { entitlementEnded(entitled: EntitledItem, reason: string): Promise<void> };
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
  database,
  checkout,
  purchases,
  entitlements,
  providerEvents,
  fulfill,
  stripe,
  audit,
  installs,
  rollouts,
  logger,
}: Deps) {
  const refunds = createRefundsRepo(database);

  /**
   * Revokes the purchase's entitlement: its queued installs are cancelled and its device leaves
   * the rollouts of the item, unless another paid purchase of the same device, item and mode (two
   * sessions paid at once) takes over. Answers how many entitlements ended.
   */
  async function revokeEntitlements(purchaseId: string, reason: string, now: string) {
    const revoked = await entitlements.revokeForPurchase(purchaseId, now);
    for (const entitlement of revoked) {
      const successor = await entitlements.handOver(entitlement, now);
      await installs.cancelUnentitled(entitlement.deviceId, entitlement.itemId, reason, now);
      if (!successor) await rollouts.entitlementEnded(entitlement, reason);
    }
    return revoked.length;
  }

  /** Ends one purchase: the refund is done, the purchase refunded, its entitlement revoked. */
  async function settle(refundId: string, purchaseId: string, now: string): Promise<boolean> {
    await refunds.markSucceeded(refundId, now);
    await revokeEntitlements(purchaseId, 'The purchase was refunded.', now);
    const refunded = await purchases.markRefunded(purchaseId, now);
    if (refunded) await providerEvents.purchaseRefunded(purchaseId);
    return refunded;
  }

  /**
   * Settles, oldest first, the accepted refunds that Stripe's reported total covers. A full refund
   * made elsewhere (say, Stripe's dashboard) ends every paid purchase; free ones cost nothing and
   * stay. The caller holds the session's lock, so that two reports of one charge take turns.
   */
  async function settleCovered(sessionId: string, eventId: string | null): Promise<number> {
    const { amountRefunded: refunded, amountTotal: total } = (await checkout.find(sessionId))!;
    const now = new Date().toISOString();
    const rows = await refunds.ofSession(sessionId);
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
        if (await settle(r.id, r.purchaseId, now)) count += 1;
      }
    }
    if (fullyRefunded) {
      for (const p of await refunds.unrefundedPaid(sessionId)) {
        const refundId = newId('rfd');
        await refunds.insert({
          id: refundId,
          organisationId: p.organisationId,
          purchaseId: p.id,
          amount: p.amount,
          status: 'requested',
          requestedBy: null,
          createdAt: now,
        });
        // Made at Stripe (its dashboard, say), not asked for here: the marketplace records it.
        await audit.record({
          organisationId: p.organisationId,
          userId: null,
          action: 'purchase.refund',
          objectType: 'purchase',
          objectId: p.id,
          details: { refundId, amount: p.amount, madeAtStripe: true, stripeEventId: eventId },
        });
        if (await settle(refundId, p.id, now)) count += 1;
      }
    }
    if (count > 0)
      await checkout.recordAttempt(
        sessionId,
        'refunded',
        `${count} purchase(s) refunded; entitlements revoked.`,
        eventId,
      );
    return count;
  }

  /**
   * Asks Stripe for the refund (never inside a transaction), then records what it answered.
   * Answers the refund as that record left it: Stripe's event may settle it a moment later.
   */
  async function sendToStripe(refund: RefundRow, purchase: RefundablePurchase): Promise<RefundRow> {
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
      await refunds.markFailed(refund.id);
      throw new AppError(
        502,
        'STRIPE_UNAVAILABLE',
        'The payment provider did not accept the refund. Try again.',
      );
    }
    // Stripe's event may have come before this answer: settle what it already reported.
    return database.transaction(async () => {
      await checkout.lock(purchase.checkoutSessionId);
      await refunds.markAccepted(refund.id, created.id);
      await settleCovered(purchase.checkoutSessionId, null);
      return (await refunds.refundOf(refund.purchaseId))!;
    });
  }

  /**
   * `charge.refunded`, or the same charge retrieved from Stripe (no event id): records Stripe's
   * refunded total and settles what it covers. Database only, in the caller's transaction (the
   * webhook's) or one of its own, with the session locked first.
   */
  const applyChargeRefunded = (
    charge: Stripe.Charge,
    mode: CheckoutMode,
    eventId: string | null,
  ): Promise<string> =>
    database.transaction(async () => {
      const paymentIntentId = paymentIntentIdOf(charge.payment_intent);
      const ours =
        charge.metadata?.checkoutSessionId ??
        (paymentIntentId ? await checkout.idByPaymentIntent(paymentIntentId) : undefined);
      const session = ours ? await checkout.lock(ours) : undefined;
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
        await fulfill({
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
      await checkout.recordRefundedAmount(session.id, charge.amount_refunded);
      const count = await settleCovered(session.id, eventId);
      return count > 0 ? `refunded ${count}` : 'recorded: nothing more to settle yet';
    });

  /**
   * Sends the session's automatic refunds that Stripe has not taken yet. Never throws: a refusal
   * leaves the refund failed, with its key, for the next try to send again under the same key.
   */
  async function sendAutomaticRefunds(checkoutSessionId: string): Promise<void> {
    for (const { organisationId, purchaseId } of await refunds.unsentAutomatic(checkoutSessionId)) {
      const purchase = (await refunds.purchase(organisationId, purchaseId))!;
      const refund = (await refunds.refundOf(purchaseId))!;
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

  /**
   * `charge.dispute.created`: the customer disputed the charge with their bank, so what it paid
   * for is no longer granted, as after a refund: every purchase of the session loses its
   * entitlement, its queued installs and its place in rollouts. The purchases stay active (the
   * money is held by the dispute, not returned); each gets an audit entry. Database only, in the
   * webhook's transaction, with the session locked.
   */
  const applyDisputeCreated = (
    dispute: Stripe.Dispute,
    mode: CheckoutMode,
    eventId: string,
  ): Promise<string> =>
    database.transaction(async () => {
      const paymentIntentId =
        paymentIntentIdOf(dispute.payment_intent) ??
        (typeof dispute.charge === 'object'
          ? paymentIntentIdOf(dispute.charge.payment_intent)
          : null);
      const ours = paymentIntentId ? await checkout.idByPaymentIntent(paymentIntentId) : undefined;
      const session = ours ? await checkout.lock(ours) : undefined;
      if (!session) return 'ignored: unknown payment';
      if (session.mode !== mode) return 'ignored: mode does not match';
      const now = new Date().toISOString();
      let revoked = 0;
      for (const purchase of await refunds.activeOfSession(session.id)) {
        revoked += await revokeEntitlements(purchase.id, 'The payment was disputed.', now);
        await audit.record({
          organisationId: purchase.organisationId,
          userId: null,
          action: 'purchase.dispute',
          objectType: 'purchase',
          objectId: purchase.id,
          details: {
            disputeId: dispute.id,
            reason: dispute.reason ?? null,
            stripeEventId: eventId,
          },
        });
      }
      return `disputed: ${revoked} entitlement(s) revoked`;
    });

  return {
    /**
     * Inside fulfillment's transaction: the duplicate is recorded with its refund, its reason, an
     * attempt and an audit entry, all or nothing. A free one ends at once; a paid one goes to
     * Stripe after the commit (sendAutomaticRefunds, from the outbox), under a key derived from
     * the purchase.
     */
    async recordDuplicate(duplicate: DuplicatePurchase): Promise<{ needsStripe: boolean }> {
      const now = new Date().toISOString();
      const refundId = newId('rfd');
      const itemName = await refunds.itemName(duplicate.itemId);
      const reason = `Refunded automatically: ${duplicate.deviceId} already owned ${itemName} through purchase ${duplicate.ownerPurchaseId}.`;
      await refunds.insert({
        id: refundId,
        organisationId: duplicate.organisationId,
        purchaseId: duplicate.purchaseId,
        amount: duplicate.amount,
        status: 'requested',
        requestedBy: null,
        createdAt: now,
        stripeIdempotencyKey: `duplicate-refund-${duplicate.purchaseId}`,
        reason,
      });
      await audit.record({
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
      await checkout.recordAttempt(
        duplicate.checkoutSessionId,
        'refunded',
        free
          ? `Purchase ${duplicate.purchaseId} ended: ${duplicate.deviceId} already owned ${itemName} through purchase ${duplicate.ownerPurchaseId} (nothing was paid).`
          : `Refund of ${duplicate.amount} requested for duplicate purchase ${duplicate.purchaseId}: ${duplicate.deviceId} already owned ${itemName} through purchase ${duplicate.ownerPurchaseId}.`,
        duplicate.stripeEventId,
      );
      if (free) await settle(refundId, duplicate.purchaseId, now);
      return { needsStripe: !free };
    },

    sendAutomaticRefunds,

    /**
     * When a purchase is opened: an automatic refund Stripe has not taken is sent again, and a
     * refund Stripe took but whose `charge.refunded` never came is asked of Stripe and, once done
     * there, applied exactly as that event would be. Stripe unreachable leaves the stored state.
     */
    async reconcilePurchase(organisationId: string, purchaseId: string): Promise<void> {
      const purchase = await refunds.purchase(organisationId, purchaseId);
      const refund = await refunds.refundOf(purchaseId);
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
        await applyChargeRefunded(charge, purchase.mode, null);
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
      const purchase = await refunds.purchase(actor.organisationId, purchaseId);
      if (!purchase) throw notFound('Purchase');
      const now = new Date().toISOString();
      const free = purchase.amount === 0 || !purchase.paymentIntentId;

      let refund = await refunds.refundOf(purchase.id);
      if (!refund) {
        if (purchase.status !== 'active')
          throw new AppError(409, 'ALREADY_REFUNDED', 'This purchase was already refunded.');
        try {
          await database.transaction(async () => {
            // The session's refunds change one transaction at a time, whichever instance asks.
            await checkout.lock(purchase.checkoutSessionId);
            const refundId = newId('rfd');
            await refunds.insert({
              id: refundId,
              organisationId: actor.organisationId,
              purchaseId: purchase.id,
              amount: purchase.amount,
              status: 'requested',
              requestedBy: actor.userId,
              createdAt: now,
              // Namespaced by the refund: a key chosen by one organisation never meets another's.
              stripeIdempotencyKey: idempotencyKey ? `refund-${refundId}-${idempotencyKey}` : null,
            });
            await audit.record({
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
              await settle(refundId, purchase.id, now);
              await checkout.recordAttempt(
                purchase.checkoutSessionId,
                'refunded',
                `Purchase ${purchase.id} refunded (nothing was paid).`,
              );
            }
          });
        } catch (error) {
          // The same refund asked for twice at once: the purchase's unique refund row decides.
          if (!(await refunds.refundOf(purchase.id))) throw error;
        }
        refund = (await refunds.refundOf(purchase.id))!;
      }
      // New, or failed before Stripe took it: (re)send; the same Stripe idempotency key makes it safe.
      if (!free && refund.status !== 'succeeded' && !refund.stripeRefundId)
        return toRefund(await sendToStripe(refund, purchase));
      return toRefund((await refunds.refundOf(purchase.id))!);
    },

    applyChargeRefunded,

    applyDisputeCreated,
  };
}
export type RefundsService = ReturnType<typeof createRefundsService>;
