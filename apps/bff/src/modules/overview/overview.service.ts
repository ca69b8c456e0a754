import {
  daysInRange,
  type Overview,
  type OverviewInstallDay,
  type OverviewItemTotals,
  type OverviewQuery,
} from '@repo/schemas';
import type { Actor } from '../../http/auth';
import type { OverviewRepo } from './overview.repo';

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The Overview of the caller's organisation: a handful of small reads (per-day totals, item
 * names, install outcomes) whatever the number of purchases, put together here.
 */
export function createOverviewService({ overview }: { overview: OverviewRepo }) {
  return {
    async get(actor: Actor, query: OverviewQuery): Promise<Overview> {
      const { organisationId } = actor;
      const [sales, outcomes, failures] = await Promise.all([
        overview.sales(organisationId, query),
        overview.installOutcomes(organisationId, query),
        overview.installFailures(organisationId, query),
      ]);
      const names = await overview.itemNames(organisationId, [
        ...new Set(sales.map((row) => row.itemId)),
      ]);

      // Amounts in different currencies are never added up: one total per item, mode and currency.
      const totals = new Map<string, OverviewItemTotals>();
      for (const row of sales) {
        const key = JSON.stringify([row.itemId, row.mode, row.currency]);
        const total = totals.get(key) ?? {
          itemId: row.itemId,
          itemName: names.get(row.itemId) ?? row.itemId,
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

      const days = new Map<string, OverviewInstallDay>(
        daysInRange(query.from, query.to).map((day) => [day, { day, succeeded: 0, failed: 0 }]),
      );
      for (const row of outcomes) {
        const day = days.get(row.day);
        if (day && (row.status === 'succeeded' || row.status === 'failed'))
          day[row.status] += row.count;
      }

      return {
        from: query.from,
        to: query.to,
        mode: query.mode ?? null,
        currencies: [...new Set(sales.map((row) => row.currency))].sort(byText),
        sales,
        items: [...totals.values()].sort(
          (a, b) =>
            b.purchases - a.purchases ||
            byText(a.itemName, b.itemName) ||
            byText(a.mode, b.mode) ||
            byText(a.currency, b.currency),
        ),
        installs: {
          days: [...days.values()],
          // Oldest day first, the commonest reason of a day first; "no reason given" last.
          failures: failures.sort(
            (a, b) =>
              byText(a.day, b.day) ||
              b.count - a.count ||
              (a.reason === null ? 1 : 0) - (b.reason === null ? 1 : 0) ||
              byText(a.reason ?? '', b.reason ?? ''),
          ),
        },
      };
    },
  };
}
export type OverviewService = ReturnType<typeof createOverviewService>;
