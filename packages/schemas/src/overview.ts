import { z } from 'zod';
import { checkoutModeSchema, currencySchema } from './common';

/**
 * `GET /api/overview?from=YYYY-MM-DD&to=YYYY-MM-DD[&mode=test|live]`: what the Overview page
 * charts, for whole UTC days from `from` to `to`, both included.
 *
 * Money: every amount is an integer in minor units beside its currency, and amounts in different
 * currencies are never added up, by the BFF or the dashboard. Sales rows and item totals are kept
 * apart per currency; a page with several currencies charts one currency at a time.
 */

export const OVERVIEW_MAX_DAYS = 366;

const DAY_MS = 86_400_000;

/** Every UTC day from `from` to `to`, both included, as `YYYY-MM-DD`. */
export function daysInRange(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** `day` moved by a whole number of UTC days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export const overviewQuerySchema = z
  .strictObject({
    from: z.iso.date(),
    to: z.iso.date(),
    /** Both modes when left out. */
    mode: checkoutModeSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.from > value.to)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before "from"' });
    else if (daysInRange(value.from, value.to).length > OVERVIEW_MAX_DAYS)
      ctx.addIssue({
        code: 'custom',
        path: ['from'],
        message: `at most ${OVERVIEW_MAX_DAYS} days at a time`,
      });
  });
export type OverviewQuery = z.infer<typeof overviewQuerySchema>;

const count = z.number().int().nonnegative();
const minorUnits = z.number().int().nonnegative();

/**
 * One day's sales of one item in one mode and currency. A purchase counts on the UTC day it was
 * made, at the price paid (after any discount, before the platform fee); a refund counts on the
 * day it was refunded, whenever the purchase was made. Days with neither are left out.
 */
export const overviewSalesRowSchema = z.object({
  day: z.iso.date(),
  mode: checkoutModeSchema,
  itemId: z.string(),
  currency: currencySchema,
  purchases: count,
  grossAmount: minorUnits,
  refunds: count,
  refundedAmount: minorUnits,
});
export type OverviewSalesRow = z.infer<typeof overviewSalesRowSchema>;

/** One item's totals over the range, per mode and currency: every item that appears in `sales`. */
export const overviewItemTotalsSchema = z.object({
  itemId: z.string(),
  itemName: z.string(),
  mode: checkoutModeSchema,
  currency: currencySchema,
  purchases: count,
  grossAmount: minorUnits,
  refunds: count,
  refundedAmount: minorUnits,
});
export type OverviewItemTotals = z.infer<typeof overviewItemTotalsSchema>;

/**
 * Install jobs that ended on a UTC day, by outcome; one row for every day of the range, zeros
 * included. A job counts in the mode of the entitlement it was queued under. Cancelled jobs are
 * not outcomes; each retry is a job of its own.
 */
export const overviewInstallDaySchema = z.object({
  day: z.iso.date(),
  succeeded: count,
  failed: count,
});
export type OverviewInstallDay = z.infer<typeof overviewInstallDaySchema>;

/** Failed jobs of one day with the same reason, as the device reported it (null: none given). */
export const overviewInstallFailureSchema = z.object({
  day: z.iso.date(),
  reason: z.string().nullable(),
  count: z.number().int().positive(),
});
export type OverviewInstallFailure = z.infer<typeof overviewInstallFailureSchema>;

export const overviewSchema = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  mode: checkoutModeSchema.nullable(),
  /** Every currency in `sales`, sorted. */
  currencies: z.array(currencySchema),
  sales: z.array(overviewSalesRowSchema),
  /** Most purchases first. */
  items: z.array(overviewItemTotalsSchema),
  installs: z.object({
    days: z.array(overviewInstallDaySchema),
    failures: z.array(overviewInstallFailureSchema),
  }),
});
export type Overview = z.infer<typeof overviewSchema>;
