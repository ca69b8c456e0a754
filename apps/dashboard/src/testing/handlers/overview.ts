import { http, HttpResponse } from 'msw';
import {
  daysInRange,
  overviewQuerySchema,
  overviewSchema,
  type CheckoutMode,
  type Overview,
  type OverviewInstallFailure,
  type OverviewItemTotals,
  type OverviewSalesRow,
} from '@repo/schemas';
import { apiError } from './errors';
import { items } from './marketplaces';

/** The demo marketplace opened on this day: a range before it has nothing to show. */
export const MARKETPLACE_OPENED = '2026-01-01';

export const FAILURE_REASONS = [
  'Download timed out after 300 s.',
  'Checksum mismatch on the downloaded package.',
  'Not enough free storage on the device.',
  null,
] as const;

export const overviewState = { requests: [] as URL[] };

export function resetOverviewState(): void {
  overviewState.requests.length = 0;
}

/** A number from a day and a salt that stays the same from one run to the next. */
function seeded(day: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (const ch of day) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return Math.abs(h);
}

/**
 * A stand-in for the BFF's overview over the fixture catalogue: every day since the marketplace
 * opened has a few sales of its listed products in both modes, now and then a refund, and some
 * installs, a few of which fail for one of a handful of reasons.
 */
export function overviewFixture(from: string, to: string, mode?: CheckoutMode): Overview {
  const modes: CheckoutMode[] = mode ? [mode] : ['live', 'test'];
  const sales: OverviewSalesRow[] = [];
  const failures: OverviewInstallFailure[] = [];
  const days = daysInRange(from, to);
  const installDays = days.map((day) => {
    if (day < MARKETPLACE_OPENED) return { day, succeeded: 0, failed: 0 };
    const failed = seeded(day, 7) % 3;
    for (let n = 0; n < failed; n += 1)
      failures.push({
        day,
        reason: FAILURE_REASONS[(seeded(day, 11) + n) % FAILURE_REASONS.length]!,
        count: 1,
      });
    return { day, succeeded: (seeded(day, 5) % 6) * modes.length, failed };
  });
  for (const day of days.filter((d) => d >= MARKETPLACE_OPENED))
    for (const m of modes)
      items
        .filter((item) => item.listed)
        .forEach((item, i) => {
          const purchases = seeded(day, i * 2 + (m === 'live' ? 1 : 2)) % (m === 'live' ? 4 : 3);
          const refunds = seeded(day, 13 + i) % 9 === 0 && m === 'live' ? 1 : 0;
          if (!purchases && !refunds) return;
          sales.push({
            day,
            mode: m,
            itemId: item.id,
            currency: item.price.currency,
            purchases,
            grossAmount: purchases * item.price.amount,
            refunds,
            refundedAmount: refunds * item.price.amount,
          });
        });
  // Failures per day and reason, as the BFF groups them.
  const grouped = new Map<string, OverviewInstallFailure>();
  for (const f of failures) {
    const key = `${f.day}|${f.reason}`;
    const known = grouped.get(key);
    if (known) known.count += f.count;
    else grouped.set(key, { ...f });
  }
  const totals = new Map<string, OverviewItemTotals>();
  for (const row of sales) {
    const key = `${row.itemId}|${row.mode}|${row.currency}`;
    const item = items.find((i) => i.id === row.itemId)!;
    const total = totals.get(key) ?? {
      itemId: row.itemId,
      itemName: item.name,
      mode: row.mode,
      currency: row.currency,
      purchases: 0,
      grossAmount: 0,
      refunds: 0,
      refundedAmount: 0,
    };
    total.purchases += row.purchases;
    total.grossAmount += row.grossAmount;
    total.refunds += row.refunds;
    total.refundedAmount += row.refundedAmount;
    totals.set(key, total);
  }
  return overviewSchema.parse({
    from,
    to,
    mode: mode ?? null,
    currencies: [...new Set(sales.map((s) => s.currency))].sort(),
    sales,
    items: [...totals.values()].sort((a, b) => b.purchases - a.purchases),
    installs: { days: installDays, failures: [...grouped.values()] },
  });
}

export const overviewHandlers = [
  http.get('/api/overview', ({ request }) => {
    const url = new URL(request.url);
    overviewState.requests.push(url);
    const query = overviewQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success)
      return apiError(400, 'VALIDATION_FAILED', 'The request query is not valid.');
    return HttpResponse.json(overviewFixture(query.data.from, query.data.to, query.data.mode));
  }),
];
