import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { checkoutPhase, decideCheckout, isCheckoutSettled } from '@repo/domain';
import type { Logger } from 'pino';
import type { CheckoutSession, CreateCheckoutSessionRequest } from '@repo/schemas';
import type { CheckoutMode } from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Actor } from '../../http/auth';
import { AppError, notFound } from '../../http/errors';
import { newId } from '../../ids';
import type { ConnectedAccounts } from '../../stripe/connected-accounts';
import type { StripeGateway } from '../../stripe/stripe-gateway';
import type { AuditRepo } from '../audit/audit.repo';
import type {
  BasketConflict,
  BasketValidation,
  ValidateBasket,
} from '../devices/device-validation';
import type { CheckoutRepo, CheckoutSessionRow } from './checkout.repo';
import type { CheckoutSync } from './checkout-sync';
import type { Fulfill } from './fulfillment';

/** How long the hosted payment page stays open. Stripe accepts 30 minutes to 24 hours. */
const SESSION_LIFETIME_MS = 60 * 60 * 1000;

type Deps = {
  database: Database;
  checkout: CheckoutRepo;
  sync: CheckoutSync;
  fulfill: Fulfill;
  validateBasket: ValidateBasket;
  stripe: StripeGateway;
  audit: AuditRepo;
  publicUrl: string;
  logger: Logger;
  connectedAccount: ConnectedAccounts;
  /** Sends a fulfilled session's automatic refunds that Stripe has not taken yet (a retry). */
  sendAutomaticRefunds: (checkoutSessionId: string) => Promise<void>;
};

/**
 * Who starts a checkout. The dashboard passes the signed-in admin; a provider's server (API key)
 * and a payment link pass the admin who made the key or link, and say which one they are.
 */
export type Purchaser = {
  organisationId: string;
  userId: string;
  apiKeyId?: string | null;
  paymentLinkId?: string | null;
};

/** Where Stripe sends the customer back: the provider's own site, or the dashboard's pages. */
export type ReturnUrls = { success: string; cancel: string };

function requestHash(body: CreateCheckoutSessionRequest, returnUrls?: ReturnUrls): string {
  const parts: unknown[] = [body.instanceId, body.itemIds, body.deviceIds, body.mode];
  // Only when set, so that keys issued before these options existed keep their hash.
  if (body.allowPromotionCodes) parts.push({ allowPromotionCodes: true });
  if (returnUrls) parts.push(returnUrls);
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Idempotency keys are unique per organisation; each API key and payment link gets its own
 * namespace, so that a provider's "order-1" never meets the dashboard's or another key's.
 */
function scopedIdempotencyKey(purchaser: Purchaser, key: string): string {
  if (purchaser.apiKeyId) return `api:${purchaser.apiKeyId}:${key}`;
  if (purchaser.paymentLinkId) return `link:${purchaser.paymentLinkId}:${key}`;
  return key;
}

/** Why a basket cannot be bought, one detail per item or device at fault. */
export function basketInvalid(validation: BasketValidation): AppError {
  return new AppError(
    422,
    'BASKET_INVALID',
    'Some products or devices cannot be bought together.',
    [
      ...validation.items
        .map((r, i) => ({ ...r, i }))
        .filter((r) => r.status !== 'ok')
        .map((r) => ({ path: `itemIds.${r.i}`, message: `${r.itemId}: ${r.message}` })),
      ...validation.results
        .map((r, i) => ({ ...r, i }))
        .filter((r) => r.status !== 'ok')
        .map((r) => ({ path: `deviceIds.${r.i}`, message: `${r.input}: ${r.message}` })),
    ],
  );
}

/**
 * Why a basket would make a device pay twice, one detail per device × item at fault, naming the
 * purchase that already entitles it or the open checkout to continue or cancel.
 */
export function basketConflict(deviceIds: string[], conflicts: BasketConflict[]): AppError {
  return new AppError(
    409,
    'ALREADY_OWNED_OR_IN_CHECKOUT',
    'Some devices already own these products or are being paid for in another open checkout. Nothing was created.',
    conflicts.map((c) => ({
      path: `deviceIds.${deviceIds.indexOf(c.deviceId)}`,
      deviceId: c.deviceId,
      itemId: c.itemId,
      ...(c.reason === 'entitled'
        ? {
            purchaseId: c.purchaseId,
            message: `${c.deviceId}: already owns ${c.itemName} (purchase ${c.purchaseId}).`,
          }
        : {
            checkoutSessionId: c.checkoutSessionId,
            message: `${c.deviceId}: ${c.itemName} is in open checkout ${c.checkoutSessionId} until ${c.expiresAt}; continue or cancel it.`,
          }),
    })),
  );
}

/** Only these problems are about what is already bought or being paid; the rest is a bad basket. */
const CONFLICT_STATUSES = new Set(['ok', 'already_entitled', 'in_checkout']);

function refusal(deviceIds: string[], validation: BasketValidation): AppError {
  const onlyConflicts =
    validation.conflicts.length > 0 &&
    validation.items.every((i) => i.status === 'ok') &&
    validation.results.every((r) => CONFLICT_STATUSES.has(r.status));
  return onlyConflicts
    ? basketConflict(deviceIds, validation.conflicts)
    : basketInvalid(validation);
}

/** Stripe's own wording stays in our logs: it can name keys and accounts. */
function stripeFailure(): AppError {
  return new AppError(
    502,
    'STRIPE_UNAVAILABLE',
    'The payment provider did not answer as expected. Nothing was charged; try again.',
  );
}

export function createCheckoutService(deps: Deps) {
  const {
    database,
    checkout,
    sync,
    fulfill,
    validateBasket,
    stripe,
    audit,
    publicUrl,
    logger,
    sendAutomaticRefunds,
    connectedAccount,
  } = deps;
  const fulfillFree = (checkoutSessionId: string) =>
    fulfill({
      checkoutSessionId,
      paymentStatus: 'no_payment_required',
      paymentIntentId: null,
      source: 'a basket with nothing to pay',
    });

  /** Creates Stripe's session for ours. Keyed on our id, so a retry can never make a second one. */
  async function openStripeSession(row: CheckoutSessionRow): Promise<CheckoutSessionRow> {
    const client = stripe.client(row.mode);
    const destination = await connectedAccount(row.organisationId, row.mode);
    const metadata = { checkoutSessionId: row.id, organisationId: row.organisationId };
    const items = await checkout.lineItems(row.id);
    let session: Stripe.Checkout.Session;
    try {
      session = await client.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: items.map((item) => ({
            quantity: item.quantity,
            price_data: {
              currency: row.currency,
              unit_amount: item.unitAmount,
              product_data: { name: item.name, description: `For ${item.quantity} device(s)` },
            },
          })),
          success_url: row.successUrl,
          cancel_url: row.cancelUrl,
          ...(row.allowPromotionCodes ? { allow_promotion_codes: true } : {}),
          client_reference_id: row.id,
          metadata,
          expires_at: Math.floor(new Date(row.expiresAt).getTime() / 1000),
          payment_intent_data: {
            metadata,
            ...(destination && row.platformFee > 0
              ? { application_fee_amount: row.platformFee, transfer_data: { destination } }
              : {}),
          },
        },
        { idempotencyKey: `checkout-session-${row.id}` },
      );
    } catch (error) {
      logger.warn(
        { err: error, checkoutSessionId: row.id },
        'creating the Stripe checkout session failed',
      );
      throw stripeFailure();
    }
    if (!session.url) throw stripeFailure();
    await checkout.attachStripe(
      row.id,
      session.id,
      session.url,
      new Date(session.expires_at * 1000).toISOString(),
    );
    return (await checkout.find(row.id))!;
  }

  /**
   * A session made by an earlier request with the same key: a free one is fulfilled, one whose
   * Stripe page was never made (that request stopped, or is still waiting for Stripe) gets it,
   * under the same Stripe key, so that both requests answer the same page.
   */
  async function resume(existing: CheckoutSessionRow): Promise<CheckoutSession> {
    if (existing.amountTotal === 0 && !existing.fulfilledAt && existing.status === 'open') {
      await fulfillFree(existing.id);
      return checkout.view((await checkout.find(existing.id))!);
    }
    const needsStripe =
      !existing.stripeSessionId && !existing.fulfilledAt && existing.status === 'open';
    return checkout.view(needsStripe ? await openStripeSession(existing) : existing);
  }

  /** While a session waits on payment, asks Stripe where it stands; the redirect proves nothing. */
  async function reconcile(row: CheckoutSessionRow): Promise<CheckoutSessionRow> {
    const waiting = row.stripeSessionId && !isCheckoutSettled(checkoutPhase(checkout.state(row)));
    if (!waiting) return row;
    try {
      const session = await stripe
        .client(row.mode)
        .checkout.sessions.retrieve(row.stripeSessionId!);
      await sync.applySession(session, row.mode, 'the return page', null);
    } catch (error) {
      // The stored state is still right, only possibly behind; the page polls again.
      logger.warn({ err: error, checkoutSessionId: row.id }, 'reconciling with Stripe failed');
    }
    return (await checkout.find(row.id))!;
  }

  return {
    /**
     * The one way to start a checkout, for the dashboard, the storefront API and payment links:
     * prices from the database, the basket validated, one session per Idempotency-Key.
     */
    async create(
      purchaser: Purchaser,
      body: CreateCheckoutSessionRequest,
      requestedKey: string,
      requestId: string,
      returnUrls?: ReturnUrls,
    ) {
      const idempotencyKey = scopedIdempotencyKey(purchaser, requestedKey);
      const hash = requestHash(body, returnUrls);
      /** The session an earlier request made with this key, as that request would answer it. */
      const replay = async (): Promise<CheckoutSession | undefined> => {
        const existing = await checkout.findByIdempotencyKey(
          purchaser.organisationId,
          idempotencyKey,
        );
        if (!existing) return undefined;
        if (existing.requestHash !== hash) {
          throw new AppError(
            409,
            'IDEMPOTENCY_KEY_REUSED',
            'This Idempotency-Key was used for a different basket. Use a new key for a new checkout.',
          );
        }
        return resume(existing);
      };
      const replayed = await replay();
      if (replayed) return replayed;

      // Refuses a mode without a key before anything is written.
      stripe.client(body.mode);
      const basket = { organisationId: purchaser.organisationId, ...body };
      const validation = await validateBasket(basket);
      if (!validation.valid || !validation.quote) {
        // The same key at the same moment (a double click): the other request's session, written
        // since we looked, now holds the basket's devices; it is the answer to this one too.
        const raced = await replay();
        if (raced) return raced;
        throw refusal(body.deviceIds, validation);
      }
      const quote = validation.quote;
      const id = newId('chk');
      const now = new Date();
      const row = {
        id,
        organisationId: purchaser.organisationId,
        instanceId: body.instanceId,
        mode: body.mode,
        status: 'open' as const,
        paymentStatus: 'unpaid' as const,
        currency: quote.currency,
        amountSubtotal: quote.subtotal,
        platformFee: quote.platformFee,
        amountTotal: quote.total,
        successUrl:
          returnUrls?.success ??
          `${publicUrl}/checkout/${id}?stripe_session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: returnUrls?.cancel ?? `${publicUrl}/checkout/${id}/cancelled`,
        expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS).toISOString(),
        idempotencyKey,
        requestHash: hash,
        createdBy: purchaser.userId,
        createdAt: now.toISOString(),
        apiKeyId: purchaser.apiKeyId ?? null,
        paymentLinkId: purchaser.paymentLinkId ?? null,
        allowPromotionCodes: body.allowPromotionCodes ?? false,
        lines: validation.basketItems.flatMap((item) =>
          body.deviceIds.map((deviceId) => ({
            itemId: item.id,
            deviceId,
            unitAmount: item.priceAmount,
          })),
        ),
      };
      try {
        await database.transaction(async () => {
          await checkout.insert(row);
          await checkout.recordAttempt(
            id,
            'created',
            `${body.mode} mode, ${row.lines.length} line(s), total ${quote.total} ${quote.currency}.`,
          );
          const via = purchaser.apiKeyId
            ? { apiKeyId: purchaser.apiKeyId }
            : purchaser.paymentLinkId
              ? { paymentLinkId: purchaser.paymentLinkId }
              : {};
          await audit.record({
            organisationId: purchaser.organisationId,
            // A key or a link acts for the organisation, not as the admin who made it.
            userId: purchaser.apiKeyId || purchaser.paymentLinkId ? null : purchaser.userId,
            action: 'checkout.create',
            objectType: 'checkout_session',
            objectId: id,
            details: {
              mode: body.mode,
              itemIds: body.itemIds,
              devices: body.deviceIds.length,
              total: quote.total,
              ...via,
            },
            requestId,
          });
        });
      } catch (error) {
        // The same key at the same moment (a double click): the other request owns the session.
        const raced = await replay();
        if (raced) return raced;
        // Another checkout took a device × item between our check and our write: its hold won.
        const recheck = await validateBasket(basket);
        if (recheck.conflicts.length > 0) throw basketConflict(body.deviceIds, recheck.conflicts);
        throw error;
      }

      if (quote.total === 0) {
        await fulfillFree(id);
        return checkout.view((await checkout.find(id))!);
      }
      return checkout.view(await openStripeSession((await checkout.find(id))!));
    },

    /** A session of the organisation, reconciled with Stripe; `mode` narrows it for API keys. */
    async get(
      scope: { organisationId: string; mode?: CheckoutMode },
      id: string,
    ): Promise<CheckoutSession> {
      const row = await checkout.findForOrg(scope.organisationId, id);
      if (!row || (scope.mode && row.mode !== scope.mode)) throw notFound('Checkout session');
      const current = await reconcile(row);
      if (current.fulfilledAt) await sendAutomaticRefunds(current.id);
      return checkout.view((await checkout.find(current.id))!);
    },

    /** The customer came back on the cancel URL: close Stripe's page too, keep the basket. */
    async cancel(actor: Actor, id: string, requestId: string): Promise<CheckoutSession> {
      const row = await checkout.findForOrg(actor.organisationId, id);
      if (!row) throw notFound('Checkout session');
      if (row.status === 'open' && row.stripeSessionId) {
        const client = stripe.client(row.mode);
        try {
          await client.checkout.sessions.expire(
            row.stripeSessionId,
            {},
            { idempotencyKey: `expire-${row.id}` },
          );
        } catch (error) {
          // Already paid or expired at Stripe, or Stripe unreachable: find out which before
          // cancelling anything, so that a page that can still take money is never called cancelled.
          logger.info(
            { err: error, checkoutSessionId: row.id },
            'expiring the Stripe session failed',
          );
          let session: Stripe.Checkout.Session;
          try {
            session = await client.checkout.sessions.retrieve(row.stripeSessionId);
          } catch (retrieveError) {
            logger.warn({ err: retrieveError, checkoutSessionId: row.id }, 'Stripe did not answer');
            throw stripeFailure();
          }
          await sync.applySession(session, row.mode, 'the cancel page', null);
          if (session.status === 'open') throw stripeFailure();
        }
      }
      await database.transaction(async () => {
        const locked = (await checkout.lock(row.id))!;
        const decision = decideCheckout(checkout.state(locked), { kind: 'cancelled' });
        if (!decision.effects.some((e) => e.kind === 'mark_cancelled')) return;
        await checkout.transition(row.id, ['open', 'expired'], 'cancelled');
        await checkout.recordAttempt(row.id, 'cancelled', 'The customer left the payment page.');
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'checkout.cancel',
          objectType: 'checkout_session',
          objectId: row.id,
          requestId,
        });
      });
      const current = (await checkout.find(row.id))!;
      if (current.status === 'complete') {
        throw new AppError(
          409,
          'CHECKOUT_ALREADY_COMPLETE',
          'This checkout was already completed and cannot be cancelled.',
        );
      }
      return checkout.view(current);
    },
  };
}
export type CheckoutService = ReturnType<typeof createCheckoutService>;
