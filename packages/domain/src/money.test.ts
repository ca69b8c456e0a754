import { describe, expect, it } from 'vitest';
import { feeFromBasisPoints, formatMoney } from './money';

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
