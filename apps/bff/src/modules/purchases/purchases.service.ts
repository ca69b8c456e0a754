import { Readable } from 'node:stream';
import type { PurchaseFilters } from '@repo/schemas';
import { openReader, type Database } from '../../db/database';
import type { Actor } from '../../http/auth';
import { notFound } from '../../http/errors';
import { createPurchasesRepo, iteratePurchases } from './purchases.repo';

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

/**
 * A spreadsheet runs a cell that starts with one of these as a formula; a leading quote keeps it
 * text. Only provider-written text (item names) can start that way.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const asText = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

export function createPurchasesService({ db }: { db: Database }) {
  const purchases = createPurchasesRepo(db);

  return {
    repo: purchases,

    list(actor: Actor, query: PurchaseFilters & { cursor?: string; limit: number }) {
      return purchases.list(actor.organisationId, query);
    },

    get(actor: Actor, purchaseId: string) {
      const purchase = purchases.find(actor.organisationId, purchaseId);
      if (!purchase) throw notFound('Purchase');
      return purchase;
    },

    /**
     * The CSV rows of a filter as a stream that reads the database only as fast as the client
     * takes them, from a connection of its own that is closed however the stream ends.
     */
    exportRows(actor: Actor, filters: PurchaseFilters): Readable {
      function* records() {
        // Opened on the first read, so that a stream never read holds no connection.
        const reader = openReader(db);
        try {
          for (const p of iteratePurchases(reader, actor.organisationId, filters)) {
            yield [
              p.id,
              p.createdAt,
              p.deviceId,
              p.itemId,
              asText(p.itemName),
              p.mode,
              p.status,
              p.price.amount,
              p.price.currency,
              p.refundedAt ?? '',
              p.checkoutSessionId,
            ];
          }
        } finally {
          reader.close();
        }
      }
      return Readable.from(records(), { objectMode: true, highWaterMark: 64 });
    },
  };
}
export type PurchasesService = ReturnType<typeof createPurchasesService>;
