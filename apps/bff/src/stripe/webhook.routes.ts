import { createHash } from 'node:crypto';
import express, { Router } from 'express';
import type Stripe from 'stripe';
import type { z } from 'zod';
import {
  checkoutModeSchema,
  handledStripeEventObjectSchemas,
  stripeEventSchema,
} from '@repo/schemas';
import { AppError } from '../http/errors';
import type { StripeEventsService } from './stripe-events.service';
import { STRIPE_API_VERSION, type StripeGateway } from './stripe-gateway';

/** Stripe's own tolerance; we also refuse timestamps this far in the future, which the SDK lets through. */
const TOLERANCE_SECONDS = 300;

type Deps = {
  stripe: StripeGateway;
  stripeEvents: Pick<StripeEventsService, 'process' | 'recordRejected'>;
};

function signatureTimestamp(header: string): number | null {
  const t = header
    .split(',')
    .map((part) => part.split('='))
    .find(([key]) => key === 't')?.[1];
  return t && /^\d+$/.test(t) ? Number(t) : null;
}

const describeIssues = (error: z.ZodError) =>
  error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));

/** Why a signed event cannot be handled, or null when it can. */
function refusal(
  event: unknown,
): { code: string; message: string; details: { path: string; message: string }[] } | null {
  const envelope = stripeEventSchema.safeParse(event);
  if (!envelope.success) {
    return {
      code: 'WEBHOOK_EVENT_INVALID',
      message: 'The event is not shaped as a Stripe event.',
      details: describeIssues(envelope.error),
    };
  }
  // The shape of every object depends on the API version: one we were not built for is refused
  // whole, rather than half understood.
  if (envelope.data.api_version !== STRIPE_API_VERSION) {
    return {
      code: 'WEBHOOK_API_VERSION_MISMATCH',
      message: `The event is rendered in Stripe API version ${envelope.data.api_version ?? '(none)'}; this endpoint expects ${STRIPE_API_VERSION}.`,
      details: [{ path: 'api_version', message: `expected ${STRIPE_API_VERSION}` }],
    };
  }
  const objectSchema =
    handledStripeEventObjectSchemas[
      envelope.data.type as keyof typeof handledStripeEventObjectSchemas
    ];
  const object = objectSchema?.safeParse(envelope.data.data.object);
  if (object && !object.success) {
    return {
      code: 'WEBHOOK_EVENT_INVALID',
      message: `The ${envelope.data.type} event's object is not what Stripe sends.`,
      details: describeIssues(object.error).map((d) => ({
        ...d,
        path: d.path ? `data.object.${d.path}` : 'data.object',
      })),
    };
  }
  return null;
}

/**
 * Mounted before any JSON parser: the signature covers the raw bytes. The event id is stored in
 * the same transaction as its effects, so a duplicate changes nothing and a failure records nothing.
 */
export function stripeWebhookRoutes({ stripe, stripeEvents }: Deps): Router {
  const router = Router();

  router.post(
    '/api/webhooks/stripe/:mode',
    express.raw({ type: () => true, limit: '512kb' }),
    async (req, res) => {
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

      const refused = refusal(event);
      if (refused) {
        const raw = event as unknown as Record<string, unknown>;
        // Without an id of its own, the payload's digest keeps one record per distinct event.
        const id =
          typeof raw.id === 'string' && raw.id.length > 0 && raw.id.length <= 255
            ? raw.id
            : `unidentified_${createHash('sha256').update(req.body).digest('hex').slice(0, 32)}`;
        const type = typeof raw.type === 'string' ? raw.type.slice(0, 255) : 'unknown';
        const logged = { eventId: id, type, code: refused.code, details: refused.details };
        if (refused.code === 'WEBHOOK_API_VERSION_MISMATCH') {
          req.log.error(
            { ...logged, received: raw.api_version ?? null, pinned: STRIPE_API_VERSION },
            `refused a Stripe event in API version ${String(raw.api_version ?? '(none)')}: the BFF is pinned to ${STRIPE_API_VERSION}; set the webhook endpoint's API version to ${STRIPE_API_VERSION}`,
          );
        } else {
          req.log.warn(logged, 'refused a malformed Stripe event');
        }
        const error = `${refused.code}: ${refused.message}${refused.details
          .map((d) => ` ${d.path}: ${d.message}`)
          .join(';')}`;
        try {
          await stripeEvents.recordRejected({ id, mode: mode.data, type, error });
        } catch (recordError) {
          req.log.error(
            { err: recordError, eventId: id },
            'recording a refused Stripe event failed',
          );
        }
        throw new AppError(400, refused.code, refused.message, refused.details);
      }

      let result;
      try {
        result = await stripeEvents.process(event, mode.data);
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
