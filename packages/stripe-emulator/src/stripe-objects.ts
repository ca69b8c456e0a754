import type Stripe from 'stripe';
import type {
  ChargeRecord,
  CheckoutSessionRecord,
  LineItemRecord,
  PaymentIntentRecord,
  RefundRecord,
} from './checkout-store';

/**
 * An SDK type as it travels as JSON: the SDK turns `decimal_string` fields into `Decimal`
 * instances after parsing, so on the wire they are plain strings.
 */
export type Wire<T> = T extends Stripe.Decimal
  ? string
  : T extends readonly (infer Element)[]
    ? Wire<Element>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export type CheckoutSessionObject = Wire<Stripe.Checkout.Session>;
export type LineItemObject = Wire<Stripe.LineItem>;
export type PaymentIntentObject = Wire<Stripe.PaymentIntent>;
export type ChargeObject = Wire<Stripe.Charge>;
export type RefundObject = Wire<Stripe.Refund>;
export type ListObject<T> = { object: 'list'; data: T[]; has_more: boolean; url: string };

export type EmittedEventType =
  | 'checkout.session.completed'
  | 'checkout.session.async_payment_succeeded'
  | 'checkout.session.async_payment_failed'
  | 'checkout.session.expired'
  | 'charge.refunded';

export type EventObject = {
  id: string;
  object: 'event';
  api_version: string | null;
  created: number;
  data: { object: CheckoutSessionObject | ChargeObject };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: EmittedEventType;
};

/** The checkout page address for an open session; Stripe clears `url` once a session is over. */
export function hostedPageUrl(publicUrl: string, sessionId: string): string {
  return `${publicUrl}/checkout/${sessionId}`;
}

export function checkoutSessionObject(
  session: CheckoutSessionRecord,
  publicUrl: string,
  expanded: { lineItems?: ListObject<LineItemObject>; paymentIntent?: PaymentIntentObject } = {},
): CheckoutSessionObject {
  const complete = session.status === 'complete';
  return {
    id: session.id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: session.allowPromotionCodes,
    allowed_payment_method_types: null,
    amount_subtotal: session.amountSubtotal,
    amount_total: session.amountTotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: session.cancelUrl,
    client_reference_id: session.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: session.created,
    currency: session.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: null,
    customer_account: null,
    customer_creation: 'if_required',
    customer_details:
      complete || session.customerEmail !== null
        ? {
            address: null,
            business_name: null,
            email: session.customerEmail,
            individual_name: null,
            name: null,
            phone: null,
            tax_exempt: complete ? 'none' : null,
            tax_ids: complete ? [] : null,
          }
        : null,
    customer_email: session.customerEmail,
    discounts:
      session.discount === null
        ? []
        : [
            {
              coupon: session.discount.promotionCode.coupon.id,
              promotion_code: session.discount.promotionCode.id,
            },
          ],
    expires_at: session.expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    ...(expanded.lineItems === undefined ? {} : { line_items: expanded.lineItems }),
    livemode: false,
    locale: session.locale,
    managed_payments: null,
    metadata: { ...session.metadata },
    mode: 'payment',
    origin_context: null,
    payment_intent: expanded.paymentIntent ?? session.paymentIntentId,
    payment_link: null,
    payment_method_collection: 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: [...session.paymentMethodTypes],
    payment_status: session.paymentStatus,
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: session.status,
    submit_type: null,
    subscription: null,
    success_url: session.successUrl,
    total_details: {
      amount_discount: session.discount?.amount ?? 0,
      amount_shipping: 0,
      amount_tax: 0,
    },
    ui_mode: 'hosted_page',
    url: session.status === 'open' ? hostedPageUrl(publicUrl, session.id) : null,
    wallet_options: null,
  };
}

export function lineItemObject(
  lineItem: LineItemRecord,
  created: number,
  discount = 0,
): LineItemObject {
  const amount = lineItem.unitAmount * lineItem.quantity;
  return {
    id: lineItem.id,
    object: 'item',
    adjustable_quantity: null,
    amount_discount: discount,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount - discount,
    currency: lineItem.currency,
    description: lineItem.name,
    metadata: {},
    price: {
      id: lineItem.priceId,
      object: 'price',
      // Prices made from `price_data` are single-use, so Stripe creates them inactive.
      active: false,
      billing_scheme: 'per_unit',
      created,
      currency: lineItem.currency,
      custom_unit_amount: null,
      livemode: false,
      lookup_key: null,
      metadata: {},
      nickname: null,
      product: lineItem.productId,
      recurring: null,
      tax_behavior: 'unspecified',
      tiers_mode: null,
      transform_quantity: null,
      type: 'one_time',
      unit_amount: lineItem.unitAmount,
      unit_amount_decimal: String(lineItem.unitAmount),
    },
    quantity: lineItem.quantity,
  };
}

export function paymentIntentObject(
  intent: PaymentIntentRecord,
  expanded: { latestCharge?: ChargeObject } = {},
): PaymentIntentObject {
  return {
    id: intent.id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: intent.amount,
    amount_capturable: 0,
    amount_received: intent.status === 'succeeded' ? intent.amount : 0,
    application: null,
    application_fee_amount: intent.applicationFeeAmount,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: intent.clientSecret,
    confirmation_method: 'automatic',
    created: intent.created,
    currency: intent.currency,
    customer: null,
    customer_account: null,
    description: intent.description,
    excluded_payment_method_types: null,
    last_payment_error:
      intent.failureMessage === null
        ? null
        : {
            type: 'invalid_request_error',
            code: 'payment_intent_payment_attempt_failed',
            message: intent.failureMessage,
          },
    latest_charge: expanded.latestCharge ?? intent.latestChargeId,
    livemode: false,
    managed_payments: null,
    metadata: { ...intent.metadata },
    next_action: null,
    on_behalf_of: null,
    payment_method: intent.paymentMethodId,
    payment_method_configuration_details: null,
    payment_method_options: null,
    payment_method_types: [intent.paymentMethodType],
    payment_record: null,
    processing: null,
    receipt_email: intent.receiptEmail,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: intent.status,
    transfer_data:
      intent.transferDestination === null ? null : { destination: intent.transferDestination },
    transfer_group: intent.transferDestination === null ? null : `group_${intent.id}`,
  };
}

/** The emulator only creates a charge once money has moved, so every charge has succeeded. */
export function chargeObject(charge: ChargeRecord): ChargeObject {
  return {
    id: charge.id,
    object: 'charge',
    amount: charge.amount,
    amount_captured: charge.amount,
    amount_refunded: charge.amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: charge.applicationFeeAmount,
    balance_transaction: null,
    billing_details: {
      address: null,
      email: charge.billingEmail,
      name: null,
      phone: null,
      tax_id: null,
    },
    calculated_statement_descriptor: 'STRIPE EMULATOR',
    captured: true,
    created: charge.created,
    currency: charge.currency,
    customer: null,
    description: charge.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: { ...charge.metadata },
    on_behalf_of: null,
    outcome: null,
    paid: true,
    payment_intent: charge.paymentIntentId,
    payment_method: charge.paymentMethodId,
    payment_method_details: null,
    receipt_email: charge.billingEmail,
    receipt_number: null,
    receipt_url: null,
    refunded: charge.amountRefunded === charge.amount,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data:
      charge.transferDestination === null
        ? null
        : { amount: null, destination: charge.transferDestination },
    transfer_group: charge.transferDestination === null ? null : `group_${charge.paymentIntentId}`,
  };
}

export function refundObject(refund: RefundRecord): RefundObject {
  return {
    id: refund.id,
    object: 'refund',
    amount: refund.amount,
    balance_transaction: null,
    charge: refund.chargeId,
    created: refund.created,
    currency: refund.currency,
    customer: null,
    customer_account: null,
    metadata: { ...refund.metadata },
    payment_intent: refund.paymentIntentId,
    payment_method: refund.paymentMethodId,
    reason: refund.reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}
