import type { CheckoutMode } from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Row } from '../../db/schema';
import { newId } from '../../ids';

/** What a device is entitled to: one item in one mode. */
export type EntitledItem = {
  organisationId: string;
  deviceId: string;
  itemId: string;
  mode: CheckoutMode;
};

export type NewEntitlement = EntitledItem & { id: string; purchaseId: string; createdAt: string };

/**
 * The one writer of entitlements. A device holds at most one active entitlement per item and
 * mode: the partial unique index `entitlements_one_active` says so, on both databases, so that
 * two fulfillments of different checkouts at the same moment (on one instance or two) cannot
 * both grant one. Every write here runs in the caller's transaction.
 */
/** Rows per multi-row insert, well within either database's limit on bound parameters. */
const ROWS_PER_STATEMENT = 1_000;

export function createEntitlementsRepo(database: Database) {
  /**
   * Grants the purchase's entitlement; false when the device already holds an active one for
   * the item and mode (through another purchase), which it keeps.
   */
  async function grant(entitlement: NewEntitlement): Promise<boolean> {
    const result = await database.db
      .insertInto('entitlements')
      .values({ ...entitlement, status: 'active', revokedAt: null })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  return {
    grant,

    /**
     * Grants many at once (a fulfilled basket): answers the purchases that were granted theirs;
     * the others' devices already held the item in that mode.
     */
    async grantAll(entitlements: NewEntitlement[]): Promise<Set<string>> {
      const granted = new Set<string>();
      for (let start = 0; start < entitlements.length; start += ROWS_PER_STATEMENT) {
        const rows = await database.db
          .insertInto('entitlements')
          .values(
            entitlements
              .slice(start, start + ROWS_PER_STATEMENT)
              .map((e) => ({ ...e, status: 'active' as const, revokedAt: null })),
          )
          .onConflict((oc) => oc.doNothing())
          .returning('purchaseId')
          .execute();
        for (const row of rows) granted.add(row.purchaseId);
      }
      return granted;
    },

    /** The purchase whose active entitlement the device holds for the item and mode, if any. */
    async ownerPurchaseId(
      deviceId: string,
      itemId: string,
      mode: CheckoutMode,
    ): Promise<string | undefined> {
      const row = await database.db
        .selectFrom('entitlements')
        .select('purchaseId')
        .where('deviceId', '=', deviceId)
        .where('itemId', '=', itemId)
        .where('mode', '=', mode)
        .where('status', '=', 'active')
        .executeTakeFirst();
      return row?.purchaseId;
    },

    /** Ends the purchase's active entitlement; answers what it was (nothing when none was active). */
    revokeForPurchase(purchaseId: string, at: string): Promise<EntitledItem[]> {
      return database.db
        .updateTable('entitlements')
        .set({ status: 'revoked', revokedAt: at })
        .where('purchaseId', '=', purchaseId)
        .where('status', '=', 'active')
        .returning(['organisationId', 'deviceId', 'itemId', 'mode'])
        .execute();
    },

    /**
     * After a revocation: the oldest other paid purchase of the same device, item and mode that
     * never held an entitlement and is not being refunded (two sessions paid before duplicates
     * were refunded automatically) takes over. Answers that purchase's id, if one took over.
     */
    async handOver(revoked: EntitledItem, at: string): Promise<string | undefined> {
      const candidate = await database.db
        .selectFrom('purchases as p')
        .select('p.id')
        .where('p.organisationId', '=', revoked.organisationId)
        .where('p.deviceId', '=', revoked.deviceId)
        .where('p.itemId', '=', revoked.itemId)
        .where('p.mode', '=', revoked.mode)
        .where('p.status', '=', 'active')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('entitlements as e').select('e.id').whereRef('e.purchaseId', '=', 'p.id'),
            ),
          ),
        )
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(selectFrom('refunds as r').select('r.id').whereRef('r.purchaseId', '=', 'p.id')),
          ),
        )
        .orderBy('p.createdAt')
        .orderBy('p.id')
        .limit(1)
        .executeTakeFirst();
      if (!candidate) return undefined;
      const granted = await grant({
        ...revoked,
        id: newId('ent'),
        purchaseId: candidate.id,
        createdAt: at,
      });
      return granted ? candidate.id : undefined;
    },

    /** The entitlement a purchase granted, active or revoked; none for a duplicate. */
    findForPurchase(purchaseId: string): Promise<Row<'entitlements'> | undefined> {
      return database.db
        .selectFrom('entitlements')
        .selectAll()
        .where('purchaseId', '=', purchaseId)
        .executeTakeFirst();
    },
  };
}
export type EntitlementsRepo = ReturnType<typeof createEntitlementsRepo>;
