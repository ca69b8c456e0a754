import type { FormObject } from './form-encoding';
import {
  childParam,
  optionalBoolean,
  optionalInteger,
  optionalList,
  optionalMetadata,
  optionalObject,
  optionalString,
  optionalStringList,
  rejectUnknown,
  requiredInteger,
  requiredString,
} from './params';
import { invalidRequest, missingParameter } from './stripe-error';

export type LineItemInput = {
  name: string;
  description: string | null;
  unitAmount: number;
  currency: string;
  quantity: number;
};

export type CheckoutSessionInput = {
  lineItems: LineItemInput[];
  currency: string;
  successUrl: string;
  cancelUrl: string | null;
  clientReferenceId: string | null;
  metadata: Record<string, string>;
  expiresAt: number | null;
  customerEmail: string | null;
  paymentMethodTypes: string[];
  allowPromotionCodes: boolean | null;
  locale: string | null;
  paymentIntentData: PaymentIntentDataInput;
};

export type PaymentIntentDataInput = {
  applicationFeeAmount: number | null;
  transferDestination: string | null;
  description: string | null;
  metadata: Record<string, string>;
};

/** Stripe refuses amounts above eight digits in the smallest currency unit. */
export const maximumAmount = 99_999_999;

const sessionParams = [
  'mode',
  'line_items',
  'success_url',
  'cancel_url',
  'client_reference_id',
  'metadata',
  'expires_at',
  'customer_email',
  'payment_method_types',
  'payment_intent_data',
  'allow_promotion_codes',
  'currency',
  'locale',
  'expand',
] as const;

const minimumLifetimeSeconds = 30 * 60;
const maximumLifetimeSeconds = 24 * 60 * 60;

/**
 * Validates `POST /v1/checkout/sessions` the way Stripe does for the subset the product uses:
 * unknown parameters first, then required ones, then types and ranges, each error naming the
 * exact parameter path. Only `mode=payment` with inline `price_data` is supported.
 */
export function parseCheckoutSessionParams(
  params: FormObject,
  context: { nowSeconds: number; connectedAccount: string | null },
): CheckoutSessionInput {
  rejectUnknown(params, sessionParams);

  const mode = requiredString(params, 'mode');
  if (mode !== 'payment') {
    const known = ['setup', 'subscription'].includes(mode);
    throw invalidRequest(
      known
        ? `The Stripe emulator only supports Checkout Sessions in payment mode, not ${mode}.`
        : `Invalid mode: must be one of payment, setup, or subscription`,
      'mode',
    );
  }

  const rawLineItems = optionalList(params, 'line_items');
  if (rawLineItems === null || rawLineItems.length === 0) throw missingParameter('line_items');
  const lineItems = rawLineItems.map((rawLineItem, index) => {
    const param = childParam('line_items', index);
    if (typeof rawLineItem === 'string' || Array.isArray(rawLineItem)) {
      throw invalidRequest('Invalid object', param);
    }
    return parseLineItem(rawLineItem, param);
  });

  const currency =
    parseCurrency(params, 'currency', '') ?? (lineItems[0] as LineItemInput).currency;
  lineItems.forEach((lineItem, index) => {
    if (lineItem.currency !== currency) {
      throw invalidRequest(
        `All line items must use the same currency as the Checkout Session (${currency}).`,
        `line_items[${index}][price_data][currency]`,
      );
    }
  });
  const amountTotal = lineItems.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0);
  if (amountTotal > maximumAmount) {
    throw invalidRequest(
      `The Checkout Session's total amount must be no more than ${maximumAmount} in the smallest currency unit.`,
      'line_items',
    );
  }

  const successUrl = parseUrl(params, 'success_url');
  if (successUrl === null) throw missingParameter('success_url');

  const expiresAt = optionalInteger(params, 'expires_at');
  if (expiresAt !== null) {
    if (expiresAt < context.nowSeconds + minimumLifetimeSeconds) {
      throw invalidRequest(
        'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.',
        'expires_at',
      );
    }
    if (expiresAt > context.nowSeconds + maximumLifetimeSeconds) {
      throw invalidRequest(
        'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.',
        'expires_at',
      );
    }
  }

  const customerEmail = optionalString(params, 'customer_email');
  if (customerEmail !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(customerEmail)) {
    throw invalidRequest(
      `Invalid email address: ${customerEmail}`,
      'customer_email',
      'email_invalid',
    );
  }

  const clientReferenceId = optionalString(params, 'client_reference_id');
  if (clientReferenceId !== null && clientReferenceId.length > 200) {
    throw invalidRequest(
      'client_reference_id can have up to 200 characters.',
      'client_reference_id',
    );
  }

  const paymentMethodTypes = optionalStringList(params, 'payment_method_types') ?? ['card'];
  paymentMethodTypes.forEach((type, index) => {
    if (!/^[a-z_]+$/.test(type)) {
      throw invalidRequest(
        `Invalid payment_method_types[${index}]: ${type}`,
        `payment_method_types[${index}]`,
      );
    }
  });

  const locale = optionalString(params, 'locale');
  if (locale !== null && !/^(auto|[a-z]{2,3}(-[A-Z0-9]{2,3})?)$/.test(locale)) {
    throw invalidRequest(`Invalid locale: ${locale}`, 'locale');
  }

  return {
    lineItems,
    currency,
    successUrl,
    cancelUrl: parseUrl(params, 'cancel_url'),
    clientReferenceId,
    metadata: optionalMetadata(params, 'metadata'),
    expiresAt,
    customerEmail,
    paymentMethodTypes,
    allowPromotionCodes: optionalBoolean(params, 'allow_promotion_codes'),
    locale,
    paymentIntentData: parsePaymentIntentData(params, amountTotal, context.connectedAccount),
  };
}

function parseLineItem(params: FormObject, param: string): LineItemInput {
  rejectUnknown(params, ['price_data', 'quantity'], param);
  const priceData = optionalObject(params, 'price_data', param);
  if (priceData === null) throw missingParameter(childParam(param, 'price_data'));
  const priceParam = childParam(param, 'price_data');
  rejectUnknown(priceData, ['currency', 'unit_amount', 'product_data'], priceParam);

  const currency = parseCurrency(priceData, 'currency', priceParam);
  if (currency === null) throw missingParameter(childParam(priceParam, 'currency'));
  const unitAmount = requiredInteger(priceData, 'unit_amount', priceParam, {
    min: 0,
    max: maximumAmount,
  });
  const productData = optionalObject(priceData, 'product_data', priceParam);
  if (productData === null) throw missingParameter(childParam(priceParam, 'product_data'));
  const productParam = childParam(priceParam, 'product_data');
  rejectUnknown(productData, ['name', 'description'], productParam);

  return {
    name: requiredString(productData, 'name', productParam),
    description: optionalString(productData, 'description', productParam),
    unitAmount,
    currency,
    quantity: requiredInteger(params, 'quantity', param, { min: 1, max: 999_999 }),
  };
}

function parseCurrency(params: FormObject, key: string, parent: string): string | null {
  const currency = optionalString(params, key, parent);
  if (currency === null) return null;
  if (!/^[a-zA-Z]{3}$/.test(currency)) {
    throw invalidRequest(`Invalid currency: ${currency}.`, childParam(parent, key));
  }
  return currency.toLowerCase();
}

function parseUrl(params: FormObject, key: string): string | null {
  const url = optionalString(params, key);
  if (url === null) return null;
  const protocol = URL.canParse(url) ? new URL(url).protocol : null;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw invalidRequest('Not a valid URL', key, 'url_invalid');
  }
  return url;
}

function parsePaymentIntentData(
  params: FormObject,
  amountTotal: number,
  connectedAccount: string | null,
): PaymentIntentDataInput {
  const param = 'payment_intent_data';
  const data = optionalObject(params, param);
  if (data === null) {
    return {
      applicationFeeAmount: null,
      transferDestination: null,
      description: null,
      metadata: {},
    };
  }
  rejectUnknown(
    data,
    ['application_fee_amount', 'transfer_data', 'metadata', 'description'],
    param,
  );

  const transferData = optionalObject(data, 'transfer_data', param);
  let transferDestination: string | null = null;
  if (transferData !== null) {
    const transferParam = childParam(param, 'transfer_data');
    rejectUnknown(transferData, ['destination'], transferParam);
    transferDestination = requiredString(transferData, 'destination', transferParam);
    if (!transferDestination.startsWith('acct_')) {
      throw invalidRequest(
        `No such destination: '${transferDestination}'`,
        childParam(transferParam, 'destination'),
        'resource_missing',
      );
    }
  }

  const applicationFeeAmount = optionalInteger(data, 'application_fee_amount', param, { min: 0 });
  if (applicationFeeAmount !== null) {
    if (transferDestination === null && connectedAccount === null) {
      throw invalidRequest(
        'Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).',
        childParam(param, 'application_fee_amount'),
      );
    }
    if (applicationFeeAmount > amountTotal) {
      throw invalidRequest(
        'The application fee amount cannot be greater than the total amount of the Checkout Session.',
        childParam(param, 'application_fee_amount'),
      );
    }
  }

  return {
    applicationFeeAmount,
    transferDestination,
    description: optionalString(data, 'description', param),
    metadata: optionalMetadata(data, 'metadata', param),
  };
}
