import { z } from 'zod';
import { checkoutModeSchema, cursorSchema, isoDateTime, limitSchema, pageSchema } from './common';

/** What the provider's own site, its API keys and its webhook endpoints are made of. */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const isLoopback = (url: URL) => LOOPBACK_HOSTS.has(url.hostname);

/**
 * An origin (`https://shop.example.com`, `http://localhost:8080`): scheme, host and port only.
 * Plain http only for a site on this machine, so that a customer's return is never in the clear.
 */
export const allowedOriginSchema = z
  .string()
  .trim()
  .max(200)
  .refine((value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return (
      url.origin === value &&
      (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url)))
    );
  }, 'an origin such as https://shop.example.com: https (http only for localhost), no path');

export const apiKeyNameSchema = z.string().trim().min(1, 'give the key a name').max(80);

export const createApiKeyRequestSchema = z.strictObject({
  name: apiKeyNameSchema,
  mode: checkoutModeSchema,
  allowedOrigins: z
    .array(allowedOriginSchema)
    .max(20, 'at most 20 origins')
    .refine((list) => new Set(list).size === list.length, 'each origin only once'),
});
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  mode: checkoutModeSchema,
  /** The start of the secret, e.g. `mk_test_Ab12`, enough to tell keys apart. */
  prefix: z.string(),
  allowedOrigins: z.array(z.string()),
  createdAt: isoDateTime,
  createdBy: z.string().nullable(),
  lastUsedAt: isoDateTime.nullable(),
  revokedAt: isoDateTime.nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const apiKeysSchema = z.object({ items: z.array(apiKeySchema) });

/** Only the create answer carries the secret; it is never shown again. */
export const createdApiKeySchema = apiKeySchema.extend({ secret: z.string() });
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

export const providerEventTypeSchema = z.enum([
  'purchase.activated',
  'purchase.refunded',
  'install.succeeded',
  'install.failed',
  'rollout.paused',
  'rollout.completed',
]);
export type ProviderEventType = z.infer<typeof providerEventTypeSchema>;

/** Where a provider's server receives events; live endpoints must use https. */
export const createWebhookEndpointRequestSchema = z
  .strictObject({
    url: z.url({ protocol: /^https?$/, message: 'an http(s) URL' }).max(2000),
    description: z.string().trim().max(200).optional(),
    mode: checkoutModeSchema,
    eventTypes: z
      .array(providerEventTypeSchema)
      .min(1, 'choose at least one event')
      .refine((list) => new Set(list).size === list.length, 'each event only once'),
  })
  .refine((body) => body.mode === 'test' || body.url.startsWith('https://'), {
    path: ['url'],
    message: 'live endpoints must use https',
  });
export type CreateWebhookEndpointRequest = z.infer<typeof createWebhookEndpointRequestSchema>;

export const webhookEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  mode: checkoutModeSchema,
  eventTypes: z.array(providerEventTypeSchema),
  createdAt: isoDateTime,
  disabledAt: isoDateTime.nullable(),
});
export type WebhookEndpoint = z.infer<typeof webhookEndpointSchema>;

export const webhookEndpointsSchema = z.object({ items: z.array(webhookEndpointSchema) });

/** Only the create answer carries the signing secret. */
export const createdWebhookEndpointSchema = webhookEndpointSchema.extend({ secret: z.string() });
export type CreatedWebhookEndpoint = z.infer<typeof createdWebhookEndpointSchema>;

export const webhookDeliveryStatusSchema = z.enum(['pending', 'succeeded', 'failed']);
export type WebhookDeliveryStatus = z.infer<typeof webhookDeliveryStatusSchema>;

export const webhookDeliverySchema = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: providerEventTypeSchema,
  status: webhookDeliveryStatusSchema,
  attempts: z.number().int().nonnegative(),
  /** When the next try is due while pending; null once it succeeded or gave up. */
  nextAttemptAt: isoDateTime.nullable(),
  lastAttemptAt: isoDateTime.nullable(),
  /** The receiver's HTTP status on the last try, or null when it could not be reached. */
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: isoDateTime,
  completedAt: isoDateTime.nullable(),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export const webhookDeliveriesPageSchema = pageSchema(webhookDeliverySchema);
export type WebhookDeliveriesPage = z.infer<typeof webhookDeliveriesPageSchema>;

export const webhookDeliveriesQuerySchema = z.object({
  status: webhookDeliveryStatusSchema.optional(),
  cursor: cursorSchema,
  limit: limitSchema,
});
export type WebhookDeliveriesQuery = z.input<typeof webhookDeliveriesQuerySchema>;
