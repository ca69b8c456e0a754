import { daysInRange, type CheckoutMode, type Overview } from '@repo/schemas';

/**
 * The overview's answer turned into what each chart draws: one point for every day of the range,
 * zeros included, so that a quiet day shows as a gap in the bars and not as a missing day.
 */

export type SalesPoint = {
  day: string;
  livePurchases: number;
  testPurchases: number;
  liveGross: number;
  testGross: number;
  liveRefunds: number;
  testRefunds: number;
  liveRefunded: number;
  testRefunded: number;
};

export type SalesTotals = Record<
  CheckoutMode,
  { purchases: number; gross: number; refunds: number; refunded: number }
>;

/** Sales and refunds per day in one currency, of one product or all; amounts in minor units. */
export function salesSeries(
  overview: Overview,
  currency: string,
  itemId: string | undefined,
): SalesPoint[] {
  const points = new Map<string, SalesPoint>(
    daysInRange(overview.from, overview.to).map((day) => [
      day,
      {
        day,
        livePurchases: 0,
        testPurchases: 0,
        liveGross: 0,
        testGross: 0,
        liveRefunds: 0,
        testRefunds: 0,
        liveRefunded: 0,
        testRefunded: 0,
      },
    ]),
  );
  for (const row of overview.sales) {
    const point = points.get(row.day);
    if (!point || row.currency !== currency || (itemId && row.itemId !== itemId)) continue;
    point[`${row.mode}Purchases`] += row.purchases;
    point[`${row.mode}Gross`] += row.grossAmount;
    point[`${row.mode}Refunds`] += row.refunds;
    point[`${row.mode}Refunded`] += row.refundedAmount;
  }
  return [...points.values()];
}

export function salesTotals(points: SalesPoint[]): SalesTotals {
  const totals: SalesTotals = {
    live: { purchases: 0, gross: 0, refunds: 0, refunded: 0 },
    test: { purchases: 0, gross: 0, refunds: 0, refunded: 0 },
  };
  for (const point of points)
    for (const mode of ['live', 'test'] as const) {
      totals[mode].purchases += point[`${mode}Purchases`];
      totals[mode].gross += point[`${mode}Gross`];
      totals[mode].refunds += point[`${mode}Refunds`];
      totals[mode].refunded += point[`${mode}Refunded`];
    }
  return totals;
}

export type ItemPurchases = {
  itemId: string;
  itemName: string;
  live: number;
  test: number;
  refunds: number;
  /** What the item's purchases were paid, one amount per currency: never added across them. */
  gross: { amount: number; currency: string }[];
};

/** Purchases per product, both modes side by side; counts add up across currencies, money does not. */
export function purchasesPerItem(overview: Overview): ItemPurchases[] {
  const byItem = new Map<string, ItemPurchases>();
  for (const row of overview.items) {
    const item = byItem.get(row.itemId) ?? {
      itemId: row.itemId,
      itemName: row.itemName,
      live: 0,
      test: 0,
      refunds: 0,
      gross: [],
    };
    item[row.mode] += row.purchases;
    item.refunds += row.refunds;
    const money = item.gross.find((g) => g.currency === row.currency);
    if (money) money.amount += row.grossAmount;
    else item.gross.push({ amount: row.grossAmount, currency: row.currency });
    byItem.set(row.itemId, item);
  }
  return [...byItem.values()].sort(
    (a, b) => b.live + b.test - (a.live + a.test) || a.itemName.localeCompare(b.itemName),
  );
}

export type InstallPoint = {
  day: string;
  succeeded: number;
  failed: number;
  /** Succeeded out of succeeded and failed, in percent; null on a day with neither. */
  successRate: number | null;
};

const percent = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 10;

export function installSeries(overview: Overview): InstallPoint[] {
  const byDay = new Map(overview.installs.days.map((d) => [d.day, d]));
  return daysInRange(overview.from, overview.to).map((day) => {
    const { succeeded = 0, failed = 0 } = byDay.get(day) ?? {};
    return { day, succeeded, failed, successRate: percent(succeeded, succeeded + failed) };
  });
}

export function installTotals(points: InstallPoint[]) {
  const succeeded = points.reduce((sum, p) => sum + p.succeeded, 0);
  const failed = points.reduce((sum, p) => sum + p.failed, 0);
  return { succeeded, failed, successRate: percent(succeeded, succeeded + failed) };
}

export const NO_REASON = 'No reason given';
export const OTHER_REASONS = 'Other reasons';

export type FailureReasons = {
  /** The reasons charted, most failures first; the rest are folded into "Other reasons". */
  reasons: { key: string; label: string; total: number }[];
  /** Failures per day, one count per reason key. */
  points: ({ day: string } & Record<string, number | string>)[];
  /** Every reason with its total, most first, for the table. */
  all: { label: string; total: number }[];
};

/** Failures by reason per day: the `top` most frequent reasons apart, the others together. */
export function failureReasons(overview: Overview, top = 5): FailureReasons {
  const totals = new Map<string, number>();
  for (const f of overview.installs.failures) {
    const label = f.reason ?? NO_REASON;
    totals.set(label, (totals.get(label) ?? 0) + f.count);
  }
  const all = [...totals]
    .map(([label, total]) => ({ label, total }))
    .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
  const charted = all.length > top + 1 ? all.slice(0, top) : all;
  const keyOf = new Map(charted.map((r, i) => [r.label, `reason${i}`]));
  const reasons = charted.map((r, i) => ({ key: `reason${i}`, label: r.label, total: r.total }));
  if (charted.length < all.length)
    reasons.push({
      key: 'other',
      label: OTHER_REASONS,
      total: all.slice(charted.length).reduce((sum, r) => sum + r.total, 0),
    });
  const points = daysInRange(overview.from, overview.to).map((day) => {
    const point: { day: string } & Record<string, number | string> = { day };
    for (const r of reasons) point[r.key] = 0;
    return point;
  });
  const byDay = new Map(points.map((p) => [p.day, p]));
  for (const f of overview.installs.failures) {
    const point = byDay.get(f.day);
    if (!point) continue;
    const key = keyOf.get(f.reason ?? NO_REASON) ?? 'other';
    point[key] = Number(point[key]) + f.count;
  }
  return { reasons, points, all };
}
