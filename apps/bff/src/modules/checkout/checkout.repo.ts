import {
  checkoutPhase,
  compareFirmware,
  releaseIncompatibility,
  type CheckoutState,
} from '@repo/domain';
import type {
  CheckoutAttempt,
  CheckoutAttemptKind,
  CheckoutSession,
  CheckoutSessionStatus,
  PaymentStatus,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Row } from '../../db/schema';

/** A checkout session as the services see it: the stored row, its flag a boolean. */
export type CheckoutSessionRow = Omit<Row<'checkoutSessions'>, 'allowPromotionCodes'> & {
  allowPromotionCodes: boolean;
};

export type NewCheckoutSession = Omit<
  CheckoutSessionRow,
  | 'stripeSessionId'
  | 'stripePaymentIntentId'
  | 'checkoutUrl'
  | 'fulfilledAt'
  | 'amountDiscount'
  | 'stripePromotionCodeId'
  | 'paymentFailedAt'
  | 'amountRefunded'
> & { lines: CheckoutLine[] };

export type CheckoutLine = { itemId: string; deviceId: string; unitAmount: number };

/** What ends a session's claim on its devices: after these, it can no longer take a payment. */
const ENDING_ATTEMPTS: ReadonlySet<CheckoutAttemptKind> = new Set([
  'fulfilled',
  'expired',
  'cancelled',
  'payment_failed',
]);

/**
 * Rows per multi-row statement: a basket may hold 50 items × 1,000 devices, and neither database
 * takes that many bound parameters at once (SQLite: 32,766).
 */
const ROWS_PER_STATEMENT = 1_000;

function* inChunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT)
    yield rows.slice(start, start + ROWS_PER_STATEMENT);
}

/** One fixed order for ids, whichever process sorts them. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** SQLite and PostgreSQL have no shared boolean: the 0/1 flag becomes one here, in one place. */
const toRow = <T extends { allowPromotionCodes: number }>(
  row: T | undefined,
): (Omit<T, 'allowPromotionCodes'> & { allowPromotionCodes: boolean }) | undefined =>
  row && { ...row, allowPromotionCodes: row.allowPromotionCodes === 1 };

export function createCheckoutRepo(database: Database) {
  const sessions = () => database.db.selectFrom('checkoutSessions').selectAll();

  /** The newest release of each item that a device can run, if any. */
  async function installableVersions(
    rows: { itemId: string; model: string; firmwareVersion: string }[],
  ): Promise<(string | null)[]> {
    const itemIds = [...new Set(rows.map((r) => r.itemId))];
    if (itemIds.length === 0) return [];
    const { db } = database;
    const releases = await db
      .selectFrom('releases')
      .select(['id', 'itemId', 'version', 'minFirmware'])
      .where('itemId', 'in', itemIds)
      .execute();
    const models =
      releases.length === 0
        ? []
        : await db
            .selectFrom('releaseCompatibleModels')
            .select(['releaseId', 'model'])
            .where(
              'releaseId',
              'in',
              releases.map((r) => r.id),
            )
            .execute();
    const modelsOf = new Map<string, string[]>();
    for (const m of models)
      modelsOf.set(m.releaseId, [...(modelsOf.get(m.releaseId) ?? []), m.model]);
    const candidates = releases.map((r) => ({ ...r, compatibleModels: modelsOf.get(r.id) ?? [] }));
    return rows.map((row) => {
      const fitting = candidates
        .filter((r) => r.itemId === row.itemId && !releaseIncompatibility(row, r))
        .sort((a, b) => compareFirmware(b.version, a.version));
      return fitting[0]?.version ?? null;
    });
  }

  const lines = (id: string): Promise<CheckoutLine[]> =>
    database.db
      .selectFrom('checkoutSessionLines')
      .select(['itemId', 'deviceId', 'unitAmount'])
      .where('checkoutSessionId', '=', id)
      .orderBy('itemId')
      .orderBy('deviceId')
      .execute();

  /** The session as the checkout state machine sees it. */
  function state(row: CheckoutSessionRow): CheckoutState {
    const fulfilled = row.fulfilledAt !== null;
    return {
      status: row.status,
      paymentStatus: row.paymentStatus,
      fulfilled,
      // Money that arrived later outweighs a failure reported earlier.
      paymentFailed: row.paymentFailedAt !== null && !fulfilled,
      refunded: row.amountTotal > 0 && row.amountRefunded >= row.amountTotal,
    };
  }

  return {
    /**
     * Writes an open session with its lines, and holds each line's device × item × mode for it.
     * Throws a constraint error when another open checkout holds one of them; holds of other
     * checkouts past their expiry hold nothing any more and are let go here.
     */
    async insert(session: NewCheckoutSession): Promise<void> {
      const { db } = database;
      const { lines: sessionLines, allowPromotionCodes, ...columns } = session;
      await db
        .insertInto('checkoutSessions')
        .values({ ...columns, allowPromotionCodes: allowPromotionCodes ? 1 : 0 })
        .execute();
      // In one order for every checkout, so that two baskets sharing devices wait for each other
      // on PostgreSQL instead of deadlocking.
      const ordered = [...sessionLines].sort(
        (a, b) => compareText(a.deviceId, b.deviceId) || compareText(a.itemId, b.itemId),
      );
      for (const chunk of inChunks(ordered)) {
        await db
          .insertInto('checkoutSessionLines')
          .values(chunk.map((line) => ({ checkoutSessionId: session.id, ...line })))
          .execute();
        await db
          .deleteFrom('checkoutHolds')
          .where('organisationId', '=', session.organisationId)
          .where('mode', '=', session.mode)
          .where((eb) =>
            eb(
              eb.refTuple('deviceId', 'itemId'),
              'in',
              chunk.map((line) => eb.tuple(line.deviceId, line.itemId)),
            ),
          )
          .where('checkoutSessionId', 'in', (eb) =>
            eb
              .selectFrom('checkoutSessions')
              .select('id')
              .where('status', '=', 'open')
              .where('expiresAt', '<=', session.createdAt),
          )
          .execute();
        await db
          .insertInto('checkoutHolds')
          .values(
            chunk.map((line) => ({
              organisationId: session.organisationId,
              deviceId: line.deviceId,
              itemId: line.itemId,
              mode: session.mode,
              checkoutSessionId: session.id,
            })),
          )
          .execute();
      }
    },

    find: async (id: string) => toRow(await sessions().where('id', '=', id).executeTakeFirst()),

    /**
     * The session, locked until the transaction ends: whoever decides from its state (fulfill,
     * the state machine, refunds) reads it here first, so that instances take turns.
     */
    lock: async (id: string) =>
      toRow(await database.forUpdate(sessions().where('id', '=', id)).executeTakeFirst()),

    findForOrg: async (organisationId: string, id: string) =>
      toRow(
        await sessions()
          .where('organisationId', '=', organisationId)
          .where('id', '=', id)
          .executeTakeFirst(),
      ),

    findByIdempotencyKey: async (organisationId: string, key: string) =>
      toRow(
        await sessions()
          .where('organisationId', '=', organisationId)
          .where('idempotencyKey', '=', key)
          .executeTakeFirst(),
      ),

    /** The id of the session a payment belongs to, if it is one of ours. */
    async idByPaymentIntent(paymentIntentId: string): Promise<string | undefined> {
      const row = await database.db
        .selectFrom('checkoutSessions')
        .select('id')
        .where('stripePaymentIntentId', '=', paymentIntentId)
        .executeTakeFirst();
      return row?.id;
    },

    async attachStripe(
      id: string,
      stripeSessionId: string,
      checkoutUrl: string,
      expiresAt: string,
    ): Promise<void> {
      await database.db
        .updateTable('checkoutSessions')
        .set({ stripeSessionId, checkoutUrl, expiresAt })
        .where('id', '=', id)
        .execute();
    },

    /** Moves an unfulfilled session from one status (or any of several) to another; false when it was in none. */
    async transition(
      id: string,
      from: CheckoutSessionStatus | CheckoutSessionStatus[],
      to: CheckoutSessionStatus,
      paymentIntentId: string | null = null,
    ): Promise<boolean> {
      const result = await database.db
        .updateTable('checkoutSessions')
        .set({ status: to, ...(paymentIntentId ? { stripePaymentIntentId: paymentIntentId } : {}) })
        .where('id', '=', id)
        .where('status', 'in', Array.isArray(from) ? from : [from])
        .where('fulfilledAt', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** A delayed payment failed: the session is complete, and will not be paid. */
    async markPaymentFailed(id: string, paymentIntentId: string | null): Promise<boolean> {
      const result = await database.db
        .updateTable('checkoutSessions')
        .set({
          status: 'complete',
          paymentFailedAt: new Date().toISOString(),
          ...(paymentIntentId ? { stripePaymentIntentId: paymentIntentId } : {}),
        })
        .where('id', '=', id)
        .where('fulfilledAt', 'is', null)
        .where('paymentFailedAt', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** The guard of fulfillment: true for exactly one caller, the one that fulfills. */
    async markFulfilled(
      id: string,
      paymentStatus: PaymentStatus,
      paymentIntentId: string | null,
      now: string,
    ): Promise<boolean> {
      const result = await database.db
        .updateTable('checkoutSessions')
        .set({
          status: 'complete',
          paymentStatus,
          fulfilledAt: now,
          ...(paymentIntentId ? { stripePaymentIntentId: paymentIntentId } : {}),
        })
        .where('id', '=', id)
        .where('fulfilledAt', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** What a promotion code took off the session: the total is what was charged. */
    async recordDiscount(id: string, discount: number, promotionCodeId: string | null) {
      await database.db
        .updateTable('checkoutSessions')
        .set((eb) => ({
          amountDiscount: discount,
          amountTotal: eb('amountSubtotal', '-', discount),
          stripePromotionCodeId: promotionCodeId,
        }))
        .where('id', '=', id)
        .execute();
    },

    /** Stripe's refunded total only ever grows: an older report never lowers it. */
    async recordRefundedAmount(id: string, amountRefunded: number): Promise<void> {
      await database.db
        .updateTable('checkoutSessions')
        .set((eb) => ({
          amountRefunded: eb
            .case()
            .when('amountRefunded', '<', amountRefunded)
            .then(amountRefunded)
            .else(eb.ref('amountRefunded'))
            .end(),
        }))
        .where('id', '=', id)
        .execute();
    },

    state,
    lines,

    /** The session's lines grouped by item, as Stripe's line items: name, price, how many. */
    lineItems: (id: string) =>
      database.db
        .selectFrom('checkoutSessionLines as l')
        .innerJoin('marketplaceItems as i', 'i.id', 'l.itemId')
        .select((eb) => [
          'l.itemId',
          'i.name',
          'l.unitAmount',
          eb.fn.countAll<number>().as('quantity'),
        ])
        .where('l.checkoutSessionId', '=', id)
        .groupBy(['l.itemId', 'i.name', 'l.unitAmount'])
        .orderBy('i.name')
        .execute(),

    async recordAttempt(
      id: string,
      kind: CheckoutAttemptKind,
      detail: string | null,
      stripeEventId: string | null = null,
    ): Promise<void> {
      const { db } = database;
      await db
        .insertInto('checkoutAttempts')
        .values({
          checkoutSessionId: id,
          kind,
          detail,
          stripeEventId,
          createdAt: new Date().toISOString(),
        })
        .execute();
      // Every way a session ends is logged here, so its devices are let go in the same transaction.
      if (ENDING_ATTEMPTS.has(kind))
        await db.deleteFrom('checkoutHolds').where('checkoutSessionId', '=', id).execute();
    },

    /** The session as the API shows it: state, amounts, attempts log and what it bought. */
    async view(row: CheckoutSessionRow): Promise<CheckoutSession> {
      const { db } = database;
      const sessionLines = await lines(row.id);
      const purchaseRows = await db
        .selectFrom('purchases as p')
        .innerJoin('marketplaceItems as i', 'i.id', 'p.itemId')
        .innerJoin('devices as d', 'd.id', 'p.deviceId')
        .leftJoin('deviceInstallations as n', (join) =>
          join.onRef('n.deviceId', '=', 'p.deviceId').onRef('n.itemId', '=', 'p.itemId'),
        )
        .select([
          'p.id',
          'p.deviceId',
          'p.itemId',
          'i.name as itemName',
          'p.amount',
          'p.currency',
          'p.amountDiscount',
          'p.status',
          'd.model',
          'd.firmwareVersion',
          'n.version as installedVersion',
        ])
        .where('p.checkoutSessionId', '=', row.id)
        .orderBy('p.deviceId')
        .orderBy('i.name')
        .execute();
      const attempts: CheckoutAttempt[] = await db
        .selectFrom('checkoutAttempts')
        .select(['id', 'kind', 'detail', 'stripeEventId', 'createdAt'])
        .where('checkoutSessionId', '=', row.id)
        .orderBy('id')
        .execute();
      const versions = await installableVersions(purchaseRows);
      return {
        id: row.id,
        instanceId: row.instanceId,
        mode: row.mode,
        status: row.status,
        paymentStatus: row.paymentStatus,
        phase: checkoutPhase(state(row)),
        checkoutUrl: row.status === 'open' ? row.checkoutUrl : null,
        expiresAt: row.expiresAt,
        createdAt: row.createdAt,
        amounts: {
          currency: row.currency,
          subtotal: row.amountSubtotal,
          platformFee: row.platformFee,
          total: row.amountTotal,
        },
        allowPromotionCodes: row.allowPromotionCodes,
        discount:
          row.amountDiscount > 0
            ? {
                amount: { amount: row.amountDiscount, currency: row.currency },
                promotionCodeId: row.stripePromotionCodeId,
              }
            : null,
        itemIds: [...new Set(sessionLines.map((l) => l.itemId))],
        deviceIds: [...new Set(sessionLines.map((l) => l.deviceId))],
        fulfilled: row.fulfilledAt !== null,
        stripeSessionId: row.stripeSessionId,
        attempts,
        purchases: purchaseRows.map((p, i) => ({
          id: p.id,
          deviceId: p.deviceId,
          itemId: p.itemId,
          itemName: p.itemName,
          price: { amount: p.amount, currency: p.currency },
          status: p.status,
          installableVersion: p.status === 'active' ? (versions[i] ?? null) : null,
          installedVersion: p.status === 'active' ? p.installedVersion : null,
          discount:
            p.amountDiscount > 0 ? { amount: p.amountDiscount, currency: p.currency } : null,
        })),
      };
    },
  };
}
export type CheckoutRepo = ReturnType<typeof createCheckoutRepo>;
