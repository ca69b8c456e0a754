import { describe, expect, it } from 'vitest';
import { overviewSearchFromParams, resolveRange } from './queries';

const today = '2026-11-20';
const range = (query: string) =>
  resolveRange(overviewSearchFromParams(new URLSearchParams(query)), today);

describe('resolveRange', () => {
  it('counts a preset back from today, today included, 30 days when none is given', () => {
    expect(range('')).toEqual({ from: '2026-10-22', to: today, preset: 30, problem: null });
    expect(range('range=7')).toMatchObject({ from: '2026-11-14', to: today, preset: 7 });
    expect(range('range=90')).toMatchObject({ from: '2026-08-23', preset: 90 });
    expect(range('range=12')).toMatchObject({ preset: 30 });
  });

  it('takes a custom range of UTC days as it is, filling a missing end', () => {
    expect(range('from=2026-10-01&to=2026-10-31')).toEqual({
      from: '2026-10-01',
      to: '2026-10-31',
      preset: null,
      problem: null,
    });
    expect(range('from=2026-11-01')).toMatchObject({ from: '2026-11-01', to: today });
    expect(range('to=2026-10-31')).toMatchObject({ from: '2026-10-02', to: '2026-10-31' });
  });

  it('says what is wrong with a custom range backwards or too long, and ignores mangled days', () => {
    expect(range('from=2026-11-10&to=2026-11-01').problem).toBe(
      'The start of the range is after its end.',
    );
    expect(range('from=2024-01-01&to=2026-01-01').problem).toBe('Choose at most 366 days.');
    expect(range('from=yesterday&range=7')).toMatchObject({ preset: 7 });
  });
});
