import { Router } from 'express';
import { z } from 'zod';
import { createPaymentLinkRequestSchema } from '@repo/schemas';
import type { Database } from '../../db/database';
import { actorOf, requireRole } from '../../http/auth';
import { noStore } from '../../http/no-store';
import { notFound } from '../../http/errors';
import { parseBody, parseParams } from '../../http/validate';
import { newId } from '../../ids';
import { newToken } from '../../security/tokens';
import type { StripeGateway } from '../../stripe/stripe-gateway';
import type { AuditRepo } from '../audit/audit.repo';
import { basketInvalid } from '../checkout/checkout.service';
import type { ValidateBasket } from '../devices/device-validation';
import { toPaymentLink, type PaymentLinksRepo } from './payment-links.repo';

const linkParamsSchema = z.object({
  id: z.string().regex(/^plink_[a-f0-9]{32}$/, 'not a payment link id'),
});

type Deps = {
  db: Database;
  paymentLinks: PaymentLinksRepo;
  validateBasket: ValidateBasket;
  stripe: StripeGateway;
  audit: AuditRepo;
  publicUrl: string;
};

/** The dashboard's admin routes: create a link for a basket, list links, turn one off. */
export function paymentLinksRoutes({
  db,
  paymentLinks,
  validateBasket,
  stripe,
  audit,
  publicUrl,
}: Deps): Router {
  const router = Router();

  router.get('/payment-links', requireRole('admin'), noStore, (req, res) => {
    const links = paymentLinks.list(actorOf(req).organisationId);
    res.json({ items: links.map((link) => toPaymentLink(link, publicUrl)) });
  });

  router.post('/payment-links', requireRole('admin'), noStore, (req, res) => {
    const body = parseBody(createPaymentLinkRequestSchema, req);
    const actor = actorOf(req);
    // The same checks as a checkout, now; they run again whenever the link is opened.
    stripe.client(body.mode);
    const validation = validateBasket({ organisationId: actor.organisationId, ...body });
    if (!validation.valid) throw basketInvalid(validation);
    const now = new Date();
    const id = newId('plink');
    db.transaction(() => {
      paymentLinks.insert({
        id,
        organisationId: actor.organisationId,
        instanceId: body.instanceId,
        mode: body.mode,
        token: newToken('pl', 18),
        itemIds: body.itemIds,
        deviceIds: body.deviceIds,
        allowPromotionCodes: body.allowPromotionCodes ?? false,
        maxUses: 1,
        expiresAt: new Date(now.getTime() + body.expiresInDays * 24 * 60 * 60 * 1000).toISOString(),
        createdBy: actor.userId,
        createdAt: now.toISOString(),
      });
      audit.record({
        organisationId: actor.organisationId,
        userId: actor.userId,
        action: 'payment_link.create',
        objectType: 'payment_link',
        objectId: id,
        details: {
          mode: body.mode,
          itemIds: body.itemIds,
          devices: body.deviceIds.length,
          expiresInDays: body.expiresInDays,
        },
        requestId: String(req.id),
      });
    })();
    res.status(201).json(toPaymentLink(paymentLinks.find(actor.organisationId, id)!, publicUrl));
  });

  router.post('/payment-links/:id/deactivate', requireRole('admin'), noStore, (req, res) => {
    const { id } = parseParams(linkParamsSchema, req);
    const actor = actorOf(req);
    if (!paymentLinks.find(actor.organisationId, id)) throw notFound('Payment link');
    db.transaction(() => {
      if (!paymentLinks.deactivate(actor.organisationId, id)) return;
      audit.record({
        organisationId: actor.organisationId,
        userId: actor.userId,
        action: 'payment_link.deactivate',
        objectType: 'payment_link',
        objectId: id,
        requestId: String(req.id),
      });
    })();
    res.json(toPaymentLink(paymentLinks.find(actor.organisationId, id)!, publicUrl));
  });

  return router;
}
