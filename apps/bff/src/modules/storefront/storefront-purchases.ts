import type { CheckoutMode, StorefrontPurchase, StorefrontPurchasesPage } from '@repo/schemas';
import type { Database } from '../../db/database';
import { createdAtCursorSchema, decodeCursor, keysetPage } from '../../http/cursor';

type PurchaseRow = {
  id: string;
  checkoutSessionId: string;
  deviceId: string;
  itemId: string;
  itemName: string;
  mode: CheckoutMode;
  amount: number;
  currency: string;
  amountDiscount: number;
  status: StorefrontPurchase['status'];
  createdAt: string;
  refundedAt: string | null;
};

const COLUMNS = `p.id, p.checkout_session_id AS checkoutSessionId, p.device_id AS deviceId, p.item_id AS itemId,
  i.name AS itemName, p.mode, p.amount, p.currency, p.amount_discount AS amountDiscount, p.status,
  p.created_at AS createdAt, p.refunded_at AS refundedAt`;

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

/** Purchases as the storefront API and provider webhooks describe them. */
export function createStorefrontPurchases(db: Database) {
  const s = {
    byId: db.prepare(
      `SELECT ${COLUMNS} FROM purchases p JOIN marketplace_items i ON i.id = p.item_id WHERE p.id = ?`,
    ),
    bySession: db.prepare(
      `SELECT ${COLUMNS} FROM purchases p JOIN marketplace_items i ON i.id = p.item_id
       WHERE p.checkout_session_id = ? ORDER BY p.device_id, p.item_id`,
    ),
    byDevice: db.prepare(
      `SELECT ${COLUMNS} FROM purchases p JOIN marketplace_items i ON i.id = p.item_id
       WHERE p.organisation_id = @organisationId AND p.device_id = @deviceId AND p.mode = @mode
         AND (@afterCreatedAt IS NULL OR (p.created_at, p.id) > (@afterCreatedAt, @afterId))
       ORDER BY p.created_at, p.id LIMIT @limit`,
    ),
    countByDevice: db
      .prepare(
        'SELECT count(*) FROM purchases WHERE organisation_id = ? AND device_id = ? AND mode = ?',
      )
      .pluck(),
  };

  return {
    byId(id: string): StorefrontPurchase | undefined {
      const row = s.byId.get(id) as PurchaseRow | undefined;
      return row && toStorefrontPurchase(row);
    },
    bySession: (checkoutSessionId: string) =>
      (s.bySession.all(checkoutSessionId) as PurchaseRow[]).map(toStorefrontPurchase),
    /** Oldest first, so that a cursor stays valid while new purchases arrive. */
    byDevice(
      scope: { organisationId: string; mode: CheckoutMode },
      query: { deviceId: string; cursor?: string; limit: number },
    ): StorefrontPurchasesPage {
      const after = decodeCursor(createdAtCursorSchema, query.cursor);
      const rows = s.byDevice.all({
        ...scope,
        deviceId: query.deviceId,
        afterCreatedAt: after?.createdAt ?? null,
        afterId: after?.id ?? null,
        limit: query.limit + 1,
      }) as PurchaseRow[];
      return {
        ...keysetPage(rows, query.limit, toStorefrontPurchase, (last) => ({
          createdAt: last.createdAt,
          id: last.id,
        })),
        total: s.countByDevice.get(scope.organisationId, query.deviceId, scope.mode) as number,
      };
    },
  };
}
export type StorefrontPurchases = ReturnType<typeof createStorefrontPurchases>;
