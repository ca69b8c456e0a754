import { useEffect, useRef, useState } from 'react';
import { useQueries, useQuery } from '@tanstack/react-query';
import {
  marketplaceItemsQueryOptions,
  marketplacesQueryOptions,
} from '../../marketplaces/api/queries';
import type { PurchaseFilters } from '../api/queries';

type Props = {
  filters: PurchaseFilters;
  onChange: (change: Partial<PurchaseFilters>) => void;
};

const TYPING_DEBOUNCE_MS = 300;

/** Every product of the organisation, listed or not: old purchases may be of retired ones. */
function useOrganisationItems() {
  const marketplaces = useQuery(marketplacesQueryOptions());
  return useQueries({
    queries: (marketplaces.data?.items ?? []).map((m) => marketplaceItemsQueryOptions(m.id, false)),
    combine: (results) =>
      results.flatMap((r) => r.data?.items ?? []).sort((a, b) => a.name.localeCompare(b.name)),
  });
}

/** The device ID is debounced as it is typed; the other filters apply at once. */
export function PurchaseFiltersBar({ filters, onChange }: Props) {
  const items = useOrganisationItems();
  const [text, setText] = useState(filters.deviceId ?? '');
  const [syncedDeviceId, setSyncedDeviceId] = useState(filters.deviceId);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  // The URL changed from elsewhere (clear filters, back button): show what it says.
  if (filters.deviceId !== syncedDeviceId) {
    setSyncedDeviceId(filters.deviceId);
    if ((filters.deviceId ?? '') !== text.trim()) setText(filters.deviceId ?? '');
  }

  const onDeviceInput = (value: string) => {
    setText(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(
      () => onChange({ deviceId: value.trim() || undefined }),
      TYPING_DEBOUNCE_MS,
    );
  };
  useEffect(() => () => clearTimeout(timer.current), []);

  const select = <K extends 'status' | 'mode' | 'itemId'>(
    key: K,
    label: string,
    options: { value: string; label: string }[],
  ) => (
    <label className="field field--inline">
      <span>{label}</span>
      <select
        value={filters[key] ?? ''}
        onChange={(e) => onChange({ [key]: e.target.value || undefined })}
      >
        <option value="">All</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );

  const date = (key: 'from' | 'to', label: string) => (
    <label className="field field--inline">
      <span>{label}</span>
      <input
        type="date"
        value={filters[key] ?? ''}
        onChange={(e) => onChange({ [key]: e.target.value || undefined })}
      />
    </label>
  );

  return (
    <div className="filters" role="search" aria-label="Filter purchases">
      <label className="field field--inline field--grow">
        <span>Device ID</span>
        <input
          type="search"
          placeholder="e.g. ACM-TX1-0004"
          autoComplete="off"
          spellCheck={false}
          value={text}
          onChange={(e) => onDeviceInput(e.target.value)}
        />
      </label>
      <label className="field field--inline">
        <span>Match</span>
        <select
          value={filters.deviceIdMatch ?? 'exact'}
          onChange={(e) =>
            onChange({ deviceIdMatch: e.target.value === 'prefix' ? 'prefix' : undefined })
          }
        >
          <option value="exact">Exact ID</option>
          <option value="prefix">Starts with</option>
        </select>
      </label>
      {select(
        'itemId',
        'Product',
        items.map((item) => ({ value: item.id, label: item.name })),
      )}
      {select('status', 'Status', [
        { value: 'active', label: 'Active' },
        { value: 'refunded', label: 'Refunded' },
      ])}
      {select('mode', 'Mode', [
        { value: 'live', label: 'Live' },
        { value: 'test', label: 'Test' },
      ])}
      {date('from', 'From')}
      {date('to', 'To')}
    </div>
  );
}
