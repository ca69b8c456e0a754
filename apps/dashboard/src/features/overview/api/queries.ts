import { queryOptions } from '@tanstack/react-query';
import { addDays, OVERVIEW_MAX_DAYS, type CheckoutMode } from '@repo/schemas';
import { api } from '../../../lib/api';

/** The Overview page's filters as they stand in the URL, so that a reload or a link keeps them. */
export type OverviewSearch = {
  /** A preset: the last 7, 30 or 90 UTC days, today included. */
  range?: string;
  /** A custom range of UTC days; either one set means a custom range. */
  from?: string;
  to?: string;
  mode?: CheckoutMode;
  /** Which currency the sales chart shows, when there are several. */
  currency?: string;
  /** One product in the sales chart, or all of them. */
  item?: string;
};

export const RANGE_PRESETS = [7, 30, 90] as const;
export const DEFAULT_PRESET = 30;

export type OverviewRange = {
  from: string;
  to: string;
  /** The preset it stands for, or null for a custom range. */
  preset: (typeof RANGE_PRESETS)[number] | null;
  /** Why a custom range cannot be shown, in words. */
  problem: string | null;
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MODES = ['test', 'live'] as const;

export const todayUtc = (now = new Date()) => now.toISOString().slice(0, 10);

export function overviewSearchFromParams(search: URLSearchParams): OverviewSearch {
  const read = (key: string) => search.get(key)?.trim() || undefined;
  const day = (key: string) => {
    const value = read(key);
    return value && DAY.test(value) && !Number.isNaN(Date.parse(value)) ? value : undefined;
  };
  return {
    range: read('range'),
    from: day('from'),
    to: day('to'),
    mode: MODES.find((m) => m === read('mode')),
    currency: read('currency'),
    item: read('item'),
  };
}

/**
 * The days the page shows. A preset counts back from today (UTC), so a saved link to "the last
 * 7 days" means the last 7 days whenever it is opened; a custom range is what it says.
 */
export function resolveRange(search: OverviewSearch, today = todayUtc()): OverviewRange {
  if (search.from || search.to) {
    const to = search.to ?? today;
    const from = search.from ?? addDays(to, -(DEFAULT_PRESET - 1));
    let problem: string | null = null;
    if (from > to) problem = 'The start of the range is after its end.';
    else if (Date.parse(to) - Date.parse(from) >= OVERVIEW_MAX_DAYS * 86_400_000)
      problem = `Choose at most ${OVERVIEW_MAX_DAYS} days.`;
    return { from, to, preset: null, problem };
  }
  const preset = RANGE_PRESETS.find((days) => String(days) === search.range) ?? DEFAULT_PRESET;
  return { from: addDays(today, -(preset - 1)), to: today, preset, problem: null };
}

export const overviewKeys = {
  all: ['overview'] as const,
  ranges: () => [...overviewKeys.all, 'range'] as const,
  range: (from: string, to: string, mode: CheckoutMode | undefined) =>
    [...overviewKeys.ranges(), { from, to, mode }] as const,
};

export const overviewQueryOptions = (from: string, to: string, mode: CheckoutMode | undefined) =>
  queryOptions({
    queryKey: overviewKeys.range(from, to, mode),
    queryFn: ({ signal }) => api.overview.get({ from, to, mode }, signal),
  });
