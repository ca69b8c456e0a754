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
