import {
  checkoutPhase,
  compareFirmware,
  releaseIncompatibility,
  type CheckoutState,
} from '@repo/domain';
import type {
  CheckoutAttempt,
  CheckoutAttemptKind,
  CheckoutMode,
  CheckoutPurchase,
  CheckoutSession,
  CheckoutSessionStatus,
  PaymentStatus,
} from '@repo/schemas';
import type { Database } from '../../db/database';

export type CheckoutSessionRow = {
  id: string;
  organisationId: string;
  instanceId: string;
  mode: CheckoutMode;
  status: CheckoutSessionStatus;
  paymentStatus: PaymentStatus;
  currency: string;
  amountSubtotal: number;
  platformFee: number;
  amountTotal: number;
  successUrl: string;
  cancelUrl: string;
  expiresAt: string;
  idempotencyKey: string;
  requestHash: string;
  stripeSessionId: string | null;
  stripePaymentIntentId: string | null;
  checkoutUrl: string | null;
  createdBy: string;
  createdAt: string;
  fulfilledAt: string | null;
  apiKeyId: string | null;
  paymentLinkId: string | null;
  allowPromotionCodes: boolean;
  amountDiscount: number;
  stripePromotionCodeId: string | null;
  paymentFailedAt: string | null;
  amountRefunded: number;
};

const SESSION_COLUMNS = `id, organisation_id AS organisationId, instance_id AS instanceId, mode, status,
  payment_status AS paymentStatus, currency, amount_subtotal AS amountSubtotal, platform_fee AS platformFee,
  amount_total AS amountTotal, success_url AS successUrl, cancel_url AS cancelUrl, expires_at AS expiresAt,
  idempotency_key AS idempotencyKey, request_hash AS requestHash, stripe_session_id AS stripeSessionId,
  stripe_payment_intent_id AS stripePaymentIntentId, checkout_url AS checkoutUrl, created_by AS createdBy,
  created_at AS createdAt, fulfilled_at AS fulfilledAt, api_key_id AS apiKeyId,
  payment_link_id AS paymentLinkId, allow_promotion_codes AS allowPromotionCodes,
  amount_discount AS amountDiscount, stripe_promotion_code_id AS stripePromotionCodeId,
  payment_failed_at AS paymentFailedAt, amount_refunded AS amountRefunded`;

/** SQLite has no booleans: a row's 0/1 becomes one here, in one place. */
const toRow = (raw: unknown): CheckoutSessionRow | undefined =>
  raw === undefined
    ? undefined
    : {
        ...(raw as CheckoutSessionRow),
        allowPromotionCodes: (raw as { allowPromotionCodes: number }).allowPromotionCodes === 1,
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
> & { lines: { itemId: string; deviceId: string; unitAmount: number }[] };

/** What ends a session's claim on its devices: after these, it can no longer take a payment. */
const ENDING_ATTEMPTS: ReadonlySet<CheckoutAttemptKind> = new Set([
  'fulfilled',
  'expired',
  'cancelled',
  'payment_failed',
]);

export function createCheckoutRepo(db: Database) {
  const s = {
    insert: db.prepare(
      `INSERT INTO checkout_sessions (id, organisation_id, instance_id, mode, status, payment_status, currency,
         amount_subtotal, platform_fee, amount_total, success_url, cancel_url, expires_at, idempotency_key,
         request_hash, created_by, created_at, api_key_id, payment_link_id, allow_promotion_codes)
       VALUES (@id, @organisationId, @instanceId, @mode, @status, @paymentStatus, @currency, @amountSubtotal,
         @platformFee, @amountTotal, @successUrl, @cancelUrl, @expiresAt, @idempotencyKey, @requestHash,
         @createdBy, @createdAt, @apiKeyId, @paymentLinkId, @allowPromotionCodes)`,
    ),
    insertLine: db.prepare(
      'INSERT INTO checkout_session_lines (checkout_session_id, item_id, device_id, unit_amount) VALUES (?, ?, ?, ?)',
    ),
    hold: db.prepare(
      `INSERT INTO checkout_holds (organisation_id, device_id, item_id, mode, checkout_session_id)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    releaseHolds: db.prepare('DELETE FROM checkout_holds WHERE checkout_session_id = ?'),
    releaseStaleHold: db.prepare(
      `DELETE FROM checkout_holds
       WHERE organisation_id = @organisationId AND device_id = @deviceId AND item_id = @itemId
         AND mode = @mode AND checkout_session_id IN
           (SELECT id FROM checkout_sessions WHERE status = 'open' AND expires_at <= @now)`,
    ),
    byId: db.prepare(`SELECT ${SESSION_COLUMNS} FROM checkout_sessions WHERE id = ?`),
    byOrgAndId: db.prepare(
      `SELECT ${SESSION_COLUMNS} FROM checkout_sessions WHERE organisation_id = ? AND id = ?`,
    ),
    byIdempotencyKey: db.prepare(
      `SELECT ${SESSION_COLUMNS} FROM checkout_sessions WHERE organisation_id = ? AND idempotency_key = ?`,
    ),
    byPaymentIntent: db.prepare(
      `SELECT ${SESSION_COLUMNS} FROM checkout_sessions WHERE stripe_payment_intent_id = ?`,
    ),
    attachStripe: db.prepare(
      `UPDATE checkout_sessions SET stripe_session_id = ?, checkout_url = ?, expires_at = ? WHERE id = ?`,
    ),
    transition: db.prepare(
      `UPDATE checkout_sessions SET status = @to,
         stripe_payment_intent_id = coalesce(@paymentIntentId, stripe_payment_intent_id)
       WHERE id = @id AND status IN (SELECT value FROM json_each(@from)) AND fulfilled_at IS NULL`,
    ),
    paymentFailed: db.prepare(
      `UPDATE checkout_sessions SET status = 'complete', payment_failed_at = @now,
         stripe_payment_intent_id = coalesce(@paymentIntentId, stripe_payment_intent_id)
       WHERE id = @id AND fulfilled_at IS NULL AND payment_failed_at IS NULL`,
    ),
    lines: db.prepare(
      `SELECT item_id AS itemId, device_id AS deviceId, unit_amount AS unitAmount
       FROM checkout_session_lines WHERE checkout_session_id = ? ORDER BY item_id, device_id`,
    ),
    attempt: db.prepare(
      `INSERT INTO checkout_attempts (checkout_session_id, kind, detail, stripe_event_id, created_at)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    attempts: db.prepare(
      `SELECT id, kind, detail, stripe_event_id AS stripeEventId, created_at AS createdAt
       FROM checkout_attempts WHERE checkout_session_id = ? ORDER BY id`,
    ),
    purchases: db.prepare(
      `SELECT p.id, p.device_id AS deviceId, p.item_id AS itemId, i.name AS itemName, p.amount, p.currency,
              p.amount_discount AS amountDiscount, p.status, d.model, d.firmware_version AS firmwareVersion,
              n.version AS installedVersion
       FROM purchases p JOIN marketplace_items i ON i.id = p.item_id JOIN devices d ON d.id = p.device_id
       LEFT JOIN device_installations n ON n.device_id = p.device_id AND n.item_id = p.item_id
       WHERE p.checkout_session_id = ? ORDER BY p.device_id, i.name`,
    ),
    releases: db.prepare(
      `SELECT r.item_id AS itemId, r.version, r.min_firmware AS minFirmware, r.published_at AS publishedAt,
              (SELECT json_group_array(model) FROM release_compatible_models WHERE release_id = r.id) AS models
       FROM releases r WHERE r.item_id IN (SELECT value FROM json_each(?))`,
    ),
  };

  /** The newest release of each item that a device can run, if any. */
  function installableVersions(rows: { itemId: string; model: string; firmwareVersion: string }[]) {
    const itemIds = [...new Set(rows.map((r) => r.itemId))];
    const releases = (
      s.releases.all(JSON.stringify(itemIds)) as {
        itemId: string;
        version: string;
        minFirmware: string;
        models: string;
      }[]
    ).map((r) => ({ ...r, compatibleModels: JSON.parse(r.models) as string[] }));
    return rows.map((row) => {
      const fitting = releases
        .filter((r) => r.itemId === row.itemId && !releaseIncompatibility(row, r))
        .sort((a, b) => compareFirmware(b.version, a.version));
      return fitting[0]?.version ?? null;
    });
  }

  return {
    /**
     * Writes an open session with its lines, and holds each line's device × item × mode for it.
     * Throws a constraint error when another open checkout holds one of them; pages of other
     * checkouts past their expiry hold nothing any more.
     */
    insert(session: NewCheckoutSession): void {
      const { lines: _lines, ...columns } = session;
      s.insert.run({ ...columns, allowPromotionCodes: Number(session.allowPromotionCodes) });
      for (const line of session.lines) {
        s.insertLine.run(session.id, line.itemId, line.deviceId, line.unitAmount);
        const held = {
          organisationId: session.organisationId,
          deviceId: line.deviceId,
          itemId: line.itemId,
          mode: session.mode,
        };
        s.releaseStaleHold.run({ ...held, now: session.createdAt });
        s.hold.run(held.organisationId, held.deviceId, held.itemId, held.mode, session.id);
      }
    },
    find: (id: string) => toRow(s.byId.get(id)),
    findForOrg: (organisationId: string, id: string) => toRow(s.byOrgAndId.get(organisationId, id)),
    findByIdempotencyKey: (organisationId: string, key: string) =>
      toRow(s.byIdempotencyKey.get(organisationId, key)),
    findByPaymentIntent: (paymentIntentId: string) => toRow(s.byPaymentIntent.get(paymentIntentId)),
    attachStripe(
      id: string,
      stripeSessionId: string,
      checkoutUrl: string,
      expiresAt: string,
    ): void {
      s.attachStripe.run(stripeSessionId, checkoutUrl, expiresAt, id);
    },
    /** Moves an unfulfilled session from one status (or any of several) to another; false when it was in none. */
    transition(
      id: string,
      from: CheckoutSessionStatus | CheckoutSessionStatus[],
      to: CheckoutSessionStatus,
      paymentIntentId: string | null = null,
    ): boolean {
      const statuses = JSON.stringify(Array.isArray(from) ? from : [from]);
      return s.transition.run({ id, from: statuses, to, paymentIntentId }).changes > 0;
    },
    /** A delayed payment failed: the session is complete, and will not be paid. */
    markPaymentFailed(id: string, paymentIntentId: string | null): boolean {
      const now = new Date().toISOString();
      return s.paymentFailed.run({ id, paymentIntentId, now }).changes > 0;
    },
    /** The session as the checkout state machine sees it. */
    state(row: CheckoutSessionRow): CheckoutState {
      const fulfilled = row.fulfilledAt !== null;
      return {
        status: row.status,
        paymentStatus: row.paymentStatus,
        fulfilled,
        // Money that arrived later outweighs a failure reported earlier.
        paymentFailed: row.paymentFailedAt !== null && !fulfilled,
        refunded: row.amountTotal > 0 && row.amountRefunded >= row.amountTotal,
      };
    },
    lines: (id: string) =>
      s.lines.all(id) as { itemId: string; deviceId: string; unitAmount: number }[],
    recordAttempt(
      id: string,
      kind: CheckoutAttemptKind,
      detail: string | null,
      stripeEventId: string | null = null,
    ) {
      s.attempt.run(id, kind, detail, stripeEventId, new Date().toISOString());
      // Every way a session ends is logged here, so its devices are let go in the same transaction.
      if (ENDING_ATTEMPTS.has(kind)) s.releaseHolds.run(id);
    },

    /** The session as the API shows it: state, amounts, attempts log and what it bought. */
    view(row: CheckoutSessionRow): CheckoutSession {
      const lines = this.lines(row.id);
      const purchaseRows = s.purchases.all(row.id) as {
        id: string;
        deviceId: string;
        itemId: string;
        itemName: string;
        amount: number;
        currency: string;
        amountDiscount: number;
        status: CheckoutPurchase['status'];
        model: string;
        firmwareVersion: string;
        installedVersion: string | null;
      }[];
      const versions = installableVersions(purchaseRows);
      return {
        id: row.id,
        instanceId: row.instanceId,
        mode: row.mode,
        status: row.status,
        paymentStatus: row.paymentStatus,
        phase: checkoutPhase(this.state(row)),
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
        itemIds: [...new Set(lines.map((l) => l.itemId))],
        deviceIds: [...new Set(lines.map((l) => l.deviceId))],
        fulfilled: row.fulfilledAt !== null,
        stripeSessionId: row.stripeSessionId,
        attempts: s.attempts.all(row.id) as CheckoutAttempt[],
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
