import { normaliseDeviceId } from '@repo/domain';
import type {
  CheckoutSession,
  CreatePaymentLinkRequest,
  PaymentLink,
  PaymentLinkStatus,
} from '@repo/schemas';
import type { Database } from '../../db/database';
import type { Actor } from '../../http/auth';
import { notFound } from '../../http/errors';
import { newId } from '../../ids';
import { newToken } from '../../security/tokens';
import type { StripeGateway } from '../../stripe/stripe-gateway';
import type { AuditRepo } from '../audit/audit.repo';
import { basketInvalid, type CheckoutService } from '../checkout/checkout.service';
import type { BasketValidation, ValidateBasket } from '../devices/device-validation';
import type { PaymentLinkRow, PaymentLinksRepo } from './payment-links.repo';

export type { PaymentLinkRow } from './payment-links.repo';

/** A token as newToken('pl', 18) makes them; anything else is no link, without a query. */
const TOKEN = /^pl_[A-Za-z0-9_-]{24}$/;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Turned off, used up and expired, in that order: the first that applies is what people see. */
export function paymentLinkStatus(link: PaymentLinkRow, now = Date.now()): PaymentLinkStatus {
  if (link.deactivatedAt) return 'deactivated';
  if (link.uses >= link.maxUses) return 'used_up';
  if (Date.parse(link.expiresAt) <= now) return 'expired';
  return 'active';
}

/** What whoever opened a link sees: its state, and the basket checked again when it is active. */
export type LinkVisit = {
  link: PaymentLinkRow;
  status: PaymentLinkStatus;
  /** Only for an active link. */
  validation: BasketValidation | null;
};

/** Where a visitor returns from the payment page, and what the checkout came to. */
export type LinkReturn = {
  session: CheckoutSession;
  /** The link's token when the visitor's browser remembered it: for a way back to the link. */
  linkToken: string | null;
};

/**
 * Payment links: admins make them for a basket in the dashboard; whoever holds one opens a fresh
 * hosted checkout for it through the one checkout service. The token is the link's whole
 * protection, so it never leaves the link's own address: the checkout's return addresses carry
 * no token, only ids that name the checkout.
 */
export function createPaymentLinksService({
  database,
  paymentLinks,
  validateBasket,
  checkout,
  stripe,
  audit,
  publicUrl,
}: {
  database: Database;
  paymentLinks: PaymentLinksRepo;
  validateBasket: ValidateBasket;
  checkout: CheckoutService;
  stripe: StripeGateway;
  audit: AuditRepo;
  publicUrl: string;
}) {
  const toPaymentLink = (link: PaymentLinkRow): PaymentLink => ({
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

  async function linkOf(organisationId: string, id: string): Promise<PaymentLinkRow> {
    const link = await paymentLinks.find(organisationId, id);
    if (!link) throw notFound('Payment link');
    return link;
  }

  const findByToken = (token: string) =>
    TOKEN.test(token) ? paymentLinks.findByToken(token) : Promise.resolve(undefined);

  /** Where the visitor lands once the checkout is paid (or needed no payment). */
  const returnUrl = (checkoutSessionId: string) =>
    `${publicUrl}/pay/return?session=${encodeURIComponent(checkoutSessionId)}`;

  return {
    async list(actor: Actor): Promise<PaymentLink[]> {
      return (await paymentLinks.list(actor.organisationId)).map(toPaymentLink);
    },

    /** The same checks as a checkout, now; they run again whenever the link is opened. */
    async create(
      actor: Actor,
      body: CreatePaymentLinkRequest,
      requestId: string,
    ): Promise<PaymentLink> {
      // Refuses a mode without a key before anything is written.
      stripe.client(body.mode);
      const deviceIds = body.deviceIds.map(normaliseDeviceId);
      const validation = await validateBasket({
        organisationId: actor.organisationId,
        ...body,
        deviceIds,
      });
      if (!validation.valid) throw basketInvalid(validation);
      const now = new Date();
      const id = newId('plink');
      await database.transaction(async () => {
        await paymentLinks.insert({
          id,
          organisationId: actor.organisationId,
          instanceId: body.instanceId,
          mode: body.mode,
          token: newToken('pl', 18),
          itemIds: body.itemIds,
          deviceIds,
          allowPromotionCodes: body.allowPromotionCodes ?? false,
          maxUses: 1,
          expiresAt: new Date(now.getTime() + body.expiresInDays * DAY_MS).toISOString(),
          createdBy: actor.userId,
          createdAt: now.toISOString(),
        });
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'payment_link.create',
          objectType: 'payment_link',
          objectId: id,
          details: {
            mode: body.mode,
            itemIds: body.itemIds,
            devices: deviceIds.length,
            expiresInDays: body.expiresInDays,
          },
          requestId,
        });
      });
      return toPaymentLink(await linkOf(actor.organisationId, id));
    },

    /** Turning a link off twice changes nothing and records nothing. */
    async deactivate(actor: Actor, id: string, requestId: string): Promise<PaymentLink> {
      await linkOf(actor.organisationId, id);
      await database.transaction(async () => {
        const at = new Date().toISOString();
        if (!(await paymentLinks.deactivate(actor.organisationId, id, at))) return;
        await audit.record({
          organisationId: actor.organisationId,
          userId: actor.userId,
          action: 'payment_link.deactivate',
          objectType: 'payment_link',
          objectId: id,
          requestId,
        });
      });
      return toPaymentLink(await linkOf(actor.organisationId, id));
    },

    /** The link behind a token, or undefined; an active link's basket is checked again now. */
    async visit(token: string): Promise<LinkVisit | undefined> {
      const link = await findByToken(token);
      if (!link) return undefined;
      const status = paymentLinkStatus(link);
      if (status !== 'active') return { link, status, validation: null };
      const validation = await validateBasket({
        organisationId: link.organisationId,
        instanceId: link.instanceId,
        itemIds: link.itemIds,
        deviceIds: link.deviceIds,
        mode: link.mode,
        // The link's own open session is where its visitors pay: it does not stand in their way.
        ownCheckoutSessionId:
          (await paymentLinks.openSessionOf(link.id, new Date().toISOString())) ?? null,
      });
      return { link, status, validation };
    },

    /**
     * The visitor pressed pay: where to send them, or null when the link cannot be used (the
     * page says why). Problems with the basket or the payment provider are thrown as AppErrors.
     */
    async pay(token: string, requestId: string): Promise<string | null> {
      const link = await findByToken(token);
      if (!link || paymentLinkStatus(link) !== 'active') return null;
      // One payable session per link at a time: everyone who opens it now pays on the same page,
      // so a link for one purchase cannot be paid twice.
      const openId = await paymentLinks.openSessionOf(link.id, new Date().toISOString());
      if (openId) {
        const current = await checkout.get({ organisationId: link.organisationId }, openId);
        if (current.fulfilled) return returnUrl(current.id);
        if (current.status === 'open' && current.checkoutUrl) return current.checkoutUrl;
      }
      // Keyed by how many of the link's sessions have ended: presses at once, on any instance,
      // open the same one.
      const session = await checkout.create(
        { organisationId: link.organisationId, userId: link.createdBy, paymentLinkId: link.id },
        {
          instanceId: link.instanceId,
          itemIds: link.itemIds,
          deviceIds: link.deviceIds,
          mode: link.mode,
          allowPromotionCodes: link.allowPromotionCodes,
        },
        `paylink_${link.id}_${await paymentLinks.endedSessions(link.id)}`,
        requestId,
        {
          // Stored with the checkout and sent to Stripe: no token in either.
          success: `${publicUrl}/pay/return?stripe_session_id={CHECKOUT_SESSION_ID}`,
          cancel: `${publicUrl}/pay/cancelled`,
        },
      );
      return session.checkoutUrl ?? returnUrl(session.id);
    },

    /**
     * The checkout a visitor came back from, named by Stripe's session id (the success address)
     * or ours (a basket with nothing to pay), only if a payment link started it. The redirect
     * proves nothing: the checkout service asks Stripe while the payment is pending.
     */
    async returnFrom(
      ref: { stripeSessionId?: string; checkoutSessionId?: string },
      rememberedToken: string | undefined,
    ): Promise<LinkReturn | undefined> {
      const found = await paymentLinks.sessionOfReturn(ref);
      if (!found) return undefined;
      const session = await checkout.get(
        { organisationId: found.organisationId },
        found.checkoutSessionId,
      );
      const remembered = rememberedToken ? await findByToken(rememberedToken) : undefined;
      return {
        session,
        linkToken: remembered?.id === found.paymentLinkId ? remembered.token : null,
      };
    },

    /** A token the visitor's browser remembered, if it still names a link. */
    async rememberedLink(token: string | undefined): Promise<string | null> {
      const link = token ? await findByToken(token) : undefined;
      return link?.token ?? null;
    },
  };
}
export type PaymentLinksService = ReturnType<typeof createPaymentLinksService>;
