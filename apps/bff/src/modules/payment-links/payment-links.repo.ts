import type { CheckoutMode, PaymentLink, PaymentLinkStatus } from '@repo/schemas';
import type { Database } from '../../db/database';

export type PaymentLinkRow = {
  id: string;
  organisationId: string;
  instanceId: string;
  mode: CheckoutMode;
  token: string;
  itemIds: string[];
  deviceIds: string[];
  allowPromotionCodes: boolean;
  maxUses: number;
  uses: number;
  expiresAt: string;
  createdBy: string;
  createdAt: string;
  deactivatedAt: string | null;
};

type RawRow = Omit<PaymentLinkRow, 'itemIds' | 'deviceIds' | 'allowPromotionCodes'> & {
  itemIds: string;
  deviceIds: string;
  allowPromotionCodes: number;
};

const COLUMNS = `l.id, l.organisation_id AS organisationId, l.instance_id AS instanceId, l.mode, l.token,
  l.item_ids AS itemIds, l.device_ids AS deviceIds, l.allow_promotion_codes AS allowPromotionCodes,
  l.max_uses AS maxUses, l.expires_at AS expiresAt, l.created_by AS createdBy, l.created_at AS createdAt,
  l.deactivated_at AS deactivatedAt,
  (SELECT count(*) FROM checkout_sessions c WHERE c.payment_link_id = l.id AND c.fulfilled_at IS NOT NULL) AS uses`;

const toRow = (raw: RawRow | undefined): PaymentLinkRow | undefined =>
  raw && {
    ...raw,
    itemIds: JSON.parse(raw.itemIds) as string[],
    deviceIds: JSON.parse(raw.deviceIds) as string[],
    allowPromotionCodes: raw.allowPromotionCodes === 1,
  };

/** Turned off, used up and expired, in that order: the first that applies is what people see. */
export function paymentLinkStatus(link: PaymentLinkRow, now = Date.now()): PaymentLinkStatus {
  if (link.deactivatedAt) return 'deactivated';
  if (link.uses >= link.maxUses) return 'used_up';
  if (Date.parse(link.expiresAt) <= now) return 'expired';
  return 'active';
}

export function createPaymentLinksRepo(db: Database) {
  const s = {
    insert: db.prepare(
      `INSERT INTO payment_links (id, organisation_id, instance_id, mode, token, item_ids, device_ids,
         allow_promotion_codes, max_uses, expires_at, created_by, created_at)
       VALUES (@id, @organisationId, @instanceId, @mode, @token, @itemIds, @deviceIds,
         @allowPromotionCodes, @maxUses, @expiresAt, @createdBy, @createdAt)`,
    ),
    list: db.prepare(
      `SELECT ${COLUMNS} FROM payment_links l WHERE l.organisation_id = ?
       ORDER BY l.created_at DESC, l.id LIMIT 200`,
    ),
    find: db.prepare(
      `SELECT ${COLUMNS} FROM payment_links l WHERE l.organisation_id = ? AND l.id = ?`,
    ),
    byToken: db.prepare(`SELECT ${COLUMNS} FROM payment_links l WHERE l.token = ?`),
    deactivate: db.prepare(
      `UPDATE payment_links SET deactivated_at = ? WHERE organisation_id = ? AND id = ? AND deactivated_at IS NULL`,
    ),
    // The newest session of the link that may still be paid, and how many of its sessions ended.
    openSession: db
      .prepare(
        `SELECT id FROM checkout_sessions WHERE payment_link_id = ? AND status = 'open'
           AND fulfilled_at IS NULL AND expires_at > ? ORDER BY created_at DESC LIMIT 1`,
      )
      .pluck(),
    endedSessions: db
      .prepare(
        "SELECT count(*) FROM checkout_sessions WHERE payment_link_id = ? AND status != 'open'",
      )
      .pluck(),
    sessionOfLink: db
      .prepare(
        `SELECT id FROM checkout_sessions WHERE payment_link_id = @linkId
           AND (stripe_session_id = @stripeSessionId OR id = @checkoutSessionId)`,
      )
      .pluck(),
  };

  return {
    insert(link: Omit<PaymentLinkRow, 'uses' | 'deactivatedAt'>): void {
      s.insert.run({
        ...link,
        itemIds: JSON.stringify(link.itemIds),
        deviceIds: JSON.stringify(link.deviceIds),
        allowPromotionCodes: Number(link.allowPromotionCodes),
      });
    },
    list: (organisationId: string) =>
      (s.list.all(organisationId) as RawRow[]).map((raw) => toRow(raw)!),
    find: (organisationId: string, id: string) => toRow(s.find.get(organisationId, id) as RawRow),
    findByToken: (token: string) => toRow(s.byToken.get(token) as RawRow),
    deactivate: (organisationId: string, id: string) =>
      s.deactivate.run(new Date().toISOString(), organisationId, id).changes > 0,
    /** Our checkout session for a return from Stripe, only if this link started it. */
    sessionOfLink: (
      linkId: string,
      ref: { stripeSessionId?: string; checkoutSessionId?: string },
    ) =>
      s.sessionOfLink.get({
        linkId,
        stripeSessionId: ref.stripeSessionId ?? null,
        checkoutSessionId: ref.checkoutSessionId ?? null,
      }) as string | undefined,
    openSessionOf: (linkId: string) =>
      s.openSession.get(linkId, new Date().toISOString()) as string | undefined,
    endedSessions: (linkId: string) => s.endedSessions.get(linkId) as number,
  };
}
export type PaymentLinksRepo = ReturnType<typeof createPaymentLinksRepo>;

export const toPaymentLink = (link: PaymentLinkRow, publicUrl: string): PaymentLink => ({
  id: link.id,
  url: `${publicUrl}/pay/${link.token}`,
  instanceId: link.instanceId,
  mode: link.mode,
  itemIds: link.itemIds,
  deviceIds: link.deviceIds,
  allowPromotionCodes: link.allowPromotionCodes,
  maxUses: link.maxUses,
  uses: link.uses,
  status: paymentLinkStatus(link),
  expiresAt: link.expiresAt,
  createdAt: link.createdAt,
});
