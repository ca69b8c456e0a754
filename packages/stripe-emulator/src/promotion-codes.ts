/**
 * Coupons and the customer-facing promotion codes that apply them. Stripe keeps them in the
 * account; the emulator seeds a fixed pair so that demos and tests can type a real code.
 */
export type CouponRecord = {
  id: string;
  name: string;
  percentOff: number | null;
  amountOff: number | null;
  /** For `amountOff` only: a fixed discount works in its own currency. */
  currency: string | null;
};

export type PromotionCodeRecord = { id: string; code: string; coupon: CouponRecord };

export const demoPromotionCodes: PromotionCodeRecord[] = [
  {
    id: 'promo_demo_spring20',
    code: 'SPRING20',
    coupon: { id: 'SPRING20', name: '20% off', percentOff: 20, amountOff: null, currency: null },
  },
  {
    id: 'promo_demo_take5',
    code: 'TAKE5',
    coupon: { id: 'TAKE5', name: '€5 off', percentOff: null, amountOff: 500, currency: 'eur' },
  },
];

/** The discount a coupon gives on a subtotal, or null when it cannot apply (another currency). */
export function couponDiscount(
  coupon: CouponRecord,
  subtotal: number,
  currency: string,
): number | null {
  if (coupon.percentOff !== null) return Math.round((subtotal * coupon.percentOff) / 100);
  if (coupon.amountOff !== null && coupon.currency === currency)
    return Math.min(coupon.amountOff, subtotal);
  return null;
}

/**
 * Splits a discount over line amounts in proportion, in whole minor units: each line gets the
 * floor of its share and the leftover units go to the largest remainders, so the parts add up.
 */
export function splitDiscount(amounts: number[], discount: number): number[] {
  const total = amounts.reduce((sum, amount) => sum + amount, 0);
  if (total === 0 || discount === 0) return amounts.map(() => 0);
  const exact = amounts.map((amount) => (amount * discount) / total);
  const parts = exact.map(Math.floor);
  let left = discount - parts.reduce((sum, part) => sum + part, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of order) {
    if (left === 0) break;
    parts[index]! += 1;
    left -= 1;
  }
  return parts;
}
