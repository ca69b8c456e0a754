import { z } from 'zod';
import { paymentStatusSchema } from './checkout';

/**
 * What the webhook route accepts from Stripe, checked after the signature and before anything is
 * recorded or changed. Only the fields the BFF reads are checked; Stripe sends many more, and new
 * ones, so every object lets unknown fields through.
 */

/** Stripe sends an id, or the object itself when it was expanded. */
const expandableSchema = z.union([z.string().min(1), z.looseObject({ id: z.string().min(1) })]);
const metadataSchema = z.record(z.string(), z.string());

export const stripeCheckoutSessionObjectSchema = z.looseObject({
  object: z.literal('checkout.session'),
  id: z.string().min(1),
  status: z.enum(['open', 'complete', 'expired']).nullable(),
  payment_status: paymentStatusSchema,
  client_reference_id: z.string().nullable().optional(),
  metadata: metadataSchema.nullable(),
  payment_intent: expandableSchema.nullable().optional(),
  total_details: z
    .looseObject({ amount_discount: z.number().int().nonnegative() })
    .nullable()
    .optional(),
  discounts: z
    .array(z.looseObject({ promotion_code: expandableSchema.nullable().optional() }))
    .nullable()
    .optional(),
});

export const stripeChargeObjectSchema = z.looseObject({
  object: z.literal('charge'),
  id: z.string().min(1),
  amount: z.number().int().nonnegative(),
  amount_refunded: z.number().int().nonnegative(),
  payment_intent: expandableSchema.nullable(),
  metadata: metadataSchema.nullable().optional(),
});

/** A customer disputed a charge with their bank: what it paid for is no longer granted. */
export const stripeDisputeObjectSchema = z.looseObject({
  object: z.literal('dispute'),
  id: z.string().min(1),
  charge: expandableSchema,
  payment_intent: expandableSchema.nullable().optional(),
  amount: z.number().int().nonnegative(),
  reason: z.string().nullable().optional(),
});

export const stripeEventSchema = z.looseObject({
  id: z.string().min(1).max(255),
  object: z.literal('event'),
  type: z.string().min(1).max(255),
  api_version: z.string().nullable(),
  data: z.looseObject({ object: z.looseObject({}) }),
});
export type StripeEventEnvelope = z.infer<typeof stripeEventSchema>;

/** The object schema of each event type the BFF handles; any other type is acknowledged only. */
export const handledStripeEventObjectSchemas = {
  'checkout.session.completed': stripeCheckoutSessionObjectSchema,
  'checkout.session.async_payment_succeeded': stripeCheckoutSessionObjectSchema,
  'checkout.session.async_payment_failed': stripeCheckoutSessionObjectSchema,
  'checkout.session.expired': stripeCheckoutSessionObjectSchema,
  'charge.refunded': stripeChargeObjectSchema,
  'charge.dispute.created': stripeDisputeObjectSchema,
} as const;
export type HandledStripeEventType = keyof typeof handledStripeEventObjectSchemas;
export const HANDLED_STRIPE_EVENT_TYPES = Object.keys(
  handledStripeEventObjectSchemas,
) as HandledStripeEventType[];
