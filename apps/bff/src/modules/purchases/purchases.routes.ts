import { Router } from 'express';
import { z } from 'zod';
import { actorOf, requireRole } from '../../http/auth';
import { parseParams } from '../../http/validate';
import type { RefundsService } from './refunds.service';

const purchaseParamsSchema = z.object({
  id: z.string().regex(/^pur_[a-f0-9]{32}$/, 'not a purchase id'),
});

export function purchasesRoutes({ refunds }: { refunds: RefundsService }): Router {
  const router = Router();

  router.post('/purchases/:id/refund', requireRole('admin'), async (req, res) => {
    const { id } = parseParams(purchaseParamsSchema, req);
    res.json(await refunds.requestRefund(actorOf(req), id, String(req.id)));
  });

  return router;
}
