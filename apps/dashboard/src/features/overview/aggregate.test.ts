import { describe, expect, it } from 'vitest';
import { overviewSchema, type Overview } from '@repo/schemas';
import {
  failureReasons,
  installSeries,
  installTotals,
  purchasesPerItem,
  salesSeries,
  salesTotals,
} from './aggregate';

const base = (overrides: Partial<Overview> = {}): Overview =>
  overviewSchema.parse({
    from: '2026-11-01',
    to: '2026-11-03',
    mode: null,
    currencies: ['eur', 'gbp'],
    sales: [],
    items: [],
    installs: { days: [], failures: [] },
    ...overrides,
  });

const row = (day: string, mode: 'live' | 'test', itemId: string, currency: string, n: number) => ({
  day,
  mode,
  itemId,
  currency,
  purchases: n,
  grossAmount: n * 1000,
  refunds: 0,
  refundedAmount: 0,
});

describe('salesSeries', () => {
  it('has a point for every day of the range, zeros on quiet days', () => {
    const points = salesSeries(
      base({ sales: [row('2026-11-02', 'live', 'a', 'eur', 2)] }),
      'eur',
      undefined,
    );
    expect(points.map((p) => [p.day, p.liveGross])).toEqual([
      ['2026-11-01', 0],
      ['2026-11-02', 2000],
      ['2026-11-03', 0],
    ]);
  });

  it('never adds amounts of different currencies, and narrows to one product on request', () => {
    const overview = base({
      sales: [
        row('2026-11-01', 'live', 'a', 'eur', 1),
        row('2026-11-01', 'live', 'b', 'eur', 2),
        row('2026-11-01', 'live', 'c', 'gbp', 5),
        row('2026-11-01', 'test', 'a', 'eur', 3),
      ],
    });
    expect(salesTotals(salesSeries(overview, 'eur', undefined))).toMatchObject({
      live: { purchases: 3, gross: 3000 },
      test: { purchases: 3, gross: 3000 },
    });
    expect(salesTotals(salesSeries(overview, 'gbp', undefined)).live.gross).toBe(5000);
    expect(salesTotals(salesSeries(overview, 'eur', 'a')).live.gross).toBe(1000);
  });
});

describe('purchasesPerItem', () => {
  it('adds up counts across modes and currencies but keeps money per currency', () => {
    const item = (mode: 'live' | 'test', currency: string, purchases: number) => ({
      itemId: 'item_eco_scheduler',
      itemName: 'Eco Scheduler',
      mode,
      currency,
      purchases,
      grossAmount: purchases * 100,
      refunds: 1,
      refundedAmount: 100,
    });
    const [eco] = purchasesPerItem(
      base({ items: [item('live', 'eur', 2), item('test', 'eur', 1), item('live', 'gbp', 4)] }),
    );
    expect(eco).toMatchObject({ live: 6, test: 1, refunds: 3 });
    expect(eco?.gross).toEqual([
      { amount: 300, currency: 'eur' },
      { amount: 400, currency: 'gbp' },
    ]);
  });
});

describe('installSeries', () => {
  it('gives each day its success rate, and none on a day without outcomes', () => {
    const points = installSeries(
      base({ installs: { days: [{ day: '2026-11-01', succeeded: 3, failed: 1 }], failures: [] } }),
    );
    expect(points.map((p) => p.successRate)).toEqual([75, null, null]);
    expect(installTotals(points)).toEqual({ succeeded: 3, failed: 1, successRate: 75 });
  });
});

describe('failureReasons', () => {
  it('keeps the commonest reasons apart, folds the rest, and names a missing reason', () => {
    const failures = [
      { day: '2026-11-01', reason: 'Timeout', count: 4 },
      { day: '2026-11-02', reason: 'Checksum', count: 3 },
      { day: '2026-11-02', reason: null, count: 2 },
      { day: '2026-11-03', reason: 'Disk full', count: 1 },
      { day: '2026-11-03', reason: 'Power loss', count: 1 },
    ];
    const result = failureReasons(base({ installs: { days: [], failures } }), 2);
    expect(result.reasons.map((r) => [r.label, r.total])).toEqual([
      ['Timeout', 4],
      ['Checksum', 3],
      ['Other reasons', 4],
    ]);
    expect(result.all.map((r) => r.label)).toContain('No reason given');
    expect(result.points[2]).toEqual({ day: '2026-11-03', reason0: 0, reason1: 0, other: 2 });
  });
});
