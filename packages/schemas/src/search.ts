import { z } from 'zod';
import { checkoutSessionStatusSchema, paymentStatusSchema, purchaseStatusSchema } from './checkout';
import { checkoutModeSchema, isoDateTime, moneySchema } from './common';
import { installStatusSchema } from './installs';

/**
 * `GET /api/search?q=…`: the one search box. It takes whatever a support agent pastes — a device
 * ID in any letter case, one of our ids (`pur_…`, `chk_…`, `inst_…`), a Stripe id (`cs_…`,
 * `pi_…`), an item id or name, the first characters of an API key (`mk_test_…`, `mk_live_…`) —
 * and answers what it names, best match first. A device ID followed by words naming an item
 * (`ACM-TX1-0004 eco scheduler`) also answers "did this device buy that, and is it installed?".
 */

export const SEARCH_QUERY_MAX_LENGTH = 200;
/** The BFF answers at most this many results, best first. */
export const SEARCH_RESULTS_LIMIT = 20;

/** Unknown parameters are refused, as for the other lists: a misspelt one must not go unnoticed. */
export const searchQuerySchema = z.strictObject({
  q: z.string().trim().min(1, 'type something to search for').max(SEARCH_QUERY_MAX_LENGTH),
});
export type SearchQuery = z.infer<typeof searchQuerySchema>;

export const searchResultKindSchema = z.enum([
  'device',
  'purchase',
  'checkout_session',
  'item',
  'install_job',
  'api_key',
]);
export type SearchResultKind = z.infer<typeof searchResultKindSchema>;

/**
 * What in the query matched: the whole id, the start of an id (device IDs, API key prefixes),
 * a name, or a Stripe id that leads to our object.
 */
export const searchMatchSchema = z.enum([
  'id',
  'id_prefix',
  'name',
  'stripe_checkout_session',
  'stripe_payment_intent',
]);
export type SearchMatch = z.infer<typeof searchMatchSchema>;

/** Every result: its id, a line to show, a second line, and what matched. */
const resultBase = {
  id: z.string(),
  title: z.string().min(1),
  subtitle: z.string(),
  matchedOn: searchMatchSchema,
};

/** One item a device has bought: whether the purchase stands, and what runs on the device. */
export const deviceOwnershipSchema = z.object({
  itemId: z.string(),
  itemName: z.string(),
  status: purchaseStatusSchema,
  purchaseId: z.string(),
  mode: checkoutModeSchema,
  /** The version of the item installed on the device, or null when none is. */
  installedVersion: z.string().nullable(),
});
export type DeviceOwnership = z.infer<typeof deviceOwnershipSchema>;

/**
 * The answer to "did this device buy that, and is it installed?", present when the query names
 * a device and, after it, an item (by id or words of its name; the best-matching item).
 */
export const deviceItemAnswerSchema = z.object({
  itemId: z.string(),
  itemName: z.string(),
  /** True when the device holds an active purchase of the item, in either mode. */
  owned: z.boolean(),
  /** The newest active purchase, else the newest refunded one; null when never bought. */
  purchase: z
    .object({
      id: z.string(),
      status: purchaseStatusSchema,
      mode: checkoutModeSchema,
      createdAt: isoDateTime,
    })
    .nullable(),
  /** The version installed on the device, or null when the item is not installed. */
  installedVersion: z.string().nullable(),
});
export type DeviceItemAnswer = z.infer<typeof deviceItemAnswerSchema>;

export const deviceSearchResultSchema = z.object({
  kind: z.literal('device'),
  ...resultBase,
  name: z.string(),
  model: z.string(),
  firmwareVersion: z.string(),
  /**
   * Every item the device has bought, one line per item and mode: the newest active purchase, or
   * else the newest refunded one. Items first bought most recently first.
   */
  ownership: z.array(deviceOwnershipSchema),
  answer: deviceItemAnswerSchema.nullable(),
});

export const purchaseSearchResultSchema = z.object({
  kind: z.literal('purchase'),
  ...resultBase,
  deviceId: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  price: moneySchema,
  mode: checkoutModeSchema,
  status: purchaseStatusSchema,
  createdAt: isoDateTime,
});

/** Found by our id, by its Stripe Checkout Session id, or by its Stripe PaymentIntent id. */
export const checkoutSessionSearchResultSchema = z.object({
  kind: z.literal('checkout_session'),
  ...resultBase,
  mode: checkoutModeSchema,
  status: checkoutSessionStatusSchema,
  paymentStatus: paymentStatusSchema,
  total: moneySchema,
  stripeSessionId: z.string().nullable(),
  createdAt: isoDateTime,
});

export const itemSearchResultSchema = z.object({
  kind: z.literal('item'),
  ...resultBase,
  name: z.string(),
  instanceId: z.string(),
  price: moneySchema,
  listed: z.boolean(),
});

export const installJobSearchResultSchema = z.object({
  kind: z.literal('install_job'),
  ...resultBase,
  deviceId: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  version: z.string(),
  status: installStatusSchema,
  attempt: z.number().int().positive(),
  updatedAt: isoDateTime,
});

/** Only for admins, who alone see API keys; the prefix is what the key list shows, never the secret. */
export const apiKeySearchResultSchema = z.object({
  kind: z.literal('api_key'),
  ...resultBase,
  name: z.string(),
  prefix: z.string(),
  mode: checkoutModeSchema,
  revokedAt: isoDateTime.nullable(),
});

export const searchResultSchema = z.discriminatedUnion('kind', [
  deviceSearchResultSchema,
  purchaseSearchResultSchema,
  checkoutSessionSearchResultSchema,
  itemSearchResultSchema,
  installJobSearchResultSchema,
  apiKeySearchResultSchema,
]);
export type SearchResult = z.infer<typeof searchResultSchema>;
export type DeviceSearchResult = z.infer<typeof deviceSearchResultSchema>;

export const searchResponseSchema = z.object({
  /** The query as the BFF read it: trimmed. */
  query: z.string(),
  /** Best first, at most SEARCH_RESULTS_LIMIT; empty when nothing matches (still a 200). */
  results: z.array(searchResultSchema),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;
