import type { CheckoutMode, OverviewSalesRow } from '@repo/schemas';
import type { Database } from '../../db/database';

/** Whole UTC days from `from` to `to`, both included, in one mode or both. */
export type OverviewRange = { from: string; to: string; mode?: CheckoutMode };

const START_OF_DAY = 'T00:00:00.000Z';
const END_OF_DAY = 'T23:59:59.999Z';

/**
 * What the Overview charts, read without touching a purchase: sales from the per-day totals the
 * purchases repo keeps (a row per day, mode, item and currency), installs from the jobs that ended
 * in the range, walked along their (organisation, finished_at) index.
 */
export function createOverviewRepo(database: Database) {
  /** Jobs of the organisation that ended in the range, in its mode: succeeded or failed. */
  const endedJobs = (organisationId: string, range: OverviewRange) =>
    database.db
      .selectFrom('installJobs as j')
      .where('j.organisationId', '=', organisationId)
      .where('j.finishedAt', '>=', `${range.from}${START_OF_DAY}`)
      .where('j.finishedAt', '<=', `${range.to}${END_OF_DAY}`)
      .$if(range.mode !== undefined, (q) =>
        q.where(({ exists, selectFrom, lit }) =>
          exists(
            selectFrom('entitlements as e')
              .select(lit(1).as('one'))
              .whereRef('e.id', '=', 'j.entitlementId')
              .where('e.mode', '=', range.mode!),
          ),
        ),
      );

  return {
    /** One row per day, mode, item and currency that had a purchase or a refund; oldest first. */
    sales: (organisationId: string, range: OverviewRange): Promise<OverviewSalesRow[]> =>
      database.db
        .selectFrom('salesDayTotals')
        .select([
          'day',
          'mode',
          'itemId',
          'currency',
          'purchases',
          'grossAmount',
          'refunds',
          'refundedAmount',
        ])
        .where('organisationId', '=', organisationId)
        .where('day', '>=', range.from)
        .where('day', '<=', range.to)
        .$if(range.mode !== undefined, (q) => q.where('mode', '=', range.mode!))
        .orderBy('day')
        .orderBy('mode')
        .orderBy('itemId')
        .orderBy('currency')
        .execute(),

    /** The names of the organisation's items among `itemIds`. */
    async itemNames(organisationId: string, itemIds: string[]): Promise<Map<string, string>> {
      if (itemIds.length === 0) return new Map();
      const rows = await database.db
        .selectFrom('marketplaceItems')
        .select(['id', 'name'])
        .where('organisationId', '=', organisationId)
        .where('id', 'in', itemIds)
        .execute();
      return new Map(rows.map((row) => [row.id, row.name]));
    },

    /** Succeeded and failed jobs per UTC day they ended; days with neither are left out. */
    installOutcomes: (organisationId: string, range: OverviewRange) =>
      endedJobs(organisationId, range)
        .select((eb) => [
          eb.fn<string>('substr', ['j.finishedAt', eb.lit(1), eb.lit(10)]).as('day'),
          'j.status',
          eb.fn.countAll<number>().as('count'),
        ])
        .where('j.status', 'in', ['succeeded', 'failed'])
        .groupBy((eb) => [eb.fn('substr', ['j.finishedAt', eb.lit(1), eb.lit(10)]), 'j.status'])
        .execute(),

    /** Failed jobs per UTC day they ended and reason, in no particular order. */
    installFailures: (organisationId: string, range: OverviewRange) =>
      endedJobs(organisationId, range)
        .select((eb) => [
          eb.fn<string>('substr', ['j.finishedAt', eb.lit(1), eb.lit(10)]).as('day'),
          'j.reason',
          eb.fn.countAll<number>().as('count'),
        ])
        .where('j.status', '=', 'failed')
        .groupBy((eb) => [eb.fn('substr', ['j.finishedAt', eb.lit(1), eb.lit(10)]), 'j.reason'])
        .execute(),
  };
}
export type OverviewRepo = ReturnType<typeof createOverviewRepo>;
