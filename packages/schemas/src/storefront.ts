import { z } from 'zod';
import {
  checkoutSessionSchema,
  createCheckoutSessionRequestSchema,
  purchaseStatusSchema,
  validateDevicesRequestSchema,
} from './checkout';
import {
  checkoutModeSchema,
  cursorSchema,
  isoDateTime,
  limitSchema,
  moneySchema,
  pageSchema,
} from './common';
import { deviceIdSchema } from './devices';
import { installJobSchema } from './installs';
import { rolloutSchema } from './rollouts';

/**
 * The storefront API (`/api/v1`): what a provider's own server sends and gets back. The mode
 * comes from the API key; the bodies are the dashboard's, so that both follow one set of rules.
 */

const returnUrlSchema = z.url({ protocol: /^https?$/, message: 'an http(s) URL' }).max(2000);

export const storefrontValidateDevicesRequestSchema = validateDevicesRequestSchema.omit({
  mode: true,
});
export type StorefrontValidateDevicesRequest = z.infer<
  typeof storefrontValidateDevicesRequestSchema
>;

export const storefrontCreateCheckoutSessionRequestSchema = createCheckoutSessionRequestSchema
  .omit({ mode: true })
  .extend({
    /** Optional: when sent, it must be the API key's mode. */
    mode: checkoutModeSchema.optional(),
    /** Where Stripe sends the customer after paying; `{CHECKOUT_SESSION_ID}` becomes Stripe's id. */
    successUrl: returnUrlSchema,
    cancelUrl: returnUrlSchema,
  });
export type StorefrontCreateCheckoutSessionRequest = z.infer<
  typeof storefrontCreateCheckoutSessionRequestSchema
>;

/** A checkout session as a provider's server sees it: no internal log, no Stripe ids. */
export const storefrontCheckoutSessionSchema = checkoutSessionSchema.omit({
  attempts: true,
  stripeSessionId: true,
});
export type StorefrontCheckoutSession = z.infer<typeof storefrontCheckoutSessionSchema>;

export const storefrontPurchaseSchema = z.object({
  id: z.string(),
  checkoutSessionId: z.string(),
  deviceId: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  mode: checkoutModeSchema,
  /** What was paid for this device and item, after any discount. */
  price: moneySchema,
  discount: moneySchema.nullable(),
  status: purchaseStatusSchema,
  createdAt: isoDateTime,
  refundedAt: isoDateTime.nullable(),
});
export type StorefrontPurchase = z.infer<typeof storefrontPurchaseSchema>;

export const storefrontPurchasesPageSchema = pageSchema(storefrontPurchaseSchema);
export type StorefrontPurchasesPage = z.infer<typeof storefrontPurchasesPageSchema>;

export const storefrontPurchasesQuerySchema = z.object({
  deviceId: deviceIdSchema,
  cursor: cursorSchema,
  limit: limitSchema,
});
export type StorefrontPurchasesQuery = z.input<typeof storefrontPurchasesQuerySchema>;

/** Events sent to a provider's webhook endpoints, each with the object it is about. */
const eventBase = {
  id: z.string(),
  createdAt: isoDateTime,
  mode: checkoutModeSchema,
};

export const purchaseActivatedEventSchema = z.object({
  ...eventBase,
  type: z.literal('purchase.activated'),
  data: z.object({ object: storefrontPurchaseSchema }),
});
export const purchaseRefundedEventSchema = z.object({
  ...eventBase,
  type: z.literal('purchase.refunded'),
  data: z.object({ object: storefrontPurchaseSchema }),
});
export const installSucceededEventSchema = z.object({
  ...eventBase,
  type: z.literal('install.succeeded'),
  data: z.object({ object: installJobSchema }),
});
export const installFailedEventSchema = z.object({
  ...eventBase,
  type: z.literal('install.failed'),
  data: z.object({ object: installJobSchema }),
});

/** A rollout stopped sending installs: `data.object.pauseReason` says why. */
export const rolloutPausedEventSchema = z.object({
  ...eventBase,
  type: z.literal('rollout.paused'),
  data: z.object({ object: rolloutSchema }),
});
export const rolloutCompletedEventSchema = z.object({
  ...eventBase,
  type: z.literal('rollout.completed'),
  data: z.object({ object: rolloutSchema }),
});

export const providerEventSchema = z.discriminatedUnion('type', [
  purchaseActivatedEventSchema,
  purchaseRefundedEventSchema,
  installSucceededEventSchema,
  installFailedEventSchema,
  rolloutPausedEventSchema,
  rolloutCompletedEventSchema,
]);
export type ProviderEvent = z.infer<typeof providerEventSchema>;
/** The `data` each event type carries, for code that records events. */
export type ProviderEventData = {
  [E in ProviderEvent as E['type']]: E['data'];
};
