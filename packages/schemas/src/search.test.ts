import { describe, expect, it } from 'vitest';
import { searchQuerySchema, searchResponseSchema } from './search';

describe('searchQuerySchema', () => {
  it('takes 1 to 200 characters, trimmed', () => {
    expect(searchQuerySchema.parse({ q: '  acm-tx1-0004 eco scheduler ' }).q).toBe(
      'acm-tx1-0004 eco scheduler',
    );
    expect(searchQuerySchema.safeParse({ q: 'x'.repeat(200) }).success).toBe(true);
  });

  it('refuses an empty, a blank, a too long query and unknown parameters', () => {
    expect(searchQuerySchema.safeParse({}).success).toBe(false);
    expect(searchQuerySchema.safeParse({ q: '   ' }).success).toBe(false);
    expect(searchQuerySchema.safeParse({ q: 'x'.repeat(201) }).success).toBe(false);
    expect(searchQuerySchema.safeParse({ q: 'pur_1', kind: 'purchase' }).success).toBe(false);
  });
});

describe('searchResponseSchema', () => {
  it('tells results apart by kind, each with what its page needs', () => {
    const parsed = searchResponseSchema.parse({
      query: 'ACM-TX1-0004 eco',
      results: [
        {
          kind: 'device',
          id: 'ACM-TX1-0004',
          title: 'ACM-TX1-0004',
          subtitle: 'Berlin thermostat 4 · thermo-x1',
          matchedOn: 'id',
          name: 'Berlin thermostat 4',
          model: 'thermo-x1',
          firmwareVersion: '2.4.0',
          ownership: [],
          answer: {
            itemId: 'item_eco_scheduler',
            itemName: 'Eco Scheduler',
            owned: false,
            purchase: null,
            installedVersion: null,
          },
        },
        {
          kind: 'install_job',
          id: 'inst_1',
          title: 'Eco Scheduler 2.0.0 on ACM-TX1-0004',
          subtitle: 'Failed',
          matchedOn: 'id',
          deviceId: 'ACM-TX1-0004',
          itemId: 'item_eco_scheduler',
          itemName: 'Eco Scheduler',
          version: '2.0.0',
          status: 'failed',
          attempt: 1,
          updatedAt: '2026-11-20T10:00:00.000Z',
        },
      ],
    });
    expect(parsed.results.map((r) => r.kind)).toEqual(['device', 'install_job']);
  });

  it('refuses a result of an unknown kind', () => {
    const result = searchResponseSchema.safeParse({
      query: 'x',
      results: [{ kind: 'user', id: 'u', title: 'u', subtitle: '', matchedOn: 'id' }],
    });
    expect(result.success).toBe(false);
  });
});
