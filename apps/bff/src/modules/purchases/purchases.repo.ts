import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { allocateProportionally } from '@repo/domain';
import {
  dateBoundToIso,
  type CheckoutAttempt,
  type CheckoutMode,
  type Purchase,
  type PurchaseDetail,
  type PurchaseFilters,
  type PurchasesPage,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import { decodeCursor, keysetPage } from '../../http/cursor';
import { createInstallsRepo } from '../installs/installs.repo';

type PurchaseRow = {
  id: string;
  deviceId: string;
  itemId: string;
  itemName: string;
  amount: number;
  currency: string;
  mode: CheckoutMode;
  status: Purchase['status'];
  checkoutSessionId: string;
  createdAt: string;
  refundedAt: string | null;
};

/** Also the CSV's columns, in this order. */
export const PURCHASE_COLUMNS = `p.id, p.device_id AS deviceId, p.item_id AS itemId, i.name AS itemName,
  p.amount, p.currency, p.mode, p.status, p.checkout_session_id AS checkoutSessionId,
  p.created_at AS createdAt, p.refunded_at AS refundedAt`;

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

/**
 * Where the last page ended (newest first by created_at, then id), the total counted for the
 * first page, and which filter that total belongs to: later pages reuse it instead of counting
 * again. Rows that arrive meanwhile are newer than the cursor, so they never join later pages.
 */
const purchaseCursorSchema = z.object({
  c: z.string(),
  i: z.string(),
  t: z.number().int().nonnegative(),
  f: z.string(),
});

/** Every character a device ID may hold sorts below this one, with or without case folding. */
const AFTER_EVERY_ID_CHARACTER = '\u007f';
const START_OF_DAY = 'T00:00:00.000Z';
const END_OF_DAY = 'T23:59:59.999Z';

type Filter = { sql: string; params: Record<string, string> };

/**
 * A device prefix matching more rows than this is paged along the time index, filtering as it
 * goes (a page then reads a few hundred rows), rather than sorting every match for each page.
 */
const BROAD_PREFIX_ROWS = 2000;

export function purchaseFilter(
  organisationId: string,
  filters: PurchaseFilters,
  { broadPrefix = false } = {},
): Filter {
  const clauses = ['p.organisation_id = @organisationId'];
  const params: Record<string, string> = { organisationId };
  if (filters.deviceId) {
    if (filters.deviceIdMatch === 'prefix') {
      // A range rather than LIKE: it walks the NOCASE index on device_id and needs no escaping.
      // The unary + keeps the planner off that index when the range is known to be broad.
      const column = broadPrefix ? '+p.device_id' : 'p.device_id';
      clauses.push(
        `${column} >= @deviceFrom COLLATE NOCASE AND ${column} < @deviceTo COLLATE NOCASE`,
      );
      params.deviceFrom = filters.deviceId;
      params.deviceTo = filters.deviceId + AFTER_EVERY_ID_CHARACTER;
    } else {
      clauses.push('p.device_id = @deviceId COLLATE NOCASE');
      params.deviceId = filters.deviceId;
    }
  }
  if (filters.itemId) {
    clauses.push('p.item_id = @itemId');
    params.itemId = filters.itemId;
  }
  if (filters.status) {
    clauses.push('p.status = @status');
    params.status = filters.status;
  }
  if (filters.mode) {
    clauses.push('p.mode = @mode');
    params.mode = filters.mode;
  }
  if (filters.from) {
    clauses.push('p.created_at >= @from');
    params.from = dateBoundToIso(filters.from, 'start');
  }
  if (filters.to) {
    clauses.push('p.created_at <= @to');
    params.to = dateBoundToIso(filters.to, 'end');
  }
  return { sql: clauses.join(' AND '), params };
}

/**
 * Purchases of one organisation, searched by support. Statements are prepared once per shape of
 * filter (a few dozen at most) and kept: preparing costs as much as running these queries.
 */
export function createPurchasesRepo(db: Database) {
  const installs = createInstallsRepo(db);
  const prepared = new Map<string, BetterSqlite3.Statement>();
  const statement = (sql: string) => {
    let stmt = prepared.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      prepared.set(sql, stmt);
    }
    return stmt;
  };

  const s = {
    detail: db.prepare(
      `SELECT ${PURCHASE_COLUMNS},
              d.name AS deviceName, d.model, d.firmware_version AS firmwareVersion,
              c.status AS sessionStatus, c.payment_status AS paymentStatus, c.created_at AS sessionCreatedAt,
              u.email AS createdBy, c.currency AS sessionCurrency, c.amount_subtotal AS subtotal,
              c.platform_fee AS platformFee, c.amount_total AS total, c.amount_refunded AS amountRefunded,
              c.stripe_session_id AS stripeSessionId, c.stripe_payment_intent_id AS paymentIntentId
       FROM purchases p
       JOIN marketplace_items i ON i.id = p.item_id
       JOIN devices d ON d.id = p.device_id
       JOIN checkout_sessions c ON c.id = p.checkout_session_id
       LEFT JOIN users u ON u.id = c.created_by
       WHERE p.organisation_id = ? AND p.id = ?`,
    ),
    // Every purchase of a session with its list price, in one fixed order, to share out the fee.
    sessionLines: db.prepare(
      `SELECT p.id, l.unit_amount AS listPrice FROM purchases p
       JOIN checkout_session_lines l ON l.checkout_session_id = p.checkout_session_id
         AND l.item_id = p.item_id AND l.device_id = p.device_id
       WHERE p.checkout_session_id = ? ORDER BY p.id`,
    ),
    attempts: db.prepare(
      `SELECT id, kind, detail, stripe_event_id AS stripeEventId, created_at AS createdAt
       FROM checkout_attempts WHERE checkout_session_id = ? ORDER BY id`,
    ),
    entitlement: db.prepare(
      `SELECT id, mode, status, created_at AS createdAt, revoked_at AS revokedAt
       FROM entitlements WHERE purchase_id = ?`,
    ),
    refund: db.prepare(
      `SELECT id, purchase_id AS purchaseId, amount, status, stripe_refund_id AS stripeRefundId,
              created_at AS createdAt, completed_at AS completedAt, reason
       FROM refunds WHERE purchase_id = ?`,
    ),
  };

  /**
   * The number of purchases a filter matches. Without a device and with whole-day bounds, it is a
   * sum over the per-day counts the triggers keep (tens of thousands of rows at most, whatever the
   * number of purchases); otherwise the index narrows the rows to count.
   */
  function total(filters: PurchaseFilters, filter: Filter): number {
    const from = filter.params.from;
    const to = filter.params.to;
    const wholeDays = (!from || from.endsWith(START_OF_DAY)) && (!to || to.endsWith(END_OF_DAY));
    if (filters.deviceId || !wholeDays) {
      return statement(`SELECT count(*) FROM purchases p WHERE ${filter.sql}`)
        .pluck()
        .get(filter.params) as number;
    }
    const clauses = ['organisation_id = @organisationId'];
    if (from) clauses.push('day >= substr(@from, 1, 10)');
    if (to) clauses.push('day <= substr(@to, 1, 10)');
    if (filters.itemId) clauses.push('item_id = @itemId');
    if (filters.status) clauses.push('status = @status');
    if (filters.mode) clauses.push('mode = @mode');
    return statement(
      `SELECT coalesce(sum(count), 0) FROM purchase_counts WHERE ${clauses.join(' AND ')}`,
    )
      .pluck()
      .get(filter.params) as number;
  }

  const filterKey = (filter: Filter) =>
    createHash('sha256').update(JSON.stringify(filter.params)).digest('base64url').slice(0, 16);

  return {
    list(
      organisationId: string,
      query: PurchaseFilters & { cursor?: string; limit: number },
    ): PurchasesPage {
      const after = decodeCursor(purchaseCursorSchema, query.cursor);
      const filter = purchaseFilter(organisationId, query);
      // Hashed only when a cursor is read or written: most device searches fit on one page.
      let key: string | undefined;
      const keyOf = () => (key ??= filterKey(filter));
      const prefix = Boolean(query.deviceId) && query.deviceIdMatch === 'prefix';
      // A prefix needs its count first, to choose how to walk the rows.
      let count: number | undefined =
        after && after.f === keyOf() ? after.t : prefix ? total(query, filter) : undefined;
      const rowsFilter =
        prefix && count! > BROAD_PREFIX_ROWS
          ? purchaseFilter(organisationId, query, { broadPrefix: true })
          : filter;
      const rows = statement(
        `SELECT ${PURCHASE_COLUMNS} FROM purchases p JOIN marketplace_items i ON i.id = p.item_id
         WHERE ${rowsFilter.sql} ${after ? 'AND (p.created_at, p.id) < (@afterCreatedAt, @afterId)' : ''}
         ORDER BY p.created_at DESC, p.id DESC LIMIT @limit`,
      ).all({
        ...rowsFilter.params,
        ...(after ? { afterCreatedAt: after.c, afterId: after.i } : {}),
        limit: query.limit + 1,
      }) as PurchaseRow[];
      // A first page that holds every match (a device's purchases, usually) is its own total.
      count ??= !after && rows.length <= query.limit ? rows.length : total(query, filter);
      const matching = count;
      return {
        ...keysetPage(rows, query.limit, toPurchase, (last) => ({
          c: last.createdAt,
          i: last.id,
          t: matching,
          f: keyOf(),
        })),
        total: matching,
      };
    },

    find(organisationId: string, purchaseId: string): PurchaseDetail | undefined {
      const row = s.detail.get(organisationId, purchaseId) as
        | (PurchaseRow & {
            deviceName: string;
            model: string;
            firmwareVersion: string;
            sessionStatus: PurchaseDetail['checkoutSession']['status'];
            paymentStatus: PurchaseDetail['checkoutSession']['paymentStatus'];
            sessionCreatedAt: string;
            createdBy: string | null;
            sessionCurrency: string;
            subtotal: number;
            platformFee: number;
            total: number;
            amountRefunded: number;
            stripeSessionId: string | null;
            paymentIntentId: string | null;
          })
        | undefined;
      if (!row) return undefined;
      const refund = s.refund.get(row.id) as
        | {
            id: string;
            purchaseId: string;
            amount: number;
            status: 'requested' | 'succeeded' | 'failed';
            stripeRefundId: string | null;
            createdAt: string;
            completedAt: string | null;
            reason: string | null;
          }
        | undefined;
      // The fee was set on the list prices, before any discount: each purchase carries its part
      // of it by list price, and the parts add up to exactly what the marketplace took.
      const lines = s.sessionLines.all(row.checkoutSessionId) as {
        id: string;
        listPrice: number;
      }[];
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
            subtotal: row.subtotal,
            platformFee: row.platformFee,
            total: row.total,
          },
          amountRefunded: row.amountRefunded,
          attempts: s.attempts.all(row.checkoutSessionId) as CheckoutAttempt[],
        },
        stripe: {
          checkoutSessionId: row.stripeSessionId,
          paymentIntentId: row.paymentIntentId,
          refundId: refund?.stripeRefundId ?? null,
        },
        entitlement: (s.entitlement.get(row.id) as PurchaseDetail['entitlement']) ?? null,
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
        installs: installs.history(row.deviceId, row.itemId, 200),
      };
    },
  };
}
export type PurchasesRepo = ReturnType<typeof createPurchasesRepo>;

/**
 * Every purchase a filter matches, newest first, one row at a time from `reader`: a connection
 * of its own, because an open iterator keeps its connection busy for as long as the client reads.
 */
export function* iteratePurchases(
  reader: Database,
  organisationId: string,
  filters: PurchaseFilters,
): Generator<Purchase> {
  const filter = purchaseFilter(organisationId, filters);
  const rows = reader
    .prepare(
      `SELECT ${PURCHASE_COLUMNS} FROM purchases p JOIN marketplace_items i ON i.id = p.item_id
       WHERE ${filter.sql} ORDER BY p.created_at DESC, p.id DESC`,
    )
    .iterate(filter.params) as IterableIterator<PurchaseRow>;
  // Stopping early (the client went away) ends the loop, which ends the statement's iterator.
  for (const row of rows) yield toPurchase(row);
}
