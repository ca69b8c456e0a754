/**
 * The questions support asks on the Purchases page, as the dashboard sends them, chosen from the
 * large database: each is a list of request paths (under /api) that the load takes in turn, so
 * that a run reads many devices, items and weeks rather than one cached answer.
 */
import { encodeCursor } from '../http/cursor';
import type { Database } from '../db/database';
import { createPurchasesRepo } from '../modules/purchases/purchases.repo';
import { BENCH_ORGANISATION_ID } from './bench-settings';

export type Question = { label: string; paths: string[]; kind: 'list' | 'detail' };

/** A CSV export of about `rows` purchases: the newest days that hold them. */
export type CsvExport = { rows: number; path: string };

const DAY_MS = 86_400_000;
const PAGE = 'limit=25';

const query = (params: Record<string, string>) =>
  `/purchases?${new URLSearchParams({ ...params, limit: '25' }).toString()}`;

export async function supportQuestions(database: Database): Promise<{
  questions: Question[];
  deviceSearch: Question;
  csvExports: CsvExport[];
  purchases: number;
}> {
  const { db } = database;
  const org = BENCH_ORGANISATION_ID;
  const { purchases } = await db
    .selectFrom('purchases')
    .select((eb) => eb.fn.countAll<number>().as('purchases'))
    .executeTakeFirstOrThrow();
  if (purchases < 100_000)
    throw new Error(`The database holds only ${purchases} purchases. Run \`pnpm seed:large\`.`);

  // Every 100th device of the organisation: a few hundred, spread over every model.
  const devices = (
    await db
      .selectFrom('devices')
      .select('id')
      .where('organisationId', '=', org)
      .orderBy('id')
      .execute()
  )
    .map((d) => d.id)
    .filter((_, index) => index % 100 === 50);
  const items = (
    await db
      .selectFrom('marketplaceItems')
      .select('id')
      .where('organisationId', '=', org)
      .orderBy('id')
      .execute()
  ).map((i) => i.id);
  const span = await db
    .selectFrom('purchaseCounts')
    .select((eb) => [eb.fn.min('day').as('first'), eb.fn.max('day').as('last')])
    .where('organisationId', '=', org)
    .executeTakeFirstOrThrow();
  const last = Date.parse(`${span.last}T00:00:00Z`);
  const first = Date.parse(`${span.first}T00:00:00Z`);
  const day = (at: number) => new Date(at).toISOString().slice(0, 10);
  // A week in every fortnight of the history, newest first.
  const weeks = Array.from({ length: 60 }, (_, i) => last - (7 + i * 14) * DAY_MS)
    .filter((start) => start >= first)
    .map((start) => ({ from: day(start), to: day(start + 6 * DAY_MS) }));
  const months = weeks.map(({ from }) => ({
    from,
    to: day(Date.parse(`${from}T00:00:00Z`) + 29 * DAY_MS),
  }));

  // A device ID without its last two digits: ten devices; without its last four: a thousand.
  const prefixOf = (id: string, drop: number) => id.slice(0, id.length - drop);
  const rotate = <T>(values: T[], n: number, make: (value: T, i: number) => string) =>
    Array.from({ length: n }, (_, i) => make(values[i % values.length]!, i));

  // Purchases ids are random: every 100th of 50,000 in id order is spread over the history.
  const purchaseIds = (
    await db
      .selectFrom('purchases')
      .select('id')
      .where('organisationId', '=', org)
      .where('id', '>=', 'pur_f')
      .orderBy('id')
      .limit(50_000)
      .execute()
  )
    .map((p) => p.id)
    .filter((_, i) => i % 100 === 0);

  const deviceSearch: Question = {
    label: 'device ID, exact',
    kind: 'list',
    paths: rotate(devices, devices.length, (id) => query({ deviceId: id })),
  };
  const questions: Question[] = [
    { label: 'newest purchases, no filter', kind: 'list', paths: [`/purchases?${PAGE}`] },
    deviceSearch,
    {
      label: 'device ID prefix, 10 devices, lower case',
      kind: 'list',
      paths: rotate(devices, 200, (id) =>
        query({ deviceId: prefixOf(id, 2).toLowerCase(), deviceIdMatch: 'prefix' }),
      ),
    },
    {
      label: 'device ID prefix, 1,000 devices',
      kind: 'list',
      paths: rotate(devices, 60, (id) =>
        query({ deviceId: prefixOf(id, 4), deviceIdMatch: 'prefix' }),
      ),
    },
    {
      label: 'item',
      kind: 'list',
      paths: rotate(items, items.length, (itemId) => query({ itemId })),
    },
    {
      label: 'status: refunded, and active',
      kind: 'list',
      paths: [query({ status: 'refunded' }), query({ status: 'active' })],
    },
    {
      label: 'mode: live, and test',
      kind: 'list',
      paths: [query({ mode: 'live' }), query({ mode: 'test' })],
    },
    {
      label: 'date range: a week',
      kind: 'list',
      paths: weeks.map((week) => query(week)),
    },
    {
      label: 'item + status + mode + a month',
      kind: 'list',
      paths: rotate(months, 60, (month, i) =>
        query({
          itemId: items[i % items.length]!,
          status: i % 3 === 0 ? 'refunded' : 'active',
          mode: i % 2 === 0 ? 'live' : 'test',
          ...month,
        }),
      ),
    },
    {
      label: 'device prefix (10 devices) + item',
      kind: 'list',
      paths: rotate(devices, 200, (id, i) =>
        query({
          deviceId: prefixOf(id, 2),
          deviceIdMatch: 'prefix',
          itemId: items[i % items.length]!,
        }),
      ),
    },
    {
      label: 'device ID exact + mode',
      kind: 'list',
      paths: rotate(devices, devices.length, (id, i) =>
        query({ deviceId: id, mode: i % 2 === 0 ? 'live' : 'test' }),
      ),
    },
    {
      label: 'deep page: no filter, after 100,000 purchases',
      kind: 'list',
      paths: await deepPages(database, {}, [100_000, 200_000, 300_000]),
    },
    {
      label: 'deep page: item, after 20,000 purchases',
      kind: 'list',
      paths: await deepPages(
        database,
        { itemId: items[items.length - 1]! },
        [20_000, 25_000, 30_000],
      ),
    },
    {
      label: 'purchase detail',
      kind: 'detail',
      paths: purchaseIds.map((id) => `/purchases/${id}`),
    },
  ];

  // The newest whole days that hold at least this many purchases.
  const counts = await db
    .selectFrom('purchaseCounts')
    .select((eb) => ['day', eb.fn.sum<number>('count').as('count')])
    .where('organisationId', '=', org)
    .groupBy('day')
    .orderBy('day', 'desc')
    .execute();
  const exportOf = (rows: number): CsvExport => {
    let sum = 0;
    const from = counts.find((c) => (sum += Number(c.count)) >= rows)?.day ?? span.first;
    return {
      rows: sum,
      path: `/purchases/export.csv?${new URLSearchParams({ from, to: span.last })}`,
    };
  };

  return {
    questions,
    deviceSearch,
    csvExports: [exportOf(10_000), exportOf(100_000)],
    purchases,
  };
}

/**
 * Paths of pages far into a search: the cursor that page 1 hands out, moved to the row at each
 * offset, which is where a support agent who pressed "Load more" that often would be.
 */
async function deepPages(
  database: Database,
  filters: { itemId?: string },
  offsets: number[],
): Promise<string[]> {
  const repo = createPurchasesRepo(database);
  const first = await repo.list(BENCH_ORGANISATION_ID, {
    ...filters,
    deviceIdMatch: 'exact',
    limit: 25,
  });
  if (!first.nextCursor) throw new Error('The search fits on one page: no deep page to read.');
  const cursor = JSON.parse(Buffer.from(first.nextCursor, 'base64url').toString('utf8')) as Record<
    string,
    string | number
  >;
  const paths: string[] = [];
  for (const offset of offsets) {
    const row = await database.db
      .selectFrom('purchases')
      .select(['createdAt', 'id'])
      .where('organisationId', '=', BENCH_ORGANISATION_ID)
      .$if(filters.itemId !== undefined, (q) => q.where('itemId', '=', filters.itemId!))
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'desc')
      .offset(offset)
      .limit(1)
      .executeTakeFirstOrThrow();
    const moved = encodeCursor({ ...cursor, c: row.createdAt, i: row.id });
    paths.push(query({ ...filters, cursor: moved }));
  }
  return paths;
}
