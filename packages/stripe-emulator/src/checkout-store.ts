import type { CheckoutSessionInput } from './checkout-session-params';
import { newId } from './ids';
import {
  couponDiscount,
  demoPromotionCodes,
  splitDiscount,
  type PromotionCodeRecord,
} from './promotion-codes';
import type { RefundInput } from './refund-params';
import { invalidRequest, resourceMissing } from './stripe-error';
import {
  chargeObject,
  checkoutSessionObject,
  lineItemObject,
  paymentIntentObject,
  type ChargeObject,
  type CheckoutSessionObject,
  type EmittedEventType,
  type EventObject,
  type LineItemObject,
  type ListObject,
  type PaymentIntentObject,
} from './stripe-objects';

export type LineItemRecord = {
  id: string;
  productId: string;
  priceId: string;
  name: string;
  description: string | null;
  unitAmount: number;
  currency: string;
  quantity: number;
};

export type CheckoutLogEntry = { at: number; message: string };

export type CheckoutSessionRecord = {
  id: string;
  created: number;
  expiresAt: number;
  currency: string;
  lineItems: LineItemRecord[];
  /** Before any discount. */
  amountSubtotal: number;
  /** What the customer pays: the subtotal less the discount. */
  amountTotal: number;
  /** The promotion code the customer entered on the hosted page, and what it took off. */
  discount: { promotionCode: PromotionCodeRecord; amount: number } | null;
  successUrl: string;
  cancelUrl: string | null;
  clientReferenceId: string | null;
  metadata: Record<string, string>;
  customerEmail: string | null;
  paymentMethodTypes: string[];
  allowPromotionCodes: boolean | null;
  locale: string | null;
  paymentIntentData: CheckoutSessionInput['paymentIntentData'];
  status: 'open' | 'complete' | 'expired';
  paymentStatus: 'unpaid' | 'paid' | 'no_payment_required';
  paymentIntentId: string | null;
  /** A bank transfer the customer chose and that has neither arrived nor failed yet. */
  awaitingTransfer: boolean;
  /** The `Stripe-Version` the session was created with, stamped on its events. */
  apiVersion: string;
  /** What happened on the hosted page, shown there; Stripe keeps no such public log. */
  log: CheckoutLogEntry[];
};

export type PaymentIntentRecord = {
  id: string;
  created: number;
  amount: number;
  currency: string;
  status: 'requires_action' | 'requires_payment_method' | 'succeeded';
  paymentMethodId: string;
  paymentMethodType: string;
  latestChargeId: string | null;
  applicationFeeAmount: number | null;
  transferDestination: string | null;
  description: string | null;
  metadata: Record<string, string>;
  receiptEmail: string | null;
  clientSecret: string;
  failureMessage: string | null;
  sessionId: string;
};

export type ChargeRecord = {
  id: string;
  created: number;
  amount: number;
  amountRefunded: number;
  currency: string;
  paymentIntentId: string;
  paymentMethodId: string;
  applicationFeeAmount: number | null;
  transferDestination: string | null;
  description: string | null;
  metadata: Record<string, string>;
  billingEmail: string | null;
};

export type RefundRecord = {
  id: string;
  created: number;
  amount: number;
  currency: string;
  chargeId: string;
  paymentIntentId: string;
  paymentMethodId: string;
  reason: RefundInput['reason'];
  metadata: Record<string, string>;
};

/** Which API request caused a change, as Stripe reports it in `event.request`. */
export type RequestContext = { requestId: string | null; idempotencyKey: string | null };

/** What a click on the hosted page led to. */
export type CheckoutActionResult =
  | { kind: 'completed'; redirectTo: string }
  | { kind: 'already_complete'; redirectTo: string }
  | { kind: 'declined' }
  | { kind: 'expired' }
  | { kind: 'not_awaiting_transfer' }
  | { kind: 'settled' };

/** What entering a promotion code on the hosted page led to. */
export type PromotionCodeResult =
  { kind: 'applied'; code: string } | { kind: 'invalid'; message: string };

export type CheckoutStoreOptions = {
  now: () => number;
  publicUrl: () => string;
  pendingWebhooks: () => number;
  publish: (event: EventObject) => void;
  promotionCodes?: PromotionCodeRecord[];
};

const defaultLifetimeSeconds = 24 * 60 * 60;
const noRequest: RequestContext = { requestId: null, idempotencyKey: null };

/**
 * Everything the emulator knows, in memory, and every state change Stripe would make to it.
 * Each change that Stripe announces with an event publishes one here, with a snapshot of the
 * object as it is right after the change.
 */
export class CheckoutStore {
  private readonly sessions = new Map<string, CheckoutSessionRecord>();
  private readonly paymentIntents = new Map<string, PaymentIntentRecord>();
  private readonly charges = new Map<string, ChargeRecord>();
  private readonly refunds = new Map<string, RefundRecord>();
  private readonly events = new Map<string, EventObject>();
  private readonly promotionCodes: PromotionCodeRecord[];

  constructor(private readonly options: CheckoutStoreOptions) {
    this.promotionCodes = options.promotionCodes ?? demoPromotionCodes;
  }

  private nowSeconds(): number {
    return Math.floor(this.options.now() / 1000);
  }

  createSession(input: CheckoutSessionInput, apiVersion: string): CheckoutSessionRecord {
    const created = this.nowSeconds();
    const lineItems = input.lineItems.map((lineItem) => ({
      id: newId('lineItem'),
      productId: newId('product'),
      priceId: newId('price'),
      ...lineItem,
    }));
    const session: CheckoutSessionRecord = {
      id: newId('checkoutSession'),
      created,
      expiresAt: input.expiresAt ?? created + defaultLifetimeSeconds,
      currency: input.currency,
      lineItems,
      amountSubtotal: lineItems.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0),
      amountTotal: lineItems.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0),
      discount: null,
      successUrl: input.successUrl,
      cancelUrl: input.cancelUrl,
      clientReferenceId: input.clientReferenceId,
      metadata: input.metadata,
      customerEmail: input.customerEmail,
      paymentMethodTypes: input.paymentMethodTypes,
      allowPromotionCodes: input.allowPromotionCodes,
      locale: input.locale,
      paymentIntentData: input.paymentIntentData,
      status: 'open',
      paymentStatus: 'unpaid',
      paymentIntentId: null,
      awaitingTransfer: false,
      apiVersion,
      log: [{ at: this.options.now(), message: 'Session created.' }],
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** A session by id, expired first if its time has passed (Stripe expires them on its own). */
  findSession(id: string): CheckoutSessionRecord | undefined {
    const session = this.sessions.get(id);
    if (session !== undefined) this.expireIfDue(session);
    return session;
  }

  requireSession(id: string): CheckoutSessionRecord {
    const session = this.findSession(id);
    if (session === undefined) throw resourceMissing('checkout.session', id, 'session');
    return session;
  }

  expireDueSessions(): void {
    for (const session of this.sessions.values()) this.expireIfDue(session);
  }

  expireSession(id: string, request: RequestContext): CheckoutSessionRecord {
    const session = this.requireSession(id);
    if (session.status !== 'open') {
      throw invalidRequest(
        'Only Checkout Sessions with a status in ["open"] can be expired.',
        'session',
      );
    }
    this.expire(session, 'Expired through the API.', request);
    return session;
  }

  private expireIfDue(session: CheckoutSessionRecord): void {
    if (session.status === 'open' && this.nowSeconds() >= session.expiresAt) {
      this.expire(session, 'Expired: expires_at has passed.', noRequest);
    }
  }

  private expire(session: CheckoutSessionRecord, message: string, request: RequestContext): void {
    session.status = 'expired';
    this.appendLog(session, message);
    this.publishSessionEvent('checkout.session.expired', session, request);
  }

  payWithCard(id: string, outcome: 'succeeded' | 'declined'): CheckoutActionResult {
    const session = this.requireSession(id);
    const blocked = this.blockedAction(session);
    if (blocked !== null) return blocked;
    if (outcome === 'declined') {
      this.appendLog(session, 'Card 4000 0000 0000 0002 was declined.');
      return { kind: 'declined' };
    }
    if (session.amountTotal === 0) {
      session.status = 'complete';
      session.paymentStatus = 'no_payment_required';
      this.appendLog(session, 'Completed without payment (total is zero).');
    } else {
      const intent = this.createPaymentIntent(session, 'card', 'succeeded');
      this.createCharge(intent);
      session.status = 'complete';
      session.paymentStatus = 'paid';
      session.paymentIntentId = intent.id;
      this.appendLog(session, 'Paid with card 4242 4242 4242 4242.');
    }
    this.publishSessionEvent('checkout.session.completed', session, noRequest);
    return { kind: 'completed', redirectTo: successRedirect(session) };
  }

  payByBankTransfer(id: string): CheckoutActionResult {
    const session = this.requireSession(id);
    const blocked = this.blockedAction(session);
    if (blocked !== null) return blocked;
    if (session.amountTotal === 0) return this.payWithCard(id, 'succeeded');
    // Stripe calls bank transfers `customer_balance`: the intent waits for the money to arrive.
    const intent = this.createPaymentIntent(session, 'customer_balance', 'requires_action');
    session.status = 'complete';
    session.paymentStatus = 'unpaid';
    session.paymentIntentId = intent.id;
    session.awaitingTransfer = true;
    this.appendLog(session, 'Chose to pay by bank transfer; waiting for the money.');
    this.publishSessionEvent('checkout.session.completed', session, noRequest);
    return { kind: 'completed', redirectTo: successRedirect(session) };
  }

  settleBankTransfer(id: string, outcome: 'succeeded' | 'failed'): CheckoutActionResult {
    const session = this.requireSession(id);
    if (!session.awaitingTransfer || session.paymentIntentId === null) {
      return { kind: 'not_awaiting_transfer' };
    }
    const intent = this.paymentIntents.get(session.paymentIntentId) as PaymentIntentRecord;
    session.awaitingTransfer = false;
    if (outcome === 'succeeded') {
      intent.status = 'succeeded';
      this.createCharge(intent);
      session.paymentStatus = 'paid';
      this.appendLog(session, 'The bank transfer arrived.');
      this.publishSessionEvent('checkout.session.async_payment_succeeded', session, noRequest);
    } else {
      intent.status = 'requires_payment_method';
      intent.failureMessage = 'The bank transfer did not arrive.';
      this.appendLog(session, 'The bank transfer failed.');
      this.publishSessionEvent('checkout.session.async_payment_failed', session, noRequest);
    }
    return { kind: 'settled' };
  }

  /**
   * A code typed on the hosted page, as Stripe Checkout takes it when the session allows
   * promotion codes: case-insensitive, one code per session, a new code replacing the old.
   */
  applyPromotionCode(id: string, typed: string): PromotionCodeResult {
    const session = this.requireSession(id);
    if (session.status !== 'open') return { kind: 'invalid', message: 'This session is over.' };
    if (session.allowPromotionCodes !== true)
      return { kind: 'invalid', message: 'This checkout does not take promotion codes.' };
    const code = typed.trim().toUpperCase();
    const promotionCode = this.promotionCodes.find((p) => p.code === code);
    const amount =
      promotionCode === undefined
        ? null
        : couponDiscount(promotionCode.coupon, session.amountSubtotal, session.currency);
    if (promotionCode === undefined || amount === null)
      return { kind: 'invalid', message: 'This code is invalid.' };
    session.discount = { promotionCode, amount };
    session.amountTotal = session.amountSubtotal - amount;
    this.appendLog(session, `Promotion code ${promotionCode.code} applied (−${amount}).`);
    return { kind: 'applied', code: promotionCode.code };
  }

  /** Each line's share of the session's discount, in line order. */
  lineDiscounts(session: CheckoutSessionRecord): number[] {
    return splitDiscount(
      session.lineItems.map((item) => item.unitAmount * item.quantity),
      session.discount?.amount ?? 0,
    );
  }

  /** Leaving through "Cancel" changes nothing at Stripe: the session stays open until it expires. */
  noteCancelled(id: string): CheckoutSessionRecord {
    const session = this.requireSession(id);
    if (session.status === 'open') this.appendLog(session, 'Went back to the merchant (cancel).');
    return session;
  }

  /** Why a pay button must do nothing: a second click after paying, or a session that is over. */
  private blockedAction(session: CheckoutSessionRecord): CheckoutActionResult | null {
    if (session.status === 'complete') {
      return { kind: 'already_complete', redirectTo: successRedirect(session) };
    }
    if (session.status === 'expired') return { kind: 'expired' };
    return null;
  }

  private createPaymentIntent(
    session: CheckoutSessionRecord,
    paymentMethodType: string,
    status: PaymentIntentRecord['status'],
  ): PaymentIntentRecord {
    const id = newId('paymentIntent');
    const intent: PaymentIntentRecord = {
      id,
      created: this.nowSeconds(),
      amount: session.amountTotal,
      currency: session.currency,
      status,
      paymentMethodId: newId('paymentMethod'),
      paymentMethodType,
      latestChargeId: null,
      applicationFeeAmount: session.paymentIntentData.applicationFeeAmount,
      transferDestination: session.paymentIntentData.transferDestination,
      description: session.paymentIntentData.description,
      metadata: { ...session.paymentIntentData.metadata },
      receiptEmail: session.customerEmail,
      clientSecret: `${id}_secret_${newId('request').slice('req_'.length)}`,
      failureMessage: null,
      sessionId: session.id,
    };
    this.paymentIntents.set(id, intent);
    return intent;
  }

  private createCharge(intent: PaymentIntentRecord): ChargeRecord {
    const charge: ChargeRecord = {
      id: newId('charge'),
      created: this.nowSeconds(),
      amount: intent.amount,
      amountRefunded: 0,
      currency: intent.currency,
      paymentIntentId: intent.id,
      paymentMethodId: intent.paymentMethodId,
      applicationFeeAmount: intent.applicationFeeAmount,
      transferDestination: intent.transferDestination,
      description: intent.description,
      // As at Stripe, a charge carries its payment intent's metadata, not the session's.
      metadata: { ...intent.metadata },
      billingEmail: intent.receiptEmail,
    };
    this.charges.set(charge.id, charge);
    intent.latestChargeId = charge.id;
    return charge;
  }

  refund(input: RefundInput, request: RequestContext): RefundRecord {
    const charge = this.refundableCharge(input);
    const remaining = charge.amount - charge.amountRefunded;
    if (remaining === 0) {
      throw invalidRequest(
        `Charge ${charge.id} has already been refunded.`,
        undefined,
        'charge_already_refunded',
      );
    }
    const amount = input.amount ?? remaining;
    if (amount > remaining) {
      throw invalidRequest(
        `Refund amount (${amount} ${charge.currency}) is greater than unrefunded amount on charge (${remaining} ${charge.currency})`,
        'amount',
        'amount_too_large',
      );
    }
    const refund: RefundRecord = {
      id: newId('refund'),
      created: this.nowSeconds(),
      amount,
      currency: charge.currency,
      chargeId: charge.id,
      paymentIntentId: charge.paymentIntentId,
      paymentMethodId: charge.paymentMethodId,
      reason: input.reason,
      metadata: input.metadata,
    };
    this.refunds.set(refund.id, refund);
    charge.amountRefunded += amount;
    const intent = this.paymentIntents.get(charge.paymentIntentId);
    const session = intent === undefined ? undefined : this.sessions.get(intent.sessionId);
    if (session !== undefined) {
      this.appendLog(session, `Refunded ${amount} ${charge.currency} (${refund.id}).`);
    }
    this.publish('charge.refunded', chargeObject(charge), request, session?.apiVersion);
    return refund;
  }

  private refundableCharge(input: RefundInput): ChargeRecord {
    if (input.chargeId !== null) {
      const charge = this.charges.get(input.chargeId);
      if (charge === undefined) throw resourceMissing('charge', input.chargeId, 'charge');
      return charge;
    }
    const intentId = input.paymentIntentId as string;
    const intent = this.paymentIntents.get(intentId);
    if (intent === undefined) throw resourceMissing('payment_intent', intentId, 'payment_intent');
    const charge =
      intent.latestChargeId === null ? undefined : this.charges.get(intent.latestChargeId);
    if (charge === undefined) {
      throw invalidRequest(
        `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
        'payment_intent',
      );
    }
    return charge;
  }

  findPaymentIntent(id: string): PaymentIntentRecord | undefined {
    return this.paymentIntents.get(id);
  }

  findCharge(id: string): ChargeRecord | undefined {
    return this.charges.get(id);
  }

  findRefund(id: string): RefundRecord | undefined {
    return this.refunds.get(id);
  }

  findEvent(id: string): EventObject | undefined {
    return this.events.get(id);
  }

  sessionObject(
    session: CheckoutSessionRecord,
    expand: { lineItems?: boolean; paymentIntent?: boolean } = {},
  ): CheckoutSessionObject {
    const intent =
      expand.paymentIntent === true && session.paymentIntentId !== null
        ? this.paymentIntentObject(
            this.paymentIntents.get(session.paymentIntentId) as PaymentIntentRecord,
          )
        : undefined;
    return checkoutSessionObject(session, this.options.publicUrl(), {
      ...(expand.lineItems === true
        ? { lineItems: this.lineItemList(session, { limit: 10 }) }
        : {}),
      ...(intent === undefined ? {} : { paymentIntent: intent }),
    });
  }

  lineItemList(
    session: CheckoutSessionRecord,
    page: { limit: number; startingAfter?: string; endingBefore?: string },
  ): ListObject<LineItemObject> {
    const all = session.lineItems;
    let start: number;
    let end: number;
    if (page.endingBefore !== undefined) {
      end = Math.max(
        0,
        all.findIndex((item) => item.id === page.endingBefore),
      );
      start = Math.max(0, end - page.limit);
    } else {
      start =
        page.startingAfter === undefined
          ? 0
          : all.findIndex((item) => item.id === page.startingAfter) + 1;
      end = Math.min(all.length, start + page.limit);
    }
    const hasMore = page.endingBefore !== undefined ? start > 0 : end < all.length;
    return {
      object: 'list',
      data: all
        .slice(start, end)
        .map((item) =>
          lineItemObject(
            item,
            session.created,
            this.lineDiscounts(session)[all.indexOf(item)] ?? 0,
          ),
        ),
      has_more: hasMore,
      url: `/v1/checkout/sessions/${session.id}/line_items`,
    };
  }

  paymentIntentObject(
    intent: PaymentIntentRecord,
    expand: { latestCharge?: boolean } = {},
  ): PaymentIntentObject {
    const charge =
      expand.latestCharge === true && intent.latestChargeId !== null
        ? this.charges.get(intent.latestChargeId)
        : undefined;
    return paymentIntentObject(
      intent,
      charge === undefined ? {} : { latestCharge: chargeObject(charge) },
    );
  }

  private appendLog(session: CheckoutSessionRecord, message: string): void {
    session.log.push({ at: this.options.now(), message });
  }

  private publishSessionEvent(
    type: EmittedEventType,
    session: CheckoutSessionRecord,
    request: RequestContext,
  ): void {
    this.publish(type, this.sessionObject(session), request, session.apiVersion);
  }

  private publish(
    type: EmittedEventType,
    object: CheckoutSessionObject | ChargeObject,
    request: RequestContext,
    apiVersion: string | undefined,
  ): void {
    const event: EventObject = {
      id: newId('event'),
      object: 'event',
      api_version: apiVersion ?? null,
      created: this.nowSeconds(),
      data: { object },
      livemode: false,
      pending_webhooks: this.options.pendingWebhooks(),
      request: { id: request.requestId, idempotency_key: request.idempotencyKey },
      type,
    };
    this.events.set(event.id, event);
    this.options.publish(event);
  }
}

/** Where Stripe sends the customer after paying: `{CHECKOUT_SESSION_ID}` becomes the session id. */
export function successRedirect(session: CheckoutSessionRecord): string {
  return session.successUrl.split('{CHECKOUT_SESSION_ID}').join(session.id);
}
