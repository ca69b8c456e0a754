import { z } from 'zod';
import {
  amountsSchema,
  checkoutAttemptSchema,
  checkoutSessionStatusSchema,
  paymentStatusSchema,
  purchaseStatusSchema,
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
import { entitlementSchema } from './device-detail';

export const refundStatusSchema = z.enum(['requested', 'succeeded', 'failed']);
export type RefundStatus = z.infer<typeof refundStatusSchema>;

export const refundSchema = z.object({
  id: z.string(),
  purchaseId: z.string(),
  amount: moneySchema,
  status: refundStatusSchema,
  createdAt: isoDateTime,
  completedAt: isoDateTime.nullable(),
  /** Why the marketplace refunded it by itself (a duplicate purchase); null when someone asked. */
  reason: z.string().nullable(),
});
export type Refund = z.infer<typeof refundSchema>;

/** A day (`2026-11-21`, the whole UTC day) or an exact ISO-8601 date-time. */
export const dateBoundSchema = z.union([z.iso.date(), isoDateTime], {
  error: 'a date (YYYY-MM-DD) or an ISO-8601 date-time',
});

/**
 * A bound as the instant it stands for, in the one format stored timestamps use, so that bounds
 * compare as text: a day starts at its first millisecond and, as an upper bound, ends at its last.
 */
export function dateBoundToIso(bound: string, edge: 'start' | 'end'): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(bound))
    return `${bound}T${edge === 'start' ? '00:00:00.000' : '23:59:59.999'}Z`;
  return new Date(bound).toISOString();
}

export const deviceIdMatchSchema = z.enum(['exact', 'prefix']);
export type DeviceIdMatch = z.infer<typeof deviceIdMatchSchema>;

const purchaseFilterFields = {
  /** Matched ignoring letter case: IDs are read off labels. */
  deviceId: deviceIdSchema.optional(),
  deviceIdMatch: deviceIdMatchSchema.default('exact'),
  itemId: z.string().trim().min(1).max(64).optional(),
  status: purchaseStatusSchema.optional(),
  mode: checkoutModeSchema.optional(),
  from: dateBoundSchema.optional(),
  to: dateBoundSchema.optional(),
};

function boundsInOrder(value: { from?: string; to?: string }, ctx: z.RefinementCtx) {
  if (
    value.from &&
    value.to &&
    dateBoundToIso(value.from, 'start') > dateBoundToIso(value.to, 'end')
  )
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before "from"' });
}

/** Unknown parameters are refused: a misspelt filter must not quietly answer "everything". */
export const purchaseFiltersSchema = z
  .strictObject(purchaseFilterFields)
  .superRefine(boundsInOrder);
export type PurchaseFilters = z.output<typeof purchaseFiltersSchema>;

export const purchasesQuerySchema = z
  .strictObject({ ...purchaseFilterFields, cursor: cursorSchema, limit: limitSchema })
  .superRefine(boundsInOrder);
export type PurchasesQuery = z.input<typeof purchasesQuerySchema>;

export const purchaseSchema = z.object({
  id: z.string(),
  deviceId: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  price: moneySchema,
  mode: checkoutModeSchema,
  status: purchaseStatusSchema,
  checkoutSessionId: z.string(),
  createdAt: isoDateTime,
  refundedAt: isoDateTime.nullable(),
});
export type Purchase = z.infer<typeof purchaseSchema>;

export const purchasesPageSchema = pageSchema(purchaseSchema);
export type PurchasesPage = z.infer<typeof purchasesPageSchema>;

/** The entitlement a purchase granted, as its detail page shows it. */
const purchaseEntitlementSchema = entitlementSchema.pick({
  id: true,
  mode: true,
  status: true,
  createdAt: true,
  revokedAt: true,
});

export const purchaseDetailSchema = purchaseSchema.extend({
  device: z.object({
    id: z.string(),
    name: z.string(),
    model: z.string(),
    firmwareVersion: z.string(),
  }),
  /** What this purchase paid, and how it splits between the marketplace and the provider. */
  fees: z.object({
    price: moneySchema,
    /** This purchase's share of its checkout session's platform fee, in proportion to its price. */
    platformFee: moneySchema,
    providerNet: moneySchema,
  }),
  checkoutSession: z.object({
    id: z.string(),
    status: checkoutSessionStatusSchema,
    paymentStatus: paymentStatusSchema,
    createdAt: isoDateTime,
    createdBy: z.string().nullable(),
    amounts: amountsSchema,
    /** What Stripe last reported refunded on the session's payment, in minor units. */
    amountRefunded: z.number().int().nonnegative(),
    attempts: z.array(checkoutAttemptSchema),
  }),
  stripe: z.object({
    checkoutSessionId: z.string().nullable(),
    paymentIntentId: z.string().nullable(),
    refundId: z.string().nullable(),
  }),
  entitlement: purchaseEntitlementSchema.nullable(),
  refund: refundSchema.nullable(),
  /** This device's install jobs for this item, newest first. */
  installs: z.array(installJobSchema),
});
export type PurchaseDetail = z.infer<typeof purchaseDetailSchema>;
