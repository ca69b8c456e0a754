import type { CheckoutMode } from '@repo/schemas';
import type { Database } from '../../db/database';
import { paymentLinkTokenContext, type SecretBox } from '../../security/secret-box';
import { hashToken } from '../../security/tokens';

export type PaymentLinkRow = {
  id: string;
  organisationId: string;
  instanceId: string;
  mode: CheckoutMode;
  /** The link's secret, opened from its sealed copy. */
  token: string;
  itemIds: string[];
  deviceIds: string[];
  allowPromotionCodes: boolean;
  maxUses: number;
  /** Completed purchases made through the link. */
  uses: number;
  expiresAt: string;
  createdBy: string;
  createdAt: string;
  deactivatedAt: string | null;
};

export type NewPaymentLink = Omit<PaymentLinkRow, 'uses' | 'deactivatedAt'>;

/** Our checkout session behind a return from the payment page, and the link that started it. */
export type PaymentLinkSession = {
  checkoutSessionId: string;
  organisationId: string;
  paymentLinkId: string;
};

/**
 * A link is found by the SHA-256 of its token, so the database alone opens no link; the token is
 * also kept sealed with the secrets key because the dashboard shows each link's address again.
 */
export function createPaymentLinksRepo(database: Database, secrets: SecretBox) {
  const links = () =>
    database.db.selectFrom('paymentLinks as l').select((eb) => [
      'l.id',
      'l.organisationId',
      'l.instanceId',
      'l.mode',
      'l.tokenSealed',
      'l.itemIds',
      'l.deviceIds',
      'l.allowPromotionCodes',
      'l.maxUses',
      'l.expiresAt',
      'l.createdBy',
      'l.createdAt',
      'l.deactivatedAt',
      eb
        .selectFrom('checkoutSessions as c')
        .select((c) => c.fn.countAll<number>().as('uses'))
        .whereRef('c.paymentLinkId', '=', 'l.id')
        .where('c.fulfilledAt', 'is not', null)
        .as('uses'),
    ]);

  type RawRow = Awaited<ReturnType<ReturnType<typeof links>['executeTakeFirstOrThrow']>>;
  const toRow = ({ tokenSealed, ...raw }: RawRow): PaymentLinkRow => ({
    ...raw,
    token: secrets.open(tokenSealed, paymentLinkTokenContext(raw.id)),
    itemIds: JSON.parse(raw.itemIds) as string[],
    deviceIds: JSON.parse(raw.deviceIds) as string[],
    allowPromotionCodes: raw.allowPromotionCodes === 1,
    uses: raw.uses ?? 0,
  });

  /** Sessions a link started. */
  const sessionsOf = (linkId: string) =>
    database.db.selectFrom('checkoutSessions').where('paymentLinkId', '=', linkId);

  return {
    async insert({ token, ...link }: NewPaymentLink): Promise<void> {
      await database.db
        .insertInto('paymentLinks')
        .values({
          id: link.id,
          organisationId: link.organisationId,
          instanceId: link.instanceId,
          mode: link.mode,
          tokenHash: hashToken(token),
          tokenSealed: secrets.seal(token, paymentLinkTokenContext(link.id)),
          itemIds: JSON.stringify(link.itemIds),
          deviceIds: JSON.stringify(link.deviceIds),
          allowPromotionCodes: link.allowPromotionCodes ? 1 : 0,
          maxUses: link.maxUses,
          expiresAt: link.expiresAt,
          createdBy: link.createdBy,
          createdAt: link.createdAt,
        })
        .execute();
    },

    /** Newest first; the dashboard shows the latest 200. */
    async list(organisationId: string): Promise<PaymentLinkRow[]> {
      const rows = await links()
        .where('l.organisationId', '=', organisationId)
        .orderBy('l.createdAt', 'desc')
        .orderBy('l.id')
        .limit(200)
        .execute();
      return rows.map(toRow);
    },

    async find(organisationId: string, id: string): Promise<PaymentLinkRow | undefined> {
      const row = await links()
        .where('l.organisationId', '=', organisationId)
        .where('l.id', '=', id)
        .executeTakeFirst();
      return row && toRow(row);
    },

    async findByToken(token: string): Promise<PaymentLinkRow | undefined> {
      const row = await links().where('l.tokenHash', '=', hashToken(token)).executeTakeFirst();
      return row && toRow(row);
    },

    /** False when it was already turned off (or is not the organisation's). */
    async deactivate(organisationId: string, id: string, at: string): Promise<boolean> {
      const result = await database.db
        .updateTable('paymentLinks')
        .set({ deactivatedAt: at })
        .where('organisationId', '=', organisationId)
        .where('id', '=', id)
        .where('deactivatedAt', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** The newest session of the link that may still be paid. */
    async openSessionOf(linkId: string, now: string): Promise<string | undefined> {
      const row = await sessionsOf(linkId)
        .select('id')
        .where('status', '=', 'open')
        .where('fulfilledAt', 'is', null)
        .where('expiresAt', '>', now)
        .orderBy('createdAt', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.id;
    },

    /** How many of the link's sessions have ended (paid, expired or cancelled). */
    async endedSessions(linkId: string): Promise<number> {
      const { count } = await sessionsOf(linkId)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('status', '!=', 'open')
        .executeTakeFirstOrThrow();
      return count;
    },

    /** The session behind a return from the payment page, only if a payment link started it. */
    async sessionOfReturn(ref: {
      stripeSessionId?: string;
      checkoutSessionId?: string;
    }): Promise<PaymentLinkSession | undefined> {
      const { stripeSessionId, checkoutSessionId } = ref;
      if (stripeSessionId === undefined && checkoutSessionId === undefined) return undefined;
      const row = await database.db
        .selectFrom('checkoutSessions')
        .select(['id', 'organisationId', 'paymentLinkId'])
        .$if(stripeSessionId !== undefined, (q) =>
          q.where('stripeSessionId', '=', stripeSessionId!),
        )
        .$if(checkoutSessionId !== undefined, (q) => q.where('id', '=', checkoutSessionId!))
        .where('paymentLinkId', 'is not', null)
        .executeTakeFirst();
      return row?.paymentLinkId
        ? {
            checkoutSessionId: row.id,
            organisationId: row.organisationId,
            paymentLinkId: row.paymentLinkId,
          }
        : undefined;
    },
  };
}
export type PaymentLinksRepo = ReturnType<typeof createPaymentLinksRepo>;
