import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allocateProportionally, feeFromBasisPoints, formatMoney } from './money';

describe('formatMoney', () => {
  it('formats minor units with the currency', () => {
    expect(formatMoney(1999, 'eur')).toBe('€19.99');
    expect(formatMoney(0, 'usd')).toBe('US$0.00');
  });

  it('knows currencies without minor units', () => {
    expect(formatMoney(500, 'jpy')).toBe('JP¥500');
  });
});

describe('feeFromBasisPoints', () => {
  it('rounds half up to a whole minor unit', () => {
    expect(feeFromBasisPoints(1000, 250)).toBe(25);
    expect(feeFromBasisPoints(1010, 250)).toBe(25); // 25.25
    expect(feeFromBasisPoints(1020, 250)).toBe(26); // 25.5
  });

  it('refuses fractions of a minor unit', () => {
    expect(() => feeFromBasisPoints(10.5, 250)).toThrow(RangeError);
  });
});

describe('allocateProportionally', () => {
  it('shares a discount in proportion, leftover units to the largest remainders', () => {
    expect(allocateProportionally([1499, 1499, 1499], 500)).toEqual([167, 167, 166]);
    expect(allocateProportionally([4900, 0, 4900, 0], 1960)).toEqual([980, 0, 980, 0]);
    expect(allocateProportionally([1000, 3000], 0)).toEqual([0, 0]);
  });

  it('refuses a discount larger than the amounts, or fractions', () => {
    expect(() => allocateProportionally([100], 101)).toThrow(RangeError);
    expect(() => allocateProportionally([100], 1.5)).toThrow(RangeError);
  });

  it('always adds up to the discount and never takes more than an amount', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (amounts, fraction) => {
          const total = amounts.reduce((a, b) => a + b, 0);
          const discount = Math.floor(total * fraction);
          const shares = allocateProportionally(amounts, discount);
          expect(shares.reduce((a, b) => a + b, 0)).toBe(discount);
          shares.forEach((share, i) => {
            expect(share).toBeGreaterThanOrEqual(0);
            expect(share).toBeLessThanOrEqual(amounts[i]!);
          });
        },
      ),
    );
  });
});
