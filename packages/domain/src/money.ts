/** Formats an amount in minor units for people, e.g. formatMoney(1999, 'eur') → "€19.99". */
export function formatMoney(amount: number, currency: string, locale = 'en-GB'): string {
  const upper = currency.toUpperCase();
  const digits =
    new Intl.NumberFormat(locale, { style: 'currency', currency: upper }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(locale, { style: 'currency', currency: upper }).format(
    amount / 10 ** digits,
  );
}

/** A fee in basis points of an amount in minor units, rounded half up to a whole minor unit. */
export function feeFromBasisPoints(amount: number, basisPoints: number): number {
  if (!Number.isInteger(amount) || !Number.isInteger(basisPoints)) {
    throw new RangeError('amount and basis points must be integers');
  }
  return Math.floor((amount * basisPoints + 5_000) / 10_000);
}

/**
 * Splits a total (a discount, a platform fee) over amounts in proportion: each amount gets the
 * whole minor units of its exact share, and the units left over go to the largest remainders
 * (earliest first on a tie). The shares add up to the total and none exceeds its amount, so a
 * refund of one share's purchase never returns more than was paid for it.
 */
export function allocateProportionally(amounts: number[], total: number): number[] {
  const sum = amounts.reduce((acc, amount) => acc + amount, 0);
  if (!amounts.every(Number.isInteger) || !Number.isInteger(total) || total < 0) {
    throw new RangeError('amounts and total must be whole minor units');
  }
  if (total > sum) throw new RangeError('the total is larger than the amounts');
  if (total === 0) return amounts.map(() => 0);
  const shares = amounts.map((amount) => Math.floor((amount * total) / sum));
  let left = total - shares.reduce((acc, share) => acc + share, 0);
  const byRemainder = amounts
    .map((amount, index) => ({ index, remainder: (amount * total) % sum }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (left === 0) break;
    shares[index]! += 1;
    left -= 1;
  }
  return shares;
}
