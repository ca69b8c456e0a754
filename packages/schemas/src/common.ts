import { z } from 'zod';

export const isoDateTime = z.iso.datetime({ offset: true });

export const roleSchema = z.enum(['admin', 'support', 'operator']);
export type Role = z.infer<typeof roleSchema>;

export const checkoutModeSchema = z.enum(['test', 'live']);
export type CheckoutMode = z.infer<typeof checkoutModeSchema>;

/** Money is always an integer in minor units with its currency. */
export const currencySchema = z.string().regex(/^[a-z]{3}$/, 'a lowercase ISO-4217 currency code');
export const moneySchema = z.object({
  amount: z.number().int().nonnegative(),
  currency: currencySchema,
});
export type Money = z.infer<typeof moneySchema>;

export const errorDetailSchema = z.object({
  path: z.string(),
  message: z.string(),
  /** Set when the detail is about one device × item, so that a client can act on it. */
  deviceId: z.string().optional(),
  itemId: z.string().optional(),
  /** The other checkout that already holds the device × item, to continue or cancel. */
  checkoutSessionId: z.string().optional(),
  /** The purchase that already entitles the device to the item. */
  purchaseId: z.string().optional(),
});
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string().optional(),
    details: z.array(errorDetailSchema).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const limitSchema = z.coerce.number<string | number>().int().min(1).max(100).default(25);
export const cursorSchema = z.string().min(1).max(512).optional();

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
    total: z.number().int().nonnegative(),
  });
}
export type Page<T> = { items: T[]; nextCursor: string | null; total: number };

export const healthSchema = z.object({ status: z.literal('ok') });
