import { Router } from 'express';
import { z } from 'zod';
import { createPaymentLinkRequestSchema } from '@repo/schemas';
import { actorOf, requireRole } from '../../http/auth';
import { noStore } from '../../http/no-store';
import { parseBody, parseParams } from '../../http/validate';
import type { PaymentLinksService } from './payment-links.service';

const linkParamsSchema = z.object({
  id: z.string().regex(/^plink_[a-f0-9]{32}$/, 'not a payment link id'),
});

/** The dashboard's admin routes: create a link for a basket, list links, turn one off. */
export function paymentLinksRoutes({
  paymentLinks,
}: {
  paymentLinks: PaymentLinksService;
}): Router {
  const router = Router();

  router.get('/payment-links', requireRole('admin'), noStore, async (req, res) => {
    res.json({ items: await paymentLinks.list(actorOf(req)) });
  });

  router.post('/payment-links', requireRole('admin'), noStore, async (req, res) => {
    const body = parseBody(createPaymentLinkRequestSchema, req);
    res.status(201).json(await paymentLinks.create(actorOf(req), body, String(req.id)));
  });

  router.post('/payment-links/:id/deactivate', requireRole('admin'), noStore, async (req, res) => {
    const { id } = parseParams(linkParamsSchema, req);
    res.json(await paymentLinks.deactivate(actorOf(req), id, String(req.id)));
  });

  return router;
}
