import { z } from 'zod';
import { currencySchema, moneySchema } from './common';

export const marketplaceInstanceSchema = z.object({
  id: z.string(),
  name: z.string(),
  currency: currencySchema,
  /** Platform fee in basis points of the basket total (250 = 2.5 %). */
  platformFeeBps: z.number().int().min(0).max(10_000),
});
export type MarketplaceInstance = z.infer<typeof marketplaceInstanceSchema>;

export const marketplaceInstancesSchema = z.object({ items: z.array(marketplaceInstanceSchema) });

export const marketplaceItemSchema = z.object({
  id: z.string(),
  instanceId: z.string(),
  name: z.string(),
  description: z.string(),
  price: moneySchema,
  listed: z.boolean(),
  compatibleModels: z.array(z.string()),
});
export type MarketplaceItem = z.infer<typeof marketplaceItemSchema>;

export const marketplaceItemsSchema = z.object({ items: z.array(marketplaceItemSchema) });

export const marketplaceItemsQuerySchema = z.object({
  listed: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export type MarketplaceItemsQuery = z.input<typeof marketplaceItemsQuerySchema>;
