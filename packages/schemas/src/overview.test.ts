import { describe, expect, it } from 'vitest';
import { addDays, daysInRange, OVERVIEW_MAX_DAYS, overviewQuerySchema } from './overview';

describe('daysInRange', () => {
  it('lists every UTC day, both ends included, across a month end', () => {
    expect(daysInRange('2026-10-30', '2026-11-02')).toEqual([
      '2026-10-30',
      '2026-10-31',
      '2026-11-01',
      '2026-11-02',
    ]);
    expect(daysInRange('2026-11-02', '2026-11-02')).toEqual(['2026-11-02']);
  });

  it('moves a day forwards and backwards', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});

describe('overviewQuerySchema', () => {
  it('takes a range of whole days and an optional mode', () => {
    expect(overviewQuerySchema.parse({ from: '2026-11-01', to: '2026-11-30' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
    });
    expect(
      overviewQuerySchema.parse({ from: '2026-11-01', to: '2026-11-01', mode: 'live' }).mode,
    ).toBe('live');
  });

  it('refuses a missing bound, a date-time, a range backwards or too long, and unknown modes', () => {
    const fails = (query: Record<string, string>) =>
      expect(overviewQuerySchema.safeParse(query).success).toBe(false);
    fails({ from: '2026-11-01' });
    fails({ from: '2026-11-01T00:00:00Z', to: '2026-11-02' });
    fails({ from: '2026-11-02', to: '2026-11-01' });
    fails({ from: '2026-01-01', to: addDays('2026-01-01', OVERVIEW_MAX_DAYS) });
    fails({ from: '2026-11-01', to: '2026-11-02', mode: 'both' });
    fails({ from: '2026-11-01', to: '2026-11-02', currency: 'eur' });
    expect(
      overviewQuerySchema.safeParse({
        from: '2026-01-01',
        to: addDays('2026-01-01', OVERVIEW_MAX_DAYS - 1),
      }).success,
    ).toBe(true);
  });
});
