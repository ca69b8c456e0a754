import { Readable } from 'node:stream';
import type { CheckoutMode, PurchaseDetail, PurchaseFilters } from '@repo/schemas';
import type { Actor } from '../../http/auth';
import { notFound } from '../../http/errors';
import type { InstallsRepo } from '../installs/installs.repo';
import { PURCHASE_CSV_COLUMNS, toCsvRecord, type PurchasesRepo } from './purchases.repo';

export { PURCHASE_CSV_COLUMNS };

export function createPurchasesService({
  purchases,
  installs,
}: {
  purchases: PurchasesRepo;
  installs: InstallsRepo;
}) {
  return {
    list: (actor: Actor, query: PurchaseFilters & { cursor?: string; limit: number }) =>
      purchases.list(actor.organisationId, query),

    async get(actor: Actor, purchaseId: string): Promise<PurchaseDetail> {
      const purchase = await purchases.find(actor.organisationId, purchaseId);
      if (!purchase) throw notFound('Purchase');
      return {
        ...purchase,
        installs: await installs.history(purchase.deviceId, purchase.itemId, 200),
      };
    },

    /** A device's purchases in the API key's mode, for the storefront API. */
    byDevice: (
      scope: { organisationId: string; mode: CheckoutMode },
      query: { deviceId: string; cursor?: string; limit: number },
    ) => purchases.storefrontPurchases.byDevice(scope, query),

    /**
     * The CSV records of a search as a stream that reads the database only as fast as the client
     * takes them, on a connection of its own that is let go however the stream ends (the client
     * leaving ends the iteration, which closes the reader).
     */
    exportRows(actor: Actor, filters: PurchaseFilters): Readable {
      const rows = purchases.stream(actor.organisationId, filters);
      async function* records() {
        for await (const row of rows) yield toCsvRecord(row);
      }
      return Readable.from(records(), { objectMode: true, highWaterMark: 64 });
    },
  };
}
export type PurchasesService = ReturnType<typeof createPurchasesService>;
