import { randomInt } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Stripe-looking ids: a type prefix and base-62 randomness (Checkout's ids are much longer). */
const idShapes = {
  checkoutSession: { prefix: 'cs_test_', length: 58 },
  paymentIntent: { prefix: 'pi_', length: 24 },
  paymentMethod: { prefix: 'pm_', length: 24 },
  charge: { prefix: 'ch_', length: 24 },
  refund: { prefix: 're_', length: 24 },
  event: { prefix: 'evt_', length: 24 },
  request: { prefix: 'req_', length: 14 },
  product: { prefix: 'prod_', length: 14 },
  price: { prefix: 'price_', length: 24 },
  lineItem: { prefix: 'li_', length: 24 },
} as const;

export type IdKind = keyof typeof idShapes;

export function newId(kind: IdKind): string {
  const { prefix, length } = idShapes[kind];
  let random = '';
  for (let index = 0; index < length; index += 1) random += alphabet[randomInt(alphabet.length)];
  return prefix + random;
}
