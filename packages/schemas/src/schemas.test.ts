import { describe, expect, it } from 'vitest';
import { deviceIdSchema, devicesQuerySchema, loginRequestSchema, moneySchema } from './index';

describe('deviceIdSchema', () => {
  it('accepts an ID as printed on a device, trimming spaces around it', () => {
    expect(deviceIdSchema.parse('  ACM-CC3-0005 ')).toBe('ACM-CC3-0005');
  });

  it('gives the canonical, upper-case ID whatever case was typed', () => {
    expect(deviceIdSchema.parse('sn_1.2-x')).toBe('SN_1.2-X');
    expect(deviceIdSchema.parse(' acm-cc3-0005')).toBe('ACM-CC3-0005');
  });

  it('rejects empty, too long and unprintable IDs', () => {
    expect(deviceIdSchema.safeParse('').success).toBe(false);
    expect(deviceIdSchema.safeParse('A'.repeat(65)).success).toBe(false);
    expect(deviceIdSchema.safeParse('ACM 0005').success).toBe(false);
    expect(deviceIdSchema.safeParse('-leading-dash').success).toBe(false);
    expect(deviceIdSchema.safeParse('<script>').success).toBe(false);
  });
});

describe('devicesQuerySchema', () => {
  it('coerces the limit from the query string and defaults it', () => {
    expect(devicesQuerySchema.parse({ limit: '10' }).limit).toBe(10);
    expect(devicesQuerySchema.parse({}).limit).toBe(25);
  });

  it('bounds the limit', () => {
    expect(devicesQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
    expect(devicesQuerySchema.safeParse({ limit: '101' }).success).toBe(false);
    expect(devicesQuerySchema.safeParse({ limit: '2.5' }).success).toBe(false);
  });
});

describe('moneySchema', () => {
  it('takes whole, non-negative minor units and a lowercase currency', () => {
    expect(moneySchema.safeParse({ amount: 1499, currency: 'eur' }).success).toBe(true);
    expect(moneySchema.safeParse({ amount: 14.99, currency: 'eur' }).success).toBe(false);
    expect(moneySchema.safeParse({ amount: -1, currency: 'eur' }).success).toBe(false);
    expect(moneySchema.safeParse({ amount: 1, currency: 'EUR' }).success).toBe(false);
  });
});

describe('loginRequestSchema', () => {
  it('names each wrong field', () => {
    const result = loginRequestSchema.safeParse({ email: 'nope', password: '' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['email', 'password']);
  });
});
