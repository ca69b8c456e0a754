import { createHash } from 'node:crypto';
import { expressionBuilder, sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import { z } from 'zod';
import { allocateProportionally, normaliseDeviceId } from '@repo/domain';
import {
  dateBoundToIso,
  type CheckoutMode,
  type Purchase,
  type PurchaseDetail,
  type PurchaseFilters,
  type StorefrontPurchase,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { DB, NewRow, PurchasesTable, Row } from '../../db/schema';
import { decodeCursor, keysetPage } from '../../http/cursor';
import { csvText } from '../../lib/csv';

/**
 * The purchase read model: one query for the rows every audience reads, one filter, one cursor,
 * and a projection per audience (the dashboard, the storefront API and provider webhooks, the
 * CSV export). The writes that keep `purchase_counts` right live here too, since nothing else
 * may insert or change a purchase.
 */

/** Every column a projection reads: the purchase and its item's name. */
const purchaseRows = (db: Kysely<DB>) =>
  db
    .selectFrom('purchases as p')
    .innerJoin('marketplaceItems as i', 'i.id', 'p.itemId')
    .select([
      'p.id',
      'p.deviceId',
      'p.itemId',
      'i.name as itemName',
      'p.amount',
      'p.amountDiscount',
      'p.currency',
      'p.mode',
      'p.status',
      'p.checkoutSessionId',
      'p.createdAt',
      'p.refundedAt',
    ]);
export type PurchaseRow = Awaited<
  ReturnType<ReturnType<typeof purchaseRows>['executeTakeFirstOrThrow']>
>;

/** The dashboard's purchase (lists and the first part of the detail). */
export const toPurchase = (row: PurchaseRow): Purchase => ({
  id: row.id,
  deviceId: row.deviceId,
  itemId: row.itemId,
  itemName: row.itemName,
  price: { amount: row.amount, currency: row.currency },
  mode: row.mode,
  status: row.status,
  checkoutSessionId: row.checkoutSessionId,
  createdAt: row.createdAt,
  refundedAt: row.refundedAt,
});

/** The purchase as the storefront API and providers' webhooks describe it. */
export const toStorefrontPurchase = (row: PurchaseRow): StorefrontPurchase => ({
  id: row.id,
  checkoutSessionId: row.checkoutSessionId,
  deviceId: row.deviceId,
  itemId: row.itemId,
  itemName: row.itemName,
  mode: row.mode,
  price: { amount: row.amount, currency: row.currency },
  discount: row.amountDiscount > 0 ? { amount: row.amountDiscount, currency: row.currency } : null,
  status: row.status,
  createdAt: row.createdAt,
  refundedAt: row.refundedAt,
});

export const PURCHASE_CSV_COLUMNS = [
  'purchase_id',
  'created_at',
  'device_id',
  'item_id',
  'item_name',
  'mode',
  'status',
  'amount_minor_units',
  'currency',
  'refunded_at',
  'checkout_session_id',
] as const;

/** One CSV record, in the order of PURCHASE_CSV_COLUMNS. */
export const toCsvRecord = (row: PurchaseRow): (string | number)[] => [
  row.id,
  row.createdAt,
  row.deviceId,
  row.itemId,
  // Only provider-written text (item names) can start like a formula.
  csvText(row.itemName),
  row.mode,
  row.status,
  row.amount,
  row.currency,
  row.refundedAt ?? '',
  row.checkoutSessionId,
];

/**
 * Where the last page ended (by created_at, then id), the total counted for the first page, and
 * which filter (and order) that total belongs to: later pages reuse it instead of counting again.
 * Newest first, rows that arrive meanwhile are newer than the cursor, so they never join later
 * pages and the total holds.
 */
const purchaseCursorSchema = z.object({
  c: z.string(),
  i: z.string(),
  t: z.number().int().nonnegative(),
  f: z.string(),
});

/** Every character a device ID may hold sorts below this one. */
const AFTER_EVERY_ID_CHARACTER = '\u007f';
const START_OF_DAY = 'T00:00:00.000Z';
const END_OF_DAY = 'T23:59:59.999Z';

/**
 * A device prefix matching more rows than this is paged along the time index on SQLite, filtering
 * as it goes (a page then reads a few hundred rows), rather than sorting every match for each page.
 */
const BROAD_PREFIX_ROWS = 2000;

/** Filters as the queries take them: device IDs in their stored case, bounds as instants. */
type Search = {
  organisationId: string;
  deviceId?: string;
  deviceIdMatch: 'exact' | 'prefix';
  itemId?: string;
  status?: Purchase['status'];
  mode?: CheckoutMode;
  from?: string;
  to?: string;
};

const toSearch = (organisationId: string, filters: PurchaseFilters): Search => ({
  organisationId,
  deviceId: filters.deviceId === undefined ? undefined : normaliseDeviceId(filters.deviceId),
  deviceIdMatch: filters.deviceIdMatch,
  itemId: filters.itemId,
  status: filters.status,
  mode: filters.mode,
  from: filters.from && dateBoundToIso(filters.from, 'start'),
  to: filters.to && dateBoundToIso(filters.to, 'end'),
});

type Order = 'newest' | 'oldest';

/** Hashed only when a cursor is read or written: most device searches fit on one page. */
const searchKey = (search: Search, order: Order) =>
  createHash('sha256')
    .update(JSON.stringify({ ...search, order }))
    .digest('base64url')
    .slice(0, 16);

const p = expressionBuilder<{ p: PurchasesTable }, 'p'>();

/**
 * The WHERE clause of a search, over `purchases as p`. `walkTime` keeps SQLite's planner off the
 * device index for a prefix known to be broad (`+col` is no longer a plain column reference), so
 * that it walks the time index newest first and stops after a page instead of sorting every match.
 */
function searchFilter(search: Search, { walkTime = false } = {}): Expression<SqlBool> {
  const clauses: Expression<SqlBool>[] = [p('p.organisationId', '=', search.organisationId)];
  if (search.deviceId !== undefined) {
    if (search.deviceIdMatch === 'prefix') {
      // A range rather than LIKE: it walks the device index and needs no escaping.
      const device = walkTime ? sql<string>`+${p.ref('p.deviceId')}` : p.ref('p.deviceId');
      clauses.push(
        p(device, '>=', search.deviceId),
        p(device, '<', search.deviceId + AFTER_EVERY_ID_CHARACTER),
      );
    } else {
      clauses.push(p('p.deviceId', '=', search.deviceId));
    }
  }
  if (search.itemId !== undefined) clauses.push(p('p.itemId', '=', search.itemId));
  if (search.status !== undefined) clauses.push(p('p.status', '=', search.status));
  if (search.mode !== undefined) clauses.push(p('p.mode', '=', search.mode));
  if (search.from !== undefined) clauses.push(p('p.createdAt', '>=', search.from));
  if (search.to !== undefined) clauses.push(p('p.createdAt', '<=', search.to));
  return p.and(clauses);
}

/**
 * Rows per INSERT: a few hundred keep every statement far below either database's limit on bound
 * parameters, and PostgreSQL plans a VALUES list of thousands of rows more slowly per row.
 */
const ROWS_PER_STATEMENT = 250;

function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT)
    yield rows.slice(start, start + ROWS_PER_STATEMENT);
}

type CountKey = {
  organisationId: string;
  day: string;
  mode: CheckoutMode;
  status: Purchase['status'];
  itemId: string;
};
const countKeyOf = (k: CountKey) => [k.organisationId, k.day, k.mode, k.status, k.itemId];
const dayOf = (instant: string) => instant.slice(0, 10);

/** What a day's sales of one item in one mode and currency gain from a purchase or a refund. */
type SalesChange = Row<'salesDayTotals'>;
const salesKeyOf = (k: SalesChange) => [k.organisationId, k.day, k.mode, k.itemId, k.currency];

const purchaseMade = (row: NewRow<'purchases'>): SalesChange => ({
  organisationId: row.organisationId,
  day: dayOf(row.createdAt),
  mode: row.mode,
  itemId: row.itemId,
  currency: row.currency,
  purchases: 1,
  grossAmount: row.amount,
  refunds: 0,
  refundedAmount: 0,
});

const purchaseRefunded = (
  row: Pick<NewRow<'purchases'>, 'organisationId' | 'mode' | 'itemId' | 'currency' | 'amount'>,
  refundedAt: string,
): SalesChange => ({
  organisationId: row.organisationId,
  day: dayOf(refundedAt),
  mode: row.mode,
  itemId: row.itemId,
  currency: row.currency,
  purchases: 0,
  grossAmount: 0,
  refunds: 1,
  refundedAmount: row.amount,
});

/**
 * Changes merged per key and sorted by it, so that two transactions adding to the same rows on
 * PostgreSQL lock them in the same order and never deadlock.
 */
function mergedInKeyOrder<C>(
  changes: C[],
  keyOf: (change: C) => string[],
  merge: (into: C, change: C) => void,
): C[] {
  const byKey = new Map<string, C>();
  for (const change of changes) {
    const key = JSON.stringify(keyOf(change));
    const seen = byKey.get(key);
    if (seen) merge(seen, change);
    else byKey.set(key, { ...change });
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, change]) => change);
}

export function createPurchasesRepo(database: Database) {
  /** Adds `delta` to each count, in key order (mergedInKeyOrder). */
  async function addToCounts(changes: (CountKey & { delta: number })[]): Promise<void> {
    const sorted = mergedInKeyOrder(changes, countKeyOf, (into, change) => {
      into.delta += change.delta;
    });
    const additions = sorted.filter((c) => c.delta > 0);
    const removals = sorted.filter((c) => c.delta < 0);
    const { db } = database;
    for (const c of removals) {
      await db
        .updateTable('purchaseCounts')
        .set((eb) => ({ count: eb('count', '-', -c.delta) }))
        .where('organisationId', '=', c.organisationId)
        .where('day', '=', c.day)
        .where('mode', '=', c.mode)
        .where('status', '=', c.status)
        .where('itemId', '=', c.itemId)
        .execute();
    }
    for (const chunk of chunks(additions)) {
      await db
        .insertInto('purchaseCounts')
        .values(chunk.map(({ delta, ...key }) => ({ ...key, count: delta })))
        .onConflict((oc) =>
          oc.columns(['organisationId', 'day', 'mode', 'status', 'itemId']).doUpdateSet((eb) => ({
            count: eb('purchaseCounts.count', '+', eb.ref('excluded.count')),
          })),
        )
        .execute();
    }
  }

  /** Adds purchases and refunds to the per-day sales totals the Overview reads, in key order. */
  async function addToSalesTotals(changes: SalesChange[]): Promise<void> {
    const sorted = mergedInKeyOrder(changes, salesKeyOf, (into, change) => {
      into.purchases += change.purchases;
      into.grossAmount += change.grossAmount;
      into.refunds += change.refunds;
      into.refundedAmount += change.refundedAmount;
    });
    for (const chunk of chunks(sorted)) {
      await database.db
        .insertInto('salesDayTotals')
        .values(chunk)
        .onConflict((oc) =>
          oc.columns(['organisationId', 'day', 'mode', 'itemId', 'currency']).doUpdateSet((eb) => ({
            purchases: eb('salesDayTotals.purchases', '+', eb.ref('excluded.purchases')),
            grossAmount: eb('salesDayTotals.grossAmount', '+', eb.ref('excluded.grossAmount')),
            refunds: eb('salesDayTotals.refunds', '+', eb.ref('excluded.refunds')),
            refundedAmount: eb(
              'salesDayTotals.refundedAmount',
              '+',
              eb.ref('excluded.refundedAmount'),
            ),
          })),
        )
        .execute();
    }
  }

  /**
   * How many purchases a search matches. Without a device and with whole-day bounds, it is a sum
   * over the per-day counts (tens of thousands of rows at most, whatever the number of
   * purchases); otherwise the index narrows the rows to count.
   */
  async function total(search: Search): Promise<number> {
    const { db } = database;
    const wholeDays =
      (search.from === undefined || search.from.endsWith(START_OF_DAY)) &&
      (search.to === undefined || search.to.endsWith(END_OF_DAY));
    if (search.deviceId !== undefined || !wholeDays) {
      const { count } = await db
        .selectFrom('purchases as p')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where(searchFilter(search))
        .executeTakeFirstOrThrow();
      return count;
    }
    const { count } = await db
      .selectFrom('purchaseCounts')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('count'), sql<number>`0`).as('count'))
      .where('organisationId', '=', search.organisationId)
      .$if(search.from !== undefined, (q) => q.where('day', '>=', dayOf(search.from!)))
      .$if(search.to !== undefined, (q) => q.where('day', '<=', dayOf(search.to!)))
      .$if(search.itemId !== undefined, (q) => q.where('itemId', '=', search.itemId!))
      .$if(search.status !== undefined, (q) => q.where('status', '=', search.status!))
      .$if(search.mode !== undefined, (q) => q.where('mode', '=', search.mode!))
      .executeTakeFirstOrThrow();
    return count;
  }

  /**
   * One page of a search, in `order` of (created_at, id), with the number of purchases it matches.
   * Newest first, the total counted for the first page travels in the cursor; oldest first, rows
   * that arrive meanwhile join later pages, so each page counts again.
   */
  async function page<Item>(
    search: Search,
    query: { cursor?: string; limit: number },
    order: Order,
    project: (row: PurchaseRow) => Item,
  ): Promise<{ items: Item[]; nextCursor: string | null; total: number }> {
    const after = decodeCursor(purchaseCursorSchema, query.cursor);
    let key: string | undefined;
    const keyOf = () => (key ??= searchKey(search, order));
    const prefix = search.deviceId !== undefined && search.deviceIdMatch === 'prefix';
    const carried = order === 'newest' && after && after.f === keyOf() ? after.t : undefined;
    // On SQLite a prefix needs its count first, to choose how to walk the rows.
    const walkTimeMayPay = prefix && database.dialect === 'sqlite';
    let count = carried ?? (walkTimeMayPay ? await total(search) : undefined);
    const walkTime = walkTimeMayPay && count! > BROAD_PREFIX_ROWS;
    const direction = order === 'newest' ? 'desc' : 'asc';
    const rows = await purchaseRows(database.db)
      .where(searchFilter(search, { walkTime }))
      .$if(after !== undefined, (q) =>
        q.where((eb) =>
          eb(
            eb.refTuple('p.createdAt', 'p.id'),
            order === 'newest' ? '<' : '>',
            eb.tuple(after!.c, after!.i),
          ),
        ),
      )
      .orderBy('p.createdAt', direction)
      .orderBy('p.id', direction)
      .limit(query.limit + 1)
      .execute();
    // A first page that holds every match (a device's purchases, usually) is its own total.
    count ??= !after && rows.length <= query.limit ? rows.length : await total(search);
    const matching = count;
    return {
      ...keysetPage(rows, query.limit, project, (last) => ({
        c: last.createdAt,
        i: last.id,
        t: matching,
        f: keyOf(),
      })),
      total: matching,
    };
  }

  const storefrontPurchases = {
    async byId(purchaseId: string): Promise<StorefrontPurchase | undefined> {
      const row = await purchaseRows(database.db).where('p.id', '=', purchaseId).executeTakeFirst();
      return row && toStorefrontPurchase(row);
    },

    async bySession(checkoutSessionId: string): Promise<StorefrontPurchase[]> {
      const rows = await purchaseRows(database.db)
        .where('p.checkoutSessionId', '=', checkoutSessionId)
        .orderBy('p.deviceId')
        .orderBy('p.itemId')
        .execute();
      return rows.map(toStorefrontPurchase);
    },

    /** A device's purchases in one mode, oldest first, as the storefront API lists them. */
    byDevice: (
      scope: { organisationId: string; mode: CheckoutMode },
      query: { deviceId: string; cursor?: string; limit: number },
    ) =>
      page(
        {
          organisationId: scope.organisationId,
          deviceId: normaliseDeviceId(query.deviceId),
          deviceIdMatch: 'exact',
          mode: scope.mode,
        },
        query,
        'oldest',
        toStorefrontPurchase,
      ),
  };

  return {
    /** Support's search: newest first, any combination of filters. */
    list: (organisationId: string, query: PurchaseFilters & { cursor?: string; limit: number }) =>
      page(toSearch(organisationId, query), query, 'newest', toPurchase),

    /**
     * Every purchase a search matches, newest first, one row at a time and only as fast as the
     * caller takes them, on a connection of its own (database.stream).
     */
    stream(organisationId: string, filters: PurchaseFilters): AsyncIterable<PurchaseRow> {
      const filter = searchFilter(toSearch(organisationId, filters));
      return database.stream((db) =>
        purchaseRows(db)
          .where(filter)
          .orderBy('p.createdAt', 'desc')
          .orderBy('p.id', 'desc')
          .stream(200),
      );
    },

    /** One purchase with everything its detail page shows but its install jobs. */
    async find(
      organisationId: string,
      purchaseId: string,
    ): Promise<Omit<PurchaseDetail, 'installs'> | undefined> {
      const { db } = database;
      const row = await purchaseRows(db)
        .innerJoin('devices as d', 'd.id', 'p.deviceId')
        .innerJoin('checkoutSessions as c', 'c.id', 'p.checkoutSessionId')
        .leftJoin('users as u', 'u.id', 'c.createdBy')
        .select([
          'd.name as deviceName',
          'd.model',
          'd.firmwareVersion',
          'c.status as sessionStatus',
          'c.paymentStatus',
          'c.createdAt as sessionCreatedAt',
          'u.email as createdBy',
          'c.currency as sessionCurrency',
          'c.amountSubtotal',
          'c.platformFee',
          'c.amountTotal',
          'c.amountRefunded',
          'c.stripeSessionId',
          'c.stripePaymentIntentId',
        ])
        .where('p.organisationId', '=', organisationId)
        .where('p.id', '=', purchaseId)
        .executeTakeFirst();
      if (!row) return undefined;
      const [lines, attempts, entitlement, refund] = await Promise.all([
        // Every purchase of the session with its list price, in one fixed order, to share out the fee.
        db
          .selectFrom('purchases as sp')
          .innerJoin('checkoutSessionLines as l', (join) =>
            join
              .onRef('l.checkoutSessionId', '=', 'sp.checkoutSessionId')
              .onRef('l.itemId', '=', 'sp.itemId')
              .onRef('l.deviceId', '=', 'sp.deviceId'),
          )
          .select(['sp.id', 'l.unitAmount as listPrice'])
          .where('sp.checkoutSessionId', '=', row.checkoutSessionId)
          .orderBy('sp.id')
          .execute(),
        db
          .selectFrom('checkoutAttempts')
          .select(['id', 'kind', 'detail', 'stripeEventId', 'createdAt'])
          .where('checkoutSessionId', '=', row.checkoutSessionId)
          .orderBy('id')
          .execute(),
        db
          .selectFrom('entitlements')
          .select(['id', 'mode', 'status', 'createdAt', 'revokedAt'])
          .where('purchaseId', '=', row.id)
          .executeTakeFirst(),
        db
          .selectFrom('refunds')
          .select([
            'id',
            'purchaseId',
            'amount',
            'status',
            'stripeRefundId',
            'createdAt',
            'completedAt',
            'reason',
          ])
          .where('purchaseId', '=', row.id)
          .executeTakeFirst(),
      ]);
      // The fee was set on the list prices, before any discount: each purchase carries its part
      // of it by list price, and the parts add up to exactly what the marketplace took.
      const fees = allocateProportionally(
        lines.map((line) => line.listPrice),
        row.platformFee,
      );
      const feeShare = fees[lines.findIndex((line) => line.id === row.id)] ?? 0;
      const money = (amount: number) => ({ amount, currency: row.currency });
      return {
        ...toPurchase(row),
        device: {
          id: row.deviceId,
          name: row.deviceName,
          model: row.model,
          firmwareVersion: row.firmwareVersion,
        },
        fees: {
          price: money(row.amount),
          platformFee: money(feeShare),
          providerNet: money(row.amount - feeShare),
        },
        checkoutSession: {
          id: row.checkoutSessionId,
          status: row.sessionStatus,
          paymentStatus: row.paymentStatus,
          createdAt: row.sessionCreatedAt,
          createdBy: row.createdBy,
          amounts: {
            currency: row.sessionCurrency,
            subtotal: row.amountSubtotal,
            platformFee: row.platformFee,
            total: row.amountTotal,
          },
          amountRefunded: row.amountRefunded,
          attempts,
        },
        stripe: {
          checkoutSessionId: row.stripeSessionId,
          paymentIntentId: row.stripePaymentIntentId,
          refundId: refund?.stripeRefundId ?? null,
        },
        entitlement: entitlement ?? null,
        refund: refund
          ? {
              id: refund.id,
              purchaseId: refund.purchaseId,
              amount: money(refund.amount),
              status: refund.status,
              createdAt: refund.createdAt,
              completedAt: refund.completedAt,
              reason: refund.reason,
            }
          : null,
      };
    },

    /**
     * Records purchases and adds each to its organisation/day/mode/status/item count and to the
     * day's sales totals (a purchase written as already refunded, history from the purchase
     * writer, to its refund day's too), in the caller's transaction. The only way purchases come
     * to be.
     */
    async insertPurchases(rows: NewRow<'purchases'>[]): Promise<void> {
      if (rows.length === 0) return;
      for (const chunk of chunks(rows)) {
        await database.db.insertInto('purchases').values(chunk).execute();
      }
      await addToCounts(
        rows.map((row) => ({
          organisationId: row.organisationId,
          day: dayOf(row.createdAt),
          mode: row.mode,
          status: row.status,
          itemId: row.itemId,
          delta: 1,
        })),
      );
      await addToSalesTotals(
        rows.flatMap((row) => [
          purchaseMade(row),
          ...(row.status === 'refunded' && row.refundedAt
            ? [purchaseRefunded(row, row.refundedAt)]
            : []),
        ]),
      );
    },

    /**
     * Active → refunded, moving its count and adding it to the refund day's sales totals at what
     * was paid. False when it was not active (already refunded, or
     * refunded at this moment by another transaction, which PostgreSQL makes this one wait for).
     */
    async markRefunded(purchaseId: string, refundedAt: string): Promise<boolean> {
      const refunded = await database.db
        .updateTable('purchases')
        .set({ status: 'refunded', refundedAt })
        .where('id', '=', purchaseId)
        .where('status', '=', 'active')
        .returning(['organisationId', 'createdAt', 'mode', 'itemId', 'amount', 'currency'])
        .executeTakeFirst();
      if (!refunded) return false;
      const key = {
        organisationId: refunded.organisationId,
        day: dayOf(refunded.createdAt),
        mode: refunded.mode,
        itemId: refunded.itemId,
      };
      await addToCounts([
        { ...key, status: 'active', delta: -1 },
        { ...key, status: 'refunded', delta: 1 },
      ]);
      await addToSalesTotals([purchaseRefunded(refunded, refundedAt)]);
      return true;
    },

    storefrontPurchases,
  };
}
export type PurchasesRepo = ReturnType<typeof createPurchasesRepo>;
export type StorefrontPurchases = PurchasesRepo['storefrontPurchases'];
