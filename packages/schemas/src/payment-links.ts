import { z } from 'zod';
import { createCheckoutSessionRequestSchema } from './checkout';
import { checkoutModeSchema, isoDateTime } from './common';

/**
 * A shareable link that opens a fresh hosted checkout for a fixed basket. It is used up by one
 * completed purchase: the same devices cannot own the same items twice.
 */
export const createPaymentLinkRequestSchema = createCheckoutSessionRequestSchema.extend({
  expiresInDays: z.number().int().min(1).max(90),
});
export type CreatePaymentLinkRequest = z.infer<typeof createPaymentLinkRequestSchema>;

export const paymentLinkStatusSchema = z.enum(['active', 'expired', 'used_up', 'deactivated']);
export type PaymentLinkStatus = z.infer<typeof paymentLinkStatusSchema>;

export const paymentLinkSchema = z.object({
  id: z.string(),
  url: z.string(),
  instanceId: z.string(),
  mode: checkoutModeSchema,
  itemIds: z.array(z.string()),
  deviceIds: z.array(z.string()),
  allowPromotionCodes: z.boolean(),
  maxUses: z.number().int().positive(),
  /** Completed purchases made through the link. */
  uses: z.number().int().nonnegative(),
  status: paymentLinkStatusSchema,
  expiresAt: isoDateTime,
  createdAt: isoDateTime,
});
export type PaymentLink = z.infer<typeof paymentLinkSchema>;

export const paymentLinksSchema = z.object({ items: z.array(paymentLinkSchema) });
