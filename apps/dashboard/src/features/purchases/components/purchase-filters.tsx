import { useQueries, useQuery } from '@tanstack/react-query';
import {
  marketplaceItemsQueryOptions,
  marketplacesQueryOptions,
} from '../../marketplaces/api/queries';
import { DebouncedTextField } from '../../../components/debounced-text-field';
import type { PurchaseFilters } from '../api/queries';

type Props = {
  filters: PurchaseFilters;
  onChange: (change: Partial<PurchaseFilters>) => void;
};

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
      <DebouncedTextField
        label="Device ID"
        value={filters.deviceId}
        onChange={(deviceId) => onChange({ deviceId })}
        placeholder="e.g. ACM-TX1-0004"
        grow
      />
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
