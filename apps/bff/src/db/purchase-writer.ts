import { feeFromBasisPoints } from '@repo/domain';
import type { CheckoutMode } from '@repo/schemas';
import { newId } from '../ids';
import { createPurchasesRepo } from '../modules/purchases/purchases.repo';
import type { Database } from './database';
import type { NewRow } from './schema';

/** An install of a purchase's item that ended in the past, on the purchase's entitlement. */
export type PastInstall = {
  releaseId: string;
  version: string;
  status: 'succeeded' | 'failed';
  reason?: string | null;
  finishedAt: string;
};

export type PastSession = {
  organisationId: string;
  instanceId: string;
  mode: CheckoutMode;
  createdAt: string;
  createdBy: string;
  currency: string;
  /** The marketplace's fee; 0 for a provider without a connected account. */
  platformFeeBps: number;
  lines: {
    deviceId: string;
    itemId: string;
    unitAmount: number;
    refundedAt?: string | null;
    install?: PastInstall;
  }[];
};

/**
 * Rows per INSERT: a few hundred keep every statement far below either database's limit on bound
 * parameters (30 columns at most here), and PostgreSQL plans a VALUES list of thousands of rows
 * more slowly per row.
 */
const ROWS_PER_STATEMENT = 250;

/**
 * Writes checkout sessions that were paid in the past, with everything fulfillment and refunds
 * would have left behind: lines, attempts, purchases (and their counts and sales totals),
 * entitlements and refunds, and the installs that ended on them with what they left on the
 * device. For large seeds and for tests that need purchases of every kind (live mode, old dates)
 * without paying for them.
 *
 * Many sessions at a time are written as a few multi-row statements per table, in one
 * transaction (the caller's, when one is open): row by row, a million purchases would take a
 * round trip each on PostgreSQL. Entitlements, refunds and installs are history here, written as
 * they stand (revoked, succeeded, ended), not granted, settled and reported step by step as the
 * live paths do: an install job has no events.
 */
export function createPurchaseWriter(database: Database) {
  const purchases = createPurchasesRepo(database);

  async function inBatches<T>(rows: T[], write: (batch: T[]) => Promise<unknown>) {
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT)
      await write(rows.slice(start, start + ROWS_PER_STATEMENT));
  }

  /** Returns each session's purchase ids, in the order of its lines. */
  return async function writePastSessions(pastSessions: PastSession[]): Promise<string[][]> {
    const sessions: NewRow<'checkoutSessions'>[] = [];
    const lines: NewRow<'checkoutSessionLines'>[] = [];
    const attempts: NewRow<'checkoutAttempts'>[] = [];
    const purchaseRows: NewRow<'purchases'>[] = [];
    const entitlements: NewRow<'entitlements'>[] = [];
    const refunds: NewRow<'refunds'>[] = [];
    /** Installs by the purchase whose entitlement they ran under. */
    const installs = new Map<
      string,
      PastInstall & { organisationId: string; deviceId: string; itemId: string; after: string }
    >();

    const ids = pastSessions.map((session) => {
      const id = newId('chk');
      const total = session.lines.reduce((sum, line) => sum + line.unitAmount, 0);
      const refunded = session.lines.reduce(
        (sum, line) => sum + (line.refundedAt ? line.unitAmount : 0),
        0,
      );
      const paid = total > 0;
      const suffix = id.slice(4);
      sessions.push({
        id,
        organisationId: session.organisationId,
        instanceId: session.instanceId,
        mode: session.mode,
        status: 'complete',
        paymentStatus: paid ? 'paid' : 'no_payment_required',
        currency: session.currency,
        amountSubtotal: total,
        platformFee: feeFromBasisPoints(total, session.platformFeeBps),
        amountTotal: total,
        amountRefunded: refunded,
        successUrl: 'https://dashboard.invalid/checkout/success',
        cancelUrl: 'https://dashboard.invalid/checkout/cancel',
        expiresAt: new Date(Date.parse(session.createdAt) + 30 * 60_000).toISOString(),
        idempotencyKey: id,
        requestHash: 'seeded',
        stripeSessionId: paid ? `cs_${session.mode}_${suffix}` : null,
        stripePaymentIntentId: paid ? `pi_${suffix}` : null,
        stripePromotionCodeId: null,
        checkoutUrl: null,
        allowPromotionCodes: 0,
        apiKeyId: null,
        paymentLinkId: null,
        createdBy: session.createdBy,
        createdAt: session.createdAt,
        fulfilledAt: session.createdAt,
        paymentFailedAt: null,
      });
      const attempt = (
        kind: NewRow<'checkoutAttempts'>['kind'],
        detail: string | null,
        at: string,
      ) =>
        attempts.push({
          checkoutSessionId: id,
          kind,
          detail,
          stripeEventId: kind === 'paid' ? `evt_${suffix}` : null,
          createdAt: at,
        });
      attempt('created', null, session.createdAt);
      if (paid) attempt('paid', 'Payment confirmed by a webhook event.', session.createdAt);
      attempt(
        'fulfilled',
        `${session.lines.length} purchase(s) and entitlement(s) recorded.`,
        session.createdAt,
      );
      return session.lines.map((line) => {
        const purchaseId = newId('pur');
        const refundedAt = line.refundedAt ?? null;
        lines.push({
          checkoutSessionId: id,
          itemId: line.itemId,
          deviceId: line.deviceId,
          unitAmount: line.unitAmount,
        });
        purchaseRows.push({
          id: purchaseId,
          organisationId: session.organisationId,
          checkoutSessionId: id,
          deviceId: line.deviceId,
          itemId: line.itemId,
          mode: session.mode,
          amount: line.unitAmount,
          currency: session.currency,
          status: refundedAt ? 'refunded' : 'active',
          createdAt: session.createdAt,
          refundedAt,
        });
        if (line.install)
          installs.set(purchaseId, {
            ...line.install,
            organisationId: session.organisationId,
            deviceId: line.deviceId,
            itemId: line.itemId,
            after: session.createdAt,
          });
        entitlements.push({
          id: newId('ent'),
          organisationId: session.organisationId,
          deviceId: line.deviceId,
          itemId: line.itemId,
          mode: session.mode,
          purchaseId,
          status: refundedAt ? 'revoked' : 'active',
          createdAt: session.createdAt,
          revokedAt: refundedAt,
        });
        if (refundedAt) {
          const refundId = newId('rfd');
          refunds.push({
            id: refundId,
            organisationId: session.organisationId,
            purchaseId,
            amount: line.unitAmount,
            status: 'succeeded',
            stripeRefundId: `re_${refundId.slice(4)}`,
            stripeIdempotencyKey: null,
            reason: null,
            requestedBy: session.createdBy,
            createdAt: refundedAt,
            completedAt: refundedAt,
          });
          attempt('refunded', '1 purchase(s) refunded; entitlements revoked.', refundedAt);
        }
        return purchaseId;
      });
    });

    await database.transaction(async () => {
      const { db } = database;
      await inBatches(sessions, (b) => db.insertInto('checkoutSessions').values(b).execute());
      await inBatches(lines, (b) => db.insertInto('checkoutSessionLines').values(b).execute());
      await inBatches(attempts, (b) => db.insertInto('checkoutAttempts').values(b).execute());
      await purchases.insertPurchases(purchaseRows);
      // A device already entitled to the item in that mode keeps its entitlement: the later
      // purchase was a duplicate, as fulfillment would have found it.
      const granted = new Map<string, string>();
      await inBatches(entitlements, async (b) => {
        const inserted = await db
          .insertInto('entitlements')
          .values(b)
          .onConflict((oc) => oc.doNothing())
          .returning(['id', 'purchaseId'])
          .execute();
        for (const row of inserted) granted.set(row.purchaseId, row.id);
      });
      await inBatches(refunds, (b) => db.insertInto('refunds').values(b).execute());

      // Only a purchase that was granted its entitlement can have been installed.
      const jobs: NewRow<'installJobs'>[] = [];
      const installedNow = new Map<string, NewRow<'deviceInstallations'>>();
      for (const [purchaseId, install] of installs) {
        const entitlementId = granted.get(purchaseId);
        if (!entitlementId) continue;
        const id = newId('inst');
        const queuedAt = new Date(
          Math.max(Date.parse(install.after), Date.parse(install.finishedAt) - 10 * 60_000),
        ).toISOString();
        jobs.push({
          id,
          organisationId: install.organisationId,
          deviceId: install.deviceId,
          itemId: install.itemId,
          releaseId: install.releaseId,
          entitlementId,
          status: install.status,
          attempt: 1,
          retryOf: null,
          progress: install.status === 'succeeded' ? 100 : null,
          reason: install.status === 'failed' ? (install.reason ?? null) : null,
          createdBy: null,
          createdAt: queuedAt,
          updatedAt: install.finishedAt,
          finishedAt: install.finishedAt,
        });
        const key = `${install.deviceId}|${install.itemId}`;
        const newer = (installedNow.get(key)?.installedAt ?? '') < install.finishedAt;
        if (install.status === 'succeeded' && newer)
          installedNow.set(key, {
            deviceId: install.deviceId,
            itemId: install.itemId,
            releaseId: install.releaseId,
            version: install.version,
            installJobId: id,
            installedAt: install.finishedAt,
          });
      }
      await inBatches(jobs, (b) => db.insertInto('installJobs').values(b).execute());
      // What runs on a device is its latest successful install.
      await inBatches([...installedNow.values()], (b) =>
        db
          .insertInto('deviceInstallations')
          .values(b)
          .onConflict((oc) =>
            oc
              .columns(['deviceId', 'itemId'])
              .doUpdateSet((eb) => ({
                releaseId: eb.ref('excluded.releaseId'),
                version: eb.ref('excluded.version'),
                installJobId: eb.ref('excluded.installJobId'),
                installedAt: eb.ref('excluded.installedAt'),
              }))
              .where('deviceInstallations.installedAt', '<', (eb) =>
                eb.ref('excluded.installedAt'),
              ),
          )
          .execute(),
      );
    });
    return ids;
  };
}
export type PurchaseWriter = ReturnType<typeof createPurchaseWriter>;
