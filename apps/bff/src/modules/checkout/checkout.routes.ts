import { Router } from 'express';
import { z } from 'zod';
import { createCheckoutSessionRequestSchema, idempotencyKeySchema } from '@repo/schemas';
import { actorOf, requireRole, requireSignedIn } from '../../http/auth';
import { AppError } from '../../http/errors';
import { parseBody, parseParams } from '../../http/validate';
import type { CheckoutService } from './checkout.service';

const sessionParamsSchema = z.object({
  id: z.string().regex(/^chk_[a-f0-9]{32}$/, 'not a checkout session id'),
});

export function checkoutRoutes({ checkout }: { checkout: CheckoutService }): Router {
  const router = Router();

  router.post('/checkout-sessions', requireRole('admin'), async (req, res) => {
    const key = idempotencyKeySchema.safeParse(req.header('idempotency-key'));
    if (!key.success) {
      throw new AppError(
        400,
        'IDEMPOTENCY_KEY_REQUIRED',
        'Send an Idempotency-Key header, so that a retry cannot pay twice.',
        [{ path: 'Idempotency-Key', message: key.error.issues[0]?.message ?? 'required' }],
      );
    }
    const body = parseBody(createCheckoutSessionRequestSchema, req);
    const session = await checkout.create(actorOf(req), body, key.data, String(req.id));
    res.status(201).json(session);
  });

  router.get('/checkout-sessions/:id', requireSignedIn, async (req, res) => {
    const { id } = parseParams(sessionParamsSchema, req);
    res.json(await checkout.get(actorOf(req), id));
  });

  router.post('/checkout-sessions/:id/cancel', requireRole('admin'), async (req, res) => {
    const { id } = parseParams(sessionParamsSchema, req);
    res.json(await checkout.cancel(actorOf(req), id, String(req.id)));
  });

  return router;
}
