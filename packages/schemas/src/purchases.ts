import { z } from 'zod';
import { isoDateTime, moneySchema } from './common';

export const refundStatusSchema = z.enum(['requested', 'succeeded', 'failed']);
export type RefundStatus = z.infer<typeof refundStatusSchema>;

export const refundSchema = z.object({
  id: z.string(),
  purchaseId: z.string(),
  amount: moneySchema,
  status: refundStatusSchema,
  createdAt: isoDateTime,
  completedAt: isoDateTime.nullable(),
});
export type Refund = z.infer<typeof refundSchema>;
