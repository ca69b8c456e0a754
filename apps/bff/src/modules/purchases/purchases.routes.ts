import { Router } from 'express';
import { z } from 'zod';
import { idempotencyKeySchema, purchaseFiltersSchema, purchasesQuerySchema } from '@repo/schemas';
import { actorOf, requireRole, requireSignedIn } from '../../http/auth';
import { sendCsv } from '../../http/csv-response';
import { AppError } from '../../http/errors';
import { parseParams, parseQuery } from '../../http/validate';
import { PURCHASE_CSV_COLUMNS, type PurchasesService } from './purchases.service';
import type { RefundsService } from './refunds.service';

const purchaseParamsSchema = z.object({
  id: z.string().regex(/^pur_[a-f0-9]{32}$/, 'not a purchase id'),
});

export function purchasesRoutes({
  purchases,
  refunds,
}: {
  purchases: PurchasesService;
  refunds: RefundsService;
}): Router {
  const router = Router();

  router.get('/purchases', requireSignedIn, async (req, res) => {
    res.json(await purchases.list(actorOf(req), parseQuery(purchasesQuerySchema, req)));
  });

  // Before /purchases/:id, which would take "export.csv" for an id.
  router.get('/purchases/export.csv', requireSignedIn, async (req, res) => {
    const filters = parseQuery(purchaseFiltersSchema, req);
    await sendCsv(req, res, {
      name: 'purchases',
      columns: PURCHASE_CSV_COLUMNS,
      records: purchases.exportRows(actorOf(req), filters),
    });
  });

  router.get('/purchases/:id', requireSignedIn, async (req, res) => {
    const { id } = parseParams(purchaseParamsSchema, req);
    const actor = actorOf(req);
    // A refund whose confirmation never came is settled from Stripe before it is shown.
    await refunds.reconcilePurchase(actor.organisationId, id);
    res.json(await purchases.get(actor, id));
  });

  router.post('/purchases/:id/refund', requireRole('admin'), async (req, res) => {
    const { id } = parseParams(purchaseParamsSchema, req);
    const header = req.header('idempotency-key');
    const key = header === undefined ? undefined : idempotencyKeySchema.safeParse(header);
    if (key && !key.success) {
      throw new AppError(400, 'VALIDATION_FAILED', 'The Idempotency-Key header is not valid.', [
        { path: 'Idempotency-Key', message: key.error.issues[0]?.message ?? 'not valid' },
      ]);
    }
    res.json(await refunds.requestRefund(actorOf(req), id, String(req.id), key?.data));
  });

  return router;
}
