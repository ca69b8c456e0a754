import type { CheckoutMode, Refund } from '@repo/schemas';
import type { Database } from '../../db/database';
import type { NewRow } from '../../db/schema';

export type RefundRow = {
  id: string;
  purchaseId: string;
  amount: number;
  currency: string;
  status: Refund['status'];
  stripeRefundId: string | null;
  stripeIdempotencyKey: string | null;
  createdAt: string;
  completedAt: string | null;
  reason: string | null;
};

/** A purchase as a refund needs it: what was paid, and where the money went at Stripe. */
export type RefundablePurchase = {
  id: string;
  amount: number;
  currency: string;
  status: 'active' | 'refunded';
  checkoutSessionId: string;
  mode: CheckoutMode;
  paymentIntentId: string | null;
  /** The payment went to the provider's connected account, less the platform's fee. */
  hasDestination: boolean;
};

/** Refund rows: one per purchase at most (a unique key), written before Stripe is called. */
export function createRefundsRepo(database: Database) {
  return {
    async purchase(
      organisationId: string,
      purchaseId: string,
    ): Promise<RefundablePurchase | undefined> {
      const row = await database.db
        .selectFrom('purchases as p')
        .innerJoin('checkoutSessions as c', 'c.id', 'p.checkoutSessionId')
        .innerJoin('organisations as o', 'o.id', 'p.organisationId')
        .select([
          'p.id',
          'p.amount',
          'p.currency',
          'p.status',
          'p.checkoutSessionId',
          'p.mode',
          'c.stripePaymentIntentId as paymentIntentId',
          'c.platformFee',
          'o.stripeConnectedAccount',
        ])
        .where('p.organisationId', '=', organisationId)
        .where('p.id', '=', purchaseId)
        .executeTakeFirst();
      if (!row) return undefined;
      const { platformFee, stripeConnectedAccount, ...purchase } = row;
      return { ...purchase, hasDestination: stripeConnectedAccount !== null && platformFee > 0 };
    },

    refundOf: (purchaseId: string): Promise<RefundRow | undefined> =>
      database.db
        .selectFrom('refunds as r')
        .innerJoin('purchases as p', 'p.id', 'r.purchaseId')
        .select([
          'r.id',
          'r.purchaseId',
          'r.amount',
          'p.currency',
          'r.status',
          'r.stripeRefundId',
          'r.stripeIdempotencyKey',
          'r.createdAt',
          'r.completedAt',
          'r.reason',
        ])
        .where('r.purchaseId', '=', purchaseId)
        .executeTakeFirst(),

    /** Throws a constraint error when the purchase has a refund already. */
    async insert(refund: NewRow<'refunds'>): Promise<void> {
      await database.db.insertInto('refunds').values(refund).execute();
    },

    /** Automatic refunds Stripe has not taken yet: new, or refused or unanswered last time. */
    unsentAutomatic: (checkoutSessionId: string) =>
      database.db
        .selectFrom('refunds as r')
        .innerJoin('purchases as p', 'p.id', 'r.purchaseId')
        .select(['p.organisationId', 'p.id as purchaseId'])
        .where('p.checkoutSessionId', '=', checkoutSessionId)
        .where('r.reason', 'is not', null)
        .where('r.stripeRefundId', 'is', null)
        .where('r.status', '!=', 'succeeded')
        .where('p.amount', '>', 0)
        .orderBy('r.createdAt')
        .orderBy('r.id')
        .execute(),

    /** Stripe took the refund: it counts once Stripe reports the money refunded. */
    async markAccepted(id: string, stripeRefundId: string): Promise<void> {
      await database.db
        .updateTable('refunds')
        .set({ stripeRefundId, status: 'requested' })
        .where('id', '=', id)
        .where('status', '!=', 'succeeded')
        .execute();
    },

    /** Stripe refused or did not answer; the refund keeps its key for the next try. */
    async markFailed(id: string): Promise<void> {
      await database.db
        .updateTable('refunds')
        .set({ status: 'failed' })
        .where('id', '=', id)
        .where('status', '=', 'requested')
        .where('stripeRefundId', 'is', null)
        .execute();
    },

    async markSucceeded(id: string, completedAt: string): Promise<void> {
      await database.db
        .updateTable('refunds')
        .set({ status: 'succeeded', completedAt })
        .where('id', '=', id)
        .execute();
    },

    /** The refunds of a session's purchases, oldest first. */
    ofSession: (checkoutSessionId: string) =>
      database.db
        .selectFrom('refunds as r')
        .innerJoin('purchases as p', 'p.id', 'r.purchaseId')
        .select(['r.id', 'r.purchaseId', 'r.amount', 'r.status', 'r.stripeRefundId'])
        .where('p.checkoutSessionId', '=', checkoutSessionId)
        .orderBy('r.createdAt')
        .orderBy('r.id')
        .execute(),

    /** A session's purchases that are still active. */
    activeOfSession: (checkoutSessionId: string) =>
      database.db
        .selectFrom('purchases')
        .select(['id', 'organisationId'])
        .where('checkoutSessionId', '=', checkoutSessionId)
        .where('status', '=', 'active')
        .orderBy('id')
        .execute(),

    /** A session's paid purchases that are active and have no refund at all. */
    unrefundedPaid: (checkoutSessionId: string) =>
      database.db
        .selectFrom('purchases as p')
        .select(['p.id', 'p.amount', 'p.organisationId'])
        .where('p.checkoutSessionId', '=', checkoutSessionId)
        .where('p.status', '=', 'active')
        .where('p.amount', '>', 0)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(selectFrom('refunds as r').select('r.id').whereRef('r.purchaseId', '=', 'p.id')),
          ),
        )
        .orderBy('p.id')
        .execute(),

    async itemName(itemId: string): Promise<string> {
      const row = await database.db
        .selectFrom('marketplaceItems')
        .select('name')
        .where('id', '=', itemId)
        .executeTakeFirstOrThrow();
      return row.name;
    },
  };
}
export type RefundsRepo = ReturnType<typeof createRefundsRepo>;
