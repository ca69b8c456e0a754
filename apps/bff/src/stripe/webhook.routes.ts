import express, { Router } from 'express';
import type Stripe from 'stripe';
import { checkoutModeSchema, type CheckoutMode } from '@repo/schemas';
import type { Database } from '../db/database';
import { AppError } from '../http/errors';
import type { CheckoutSync } from '../modules/checkout/checkout-sync';
import type { RefundsService } from '../modules/purchases/refunds.service';
import type { StripeGateway } from './stripe-gateway';

/** Stripe's own tolerance; we also refuse timestamps this far in the future, which the SDK lets through. */
const TOLERANCE_SECONDS = 300;

type Deps = {
  db: Database;
  stripe: StripeGateway;
  sync: CheckoutSync;
  refunds: RefundsService;
};

function signatureTimestamp(header: string): number | null {
  const t = header
    .split(',')
    .map((part) => part.split('='))
    .find(([key]) => key === 't')?.[1];
  return t && /^\d+$/.test(t) ? Number(t) : null;
}

/**
 * Mounted before any JSON parser: the signature covers the raw bytes. The event id is stored in
 * the same transaction as its effects, so a duplicate changes nothing and a failure records nothing.
 */
export function stripeWebhookRoutes({ db, stripe, sync, refunds }: Deps): Router {
  const router = Router();
  const record = db.prepare(
    `INSERT INTO webhook_events (id, mode, type, received_at, outcome) VALUES (?, ?, ?, ?, 'processing')
     ON CONFLICT (id) DO NOTHING`,
  );
  const finish = db.prepare('UPDATE webhook_events SET outcome = ?, processed_at = ? WHERE id = ?');

  function dispatch(event: Stripe.Event, mode: CheckoutMode): string {
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
      default:
        return `ignored: ${event.type} is not handled`;
    }
  }

  const process = db.transaction((event: Stripe.Event, mode: CheckoutMode) => {
    if (record.run(event.id, mode, event.type, new Date().toISOString()).changes === 0) {
      return { duplicate: true, outcome: 'duplicate' };
    }
    const outcome = dispatch(event, mode);
    finish.run(outcome, new Date().toISOString(), event.id);
    return { duplicate: false, outcome };
  });

  router.post(
    '/api/webhooks/stripe/:mode',
    express.raw({ type: () => true, limit: '512kb' }),
    (req, res) => {
      const mode = checkoutModeSchema.safeParse(req.params.mode);
      const secret = mode.success ? stripe.webhookSecret(mode.data) : undefined;
      if (!mode.success || !secret) {
        throw new AppError(404, 'WEBHOOK_NOT_CONFIGURED', 'No webhook endpoint for this mode.');
      }
      const header = req.header('stripe-signature');
      const timestamp = header ? signatureTimestamp(header) : null;
      if (!header || timestamp === null) {
        throw new AppError(
          400,
          'SIGNATURE_MISSING',
          'The Stripe-Signature header is missing or malformed.',
        );
      }
      if (Math.abs(Date.now() / 1000 - timestamp) > TOLERANCE_SECONDS) {
        throw new AppError(
          400,
          'SIGNATURE_STALE',
          'The signature timestamp is outside the tolerance.',
        );
      }
      let event: Stripe.Event;
      try {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        event = stripe
          .client(mode.data)
          .webhooks.constructEvent(body, header, secret, TOLERANCE_SECONDS);
      } catch {
        throw new AppError(
          400,
          'SIGNATURE_INVALID',
          'The Stripe signature does not match the payload.',
        );
      }

      let result;
      try {
        result = process.immediate(event, mode.data);
      } catch (error) {
        // Nothing was recorded: answering 5xx makes Stripe deliver the event again.
        req.log.error(
          { err: error, eventId: event.id, type: event.type },
          'recording a Stripe event failed',
        );
        throw new AppError(
          500,
          'WEBHOOK_RECORDING_FAILED',
          'The event could not be recorded; deliver it again.',
        );
      }
      req.log.info({ eventId: event.id, type: event.type, ...result }, 'stripe event');
      res.json({ received: true, ...result });
    },
  );
  return router;
}
