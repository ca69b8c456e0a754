import { z } from 'zod';
import { checkoutModeSchema, currencySchema, isoDateTime, moneySchema } from './common';
import { deviceIdSchema } from './devices';

const idSchema = z.string().trim().min(1).max(64);

function uniqueList<T extends z.ZodType>(item: T, max: number, what: string) {
  return z
    .array(item)
    .min(1, `choose at least one ${what}`)
    .max(max, `at most ${max} ${what}s at a time`)
    .refine((list) => new Set(list).size === list.length, `each ${what} only once`);
}

/** The header that makes a create safe to repeat: a double click or a retry returns the same session. */
export const idempotencyKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,200}$/, '8–200 letters, digits, "-" or "_"');

export const MAX_BASKET_DEVICES = 1000;

export const quoteLineSchema = z.object({
  itemId: z.string(),
  name: z.string(),
  unitAmount: z.number().int().nonnegative(),
  quantity: z.number().int().positive(),
  amount: z.number().int().nonnegative(),
});

export const amountsSchema = z.object({
  currency: currencySchema,
  subtotal: z.number().int().nonnegative(),
  platformFee: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type Amounts = z.infer<typeof amountsSchema>;

export const quoteSchema = amountsSchema.extend({ lines: z.array(quoteLineSchema) });
export type Quote = z.infer<typeof quoteSchema>;

/** Device IDs arrive as typed or pasted; each is judged on its own, so the list takes any text. */
export const validateDevicesRequestSchema = z.strictObject({
  instanceId: idSchema,
  itemIds: uniqueList(idSchema, 50, 'item'),
  deviceIds: z.array(z.string().max(200)).min(1).max(MAX_BASKET_DEVICES),
  mode: checkoutModeSchema.optional(),
  /**
   * The open checkout the caller already started for this basket: what it holds is no obstacle,
   * since paying goes on with that same checkout (same Idempotency-Key).
   */
  ownCheckoutSessionId: z
    .string()
    .regex(/^chk_[a-f0-9]{32}$/, 'a checkout session id')
    .optional(),
});
export type ValidateDevicesRequest = z.infer<typeof validateDevicesRequestSchema>;

export const deviceValidationStatusSchema = z.enum([
  'ok',
  'invalid',
  'unknown',
  'not_in_organisation',
  'duplicate',
  'incompatible',
  'already_entitled',
  'in_checkout',
]);
export type DeviceValidationStatus = z.infer<typeof deviceValidationStatusSchema>;

export const deviceValidationResultSchema = z.object({
  input: z.string(),
  deviceId: z.string().nullable(),
  status: deviceValidationStatusSchema,
  message: z.string(),
  /**
   * The chosen items this device cannot take (incompatible), already owns (already_entitled) or
   * is already paying for in another open checkout (in_checkout).
   */
  itemIds: z.array(z.string()),
  /** For in_checkout: the open checkout to continue or cancel. */
  checkoutSessionId: z.string().nullable().optional(),
});
export type DeviceValidationResult = z.infer<typeof deviceValidationResultSchema>;

export const itemValidationResultSchema = z.object({
  itemId: z.string(),
  status: z.enum(['ok', 'unknown', 'unlisted']),
  message: z.string(),
});
export type ItemValidationResult = z.infer<typeof itemValidationResultSchema>;

export const validateDevicesResponseSchema = z.object({
  valid: z.boolean(),
  results: z.array(deviceValidationResultSchema),
  items: z.array(itemValidationResultSchema),
  /** The price of the basket as the BFF will charge it; present only when everything is valid. */
  quote: quoteSchema.nullable(),
});
export type ValidateDevicesResponse = z.infer<typeof validateDevicesResponseSchema>;

export const createCheckoutSessionRequestSchema = z.strictObject({
  instanceId: idSchema,
  itemIds: uniqueList(idSchema, 50, 'item'),
  deviceIds: uniqueList(deviceIdSchema, MAX_BASKET_DEVICES, 'device'),
  mode: checkoutModeSchema,
  /** Lets the customer enter a Stripe promotion code on the payment page. */
  allowPromotionCodes: z.boolean().optional(),
});
export type CreateCheckoutSessionRequest = z.infer<typeof createCheckoutSessionRequestSchema>;

export const checkoutSessionStatusSchema = z.enum(['open', 'complete', 'expired', 'cancelled']);
export type CheckoutSessionStatus = z.infer<typeof checkoutSessionStatusSchema>;
export const paymentStatusSchema = z.enum(['unpaid', 'paid', 'no_payment_required']);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

/**
 * Where a checkout stands, as the server's state machine decides it from everything Stripe told
 * it, in any order: `open` (waiting for the customer), `pending` (completed, a delayed payment
 * still to come), `active` (paid, purchases and entitlements recorded), `failed` (the delayed
 * payment failed), `expired`, `cancelled`, `refunded` (paid, then the whole charge refunded).
 */
export const checkoutPhaseSchema = z.enum([
  'open',
  'pending',
  'active',
  'failed',
  'expired',
  'cancelled',
  'refunded',
]);
export type CheckoutPhase = z.infer<typeof checkoutPhaseSchema>;

export const checkoutAttemptKindSchema = z.enum([
  'created',
  'payment_failed',
  'payment_pending',
  'paid',
  'fulfilled',
  'expired',
  'cancelled',
  'refunded',
]);
export type CheckoutAttemptKind = z.infer<typeof checkoutAttemptKindSchema>;

export const checkoutAttemptSchema = z.object({
  id: z.number().int(),
  kind: checkoutAttemptKindSchema,
  detail: z.string().nullable(),
  stripeEventId: z.string().nullable(),
  createdAt: isoDateTime,
});
export type CheckoutAttempt = z.infer<typeof checkoutAttemptSchema>;

export const purchaseStatusSchema = z.enum(['active', 'refunded']);
export type PurchaseStatus = z.infer<typeof purchaseStatusSchema>;

export const checkoutPurchaseSchema = z.object({
  id: z.string(),
  deviceId: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  price: moneySchema,
  status: purchaseStatusSchema,
  /** The newest release of the item that runs on the device, when there is one. */
  installableVersion: z.string().nullable(),
  /** The version running on the device once an install has succeeded. */
  installedVersion: z.string().nullable(),
  /** This purchase's share of the session's discount; `price` is what was paid after it. */
  discount: moneySchema.nullable().default(null),
});
export type CheckoutPurchase = z.infer<typeof checkoutPurchaseSchema>;

/** A promotion code the customer entered on Stripe's page, and what it took off the total. */
export const checkoutDiscountSchema = z.object({
  amount: moneySchema,
  promotionCodeId: z.string().nullable(),
});
export type CheckoutDiscount = z.infer<typeof checkoutDiscountSchema>;

export const checkoutSessionSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  mode: checkoutModeSchema,
  status: checkoutSessionStatusSchema,
  paymentStatus: paymentStatusSchema,
  phase: checkoutPhaseSchema,
  checkoutUrl: z.string().nullable(),
  expiresAt: isoDateTime,
  createdAt: isoDateTime,
  /** `total` is what is charged: the subtotal less any discount. */
  amounts: amountsSchema,
  allowPromotionCodes: z.boolean().default(false),
  discount: checkoutDiscountSchema.nullable().default(null),
  itemIds: z.array(z.string()),
  deviceIds: z.array(z.string()),
  fulfilled: z.boolean(),
  stripeSessionId: z.string().nullable(),
  attempts: z.array(checkoutAttemptSchema),
  purchases: z.array(checkoutPurchaseSchema),
});
export type CheckoutSession = z.infer<typeof checkoutSessionSchema>;
