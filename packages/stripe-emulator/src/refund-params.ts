import type { FormObject } from './form-encoding';
import {
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalMetadata,
  optionalString,
  rejectUnknown,
} from './params';
import { invalidRequest } from './stripe-error';

export type RefundInput = {
  paymentIntentId: string | null;
  chargeId: string | null;
  amount: number | null;
  reason: 'duplicate' | 'fraudulent' | 'requested_by_customer' | null;
  metadata: Record<string, string>;
};

const refundParams = [
  'payment_intent',
  'charge',
  'amount',
  'metadata',
  'reason',
  'refund_application_fee',
  'reverse_transfer',
  'expand',
] as const;

/**
 * `POST /v1/refunds`. `refund_application_fee` and `reverse_transfer` are accepted and checked
 * but change nothing, since the emulator keeps no connected-account balances.
 */
export function parseRefundParams(params: FormObject): RefundInput {
  rejectUnknown(params, refundParams);
  const paymentIntentId = optionalString(params, 'payment_intent');
  const chargeId = optionalString(params, 'charge');
  if (paymentIntentId === null && chargeId === null) {
    throw invalidRequest(
      'One of the following params should be provided for this request: payment_intent or charge.',
      'payment_intent',
      'parameter_missing',
    );
  }
  if (paymentIntentId !== null && chargeId !== null) {
    throw invalidRequest(
      'You may only specify one of these parameters: charge, payment_intent.',
      'payment_intent',
    );
  }
  optionalBoolean(params, 'refund_application_fee');
  optionalBoolean(params, 'reverse_transfer');
  return {
    paymentIntentId,
    chargeId,
    amount: optionalInteger(params, 'amount', '', { min: 1 }),
    reason: optionalEnum(params, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer']),
    metadata: optionalMetadata(params, 'metadata'),
  };
}
