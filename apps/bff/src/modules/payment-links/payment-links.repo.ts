import type { CheckoutMode, PaymentLink, PaymentLinkStatus } from '@repo/schemas';
import type { Database } from '../../db/database';
import { paymentLinkTokenContext, type SecretBox } from '../../security/secret-box';
import { hashToken } from '../../security/tokens';

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

type RawRow = Omit<PaymentLinkRow, 'token' | 'itemIds' | 'deviceIds' | 'allowPromotionCodes'> & {
  tokenSealed: string;
  itemIds: string;
  deviceIds: string;
  allowPromotionCodes: number;
};

const COLUMNS = `l.id, l.organisation_id AS organisationId, l.instance_id AS instanceId, l.mode,
  l.token_sealed AS tokenSealed,
  l.item_ids AS itemIds, l.device_ids AS deviceIds, l.allow_promotion_codes AS allowPromotionCodes,
  l.max_uses AS maxUses, l.expires_at AS expiresAt, l.created_by AS createdBy, l.created_at AS createdAt,
  l.deactivated_at AS deactivatedAt,
  (SELECT count(*) FROM checkout_sessions c WHERE c.payment_link_id = l.id AND c.fulfilled_at IS NOT NULL) AS uses`;

const toRow = (secrets: SecretBox, raw: RawRow | undefined): PaymentLinkRow | undefined =>
  raw && {
    ...raw,
    token: secrets.open(raw.tokenSealed, paymentLinkTokenContext(raw.id)),
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

/**
 * A link is found by the SHA-256 of its token, so the database alone opens no link; the token is
 * also kept sealed with the secrets key because the dashboard shows each link's address again.
 */
export function createPaymentLinksRepo(db: Database, secrets: SecretBox) {
  const s = {
    insert: db.prepare(
      `INSERT INTO payment_links (id, organisation_id, instance_id, mode, token_hash, token_sealed,
         item_ids, device_ids, allow_promotion_codes, max_uses, expires_at, created_by, created_at)
       VALUES (@id, @organisationId, @instanceId, @mode, @tokenHash, @tokenSealed, @itemIds, @deviceIds,
         @allowPromotionCodes, @maxUses, @expiresAt, @createdBy, @createdAt)`,
    ),
    list: db.prepare(
      `SELECT ${COLUMNS} FROM payment_links l WHERE l.organisation_id = ?
       ORDER BY l.created_at DESC, l.id LIMIT 200`,
    ),
    find: db.prepare(
      `SELECT ${COLUMNS} FROM payment_links l WHERE l.organisation_id = ? AND l.id = ?`,
    ),
    byToken: db.prepare(`SELECT ${COLUMNS} FROM payment_links l WHERE l.token_hash = ?`),
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
    insert({ token, ...link }: Omit<PaymentLinkRow, 'uses' | 'deactivatedAt'>): void {
      s.insert.run({
        ...link,
        tokenHash: hashToken(token),
        tokenSealed: secrets.seal(token, paymentLinkTokenContext(link.id)),
        itemIds: JSON.stringify(link.itemIds),
        deviceIds: JSON.stringify(link.deviceIds),
        allowPromotionCodes: Number(link.allowPromotionCodes),
      });
    },
    list: (organisationId: string) =>
      (s.list.all(organisationId) as RawRow[]).map((raw) => toRow(secrets, raw)!),
    find: (organisationId: string, id: string) =>
      toRow(secrets, s.find.get(organisationId, id) as RawRow),
    findByToken: (token: string) => toRow(secrets, s.byToken.get(hashToken(token)) as RawRow),
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
