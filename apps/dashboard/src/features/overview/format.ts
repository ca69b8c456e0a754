import { formatMoney } from '@repo/domain';

const shortDay = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  timeZone: 'UTC',
});
const longDay = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** `2026-11-03` → "3 Nov", for an axis. */
export const formatShortDay = (day: string) => shortDay.format(new Date(`${day}T00:00:00Z`));
/** `2026-11-03` → "3 Nov 2026", for a table or a sentence. */
export const formatDay = (day: string) => longDay.format(new Date(`${day}T00:00:00Z`));

export const formatAmount = (amount: number, currency: string) => formatMoney(amount, currency);

/** Minor units as a short label for an axis: "€1.2K". */
export function formatAmountTick(amount: number, currency: string): string {
  const options = { style: 'currency', currency: currency.toUpperCase() } as const;
  const digits = new Intl.NumberFormat('en-GB', options).resolvedOptions().maximumFractionDigits;
  return new Intl.NumberFormat('en-GB', {
    ...options,
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(amount / 10 ** (digits ?? 2));
}
