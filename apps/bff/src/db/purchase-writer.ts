import { feeFromBasisPoints } from '@repo/domain';
import type { CheckoutMode } from '@repo/schemas';
import { newId } from '../ids';
import type { Database } from './database';

export type PastSession = {
  organisationId: string;
  instanceId: string;
  mode: CheckoutMode;
  createdAt: string;
  createdBy: string;
  currency: string;
  /** The marketplace's fee; 0 for a provider without a connected account. */
  platformFeeBps: number;
  lines: { deviceId: string; itemId: string; unitAmount: number; refundedAt?: string | null }[];
};

/**
 * Writes checkout sessions that were paid in the past, with everything fulfillment and refunds
 * would have left behind: lines, attempts, purchases, entitlements and refunds. For large seeds
 * and for tests that need purchases of every kind (live mode, old dates) without paying for them.
 * Call inside a transaction when writing many.
 */
export function createPurchaseWriter(db: Database) {
  const s = {
    session: db.prepare(
      `INSERT INTO checkout_sessions (id, organisation_id, instance_id, mode, status, payment_status, currency,
         amount_subtotal, platform_fee, amount_total, success_url, cancel_url, expires_at, idempotency_key,
         request_hash, stripe_session_id, stripe_payment_intent_id, created_by, created_at, fulfilled_at,
         amount_refunded)
       VALUES (@id, @organisationId, @instanceId, @mode, 'complete', @paymentStatus, @currency, @total, @fee,
         @total, 'https://dashboard.invalid/checkout/success', 'https://dashboard.invalid/checkout/cancel',
         @expiresAt, @id, 'seeded', @stripeSessionId, @paymentIntentId, @createdBy, @createdAt, @createdAt,
         @refunded)`,
    ),
    line: db.prepare(
      'INSERT INTO checkout_session_lines (checkout_session_id, item_id, device_id, unit_amount) VALUES (?, ?, ?, ?)',
    ),
    attempt: db.prepare(
      `INSERT INTO checkout_attempts (checkout_session_id, kind, detail, stripe_event_id, created_at)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    purchase: db.prepare(
      `INSERT INTO purchases (id, organisation_id, checkout_session_id, device_id, item_id, mode, amount,
         currency, status, created_at, refunded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    entitlement: db.prepare(
      `INSERT INTO entitlements (id, organisation_id, device_id, item_id, mode, purchase_id, status, created_at,
         revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ),
    refund: db.prepare(
      `INSERT INTO refunds (id, organisation_id, purchase_id, amount, status, stripe_refund_id, requested_by,
         created_at, completed_at)
       VALUES (?, ?, ?, ?, 'succeeded', ?, ?, ?, ?)`,
    ),
  };

  /** Returns the purchase ids, in the order of the lines. */
  return function writePastSession(session: PastSession): string[] {
    const id = newId('chk');
    const total = session.lines.reduce((sum, line) => sum + line.unitAmount, 0);
    const refunded = session.lines.reduce(
      (sum, line) => sum + (line.refundedAt ? line.unitAmount : 0),
      0,
    );
    const paid = total > 0;
    const suffix = id.slice(4);
    s.session.run({
      id,
      organisationId: session.organisationId,
      instanceId: session.instanceId,
      mode: session.mode,
      paymentStatus: paid ? 'paid' : 'no_payment_required',
      currency: session.currency,
      total,
      fee: feeFromBasisPoints(total, session.platformFeeBps),
      expiresAt: new Date(Date.parse(session.createdAt) + 30 * 60_000).toISOString(),
      stripeSessionId: paid ? `cs_${session.mode}_${suffix}` : null,
      paymentIntentId: paid ? `pi_${suffix}` : null,
      createdBy: session.createdBy,
      createdAt: session.createdAt,
      refunded,
    });
    s.attempt.run(id, 'created', null, null, session.createdAt);
    if (paid)
      s.attempt.run(
        id,
        'paid',
        'Payment confirmed by a webhook event.',
        `evt_${suffix}`,
        session.createdAt,
      );
    s.attempt.run(
      id,
      'fulfilled',
      `${session.lines.length} purchase(s) and entitlement(s) recorded.`,
      null,
      session.createdAt,
    );
    return session.lines.map((line) => {
      const purchaseId = newId('pur');
      s.line.run(id, line.itemId, line.deviceId, line.unitAmount);
      s.purchase.run(
        purchaseId,
        session.organisationId,
        id,
        line.deviceId,
        line.itemId,
        session.mode,
        line.unitAmount,
        session.currency,
        line.refundedAt ? 'refunded' : 'active',
        session.createdAt,
        line.refundedAt ?? null,
      );
      s.entitlement.run(
        newId('ent'),
        session.organisationId,
        line.deviceId,
        line.itemId,
        session.mode,
        purchaseId,
        line.refundedAt ? 'revoked' : 'active',
        session.createdAt,
        line.refundedAt ?? null,
      );
      if (line.refundedAt) {
        const refundId = newId('rfd');
        s.refund.run(
          refundId,
          session.organisationId,
          purchaseId,
          line.unitAmount,
          `re_${refundId.slice(4)}`,
          session.createdBy,
          line.refundedAt,
          line.refundedAt,
        );
        s.attempt.run(
          id,
          'refunded',
          '1 purchase(s) refunded; entitlements revoked.',
          null,
          line.refundedAt,
        );
      }
      return purchaseId;
    });
  };
}
