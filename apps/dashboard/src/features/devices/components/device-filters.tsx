import { useEffect, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { DebouncedTextField } from '../../../components/debounced-text-field';
import { deviceGroupChoicesQueryOptions } from '../../device-groups/api/queries';
import { deviceFacetsQueryOptions, type DeviceFilters } from '../api/queries';

type Props = {
  filters: DeviceFilters;
  onChange: (change: Partial<DeviceFilters>) => void;
};

/** Search is debounced; the selects apply at once. "/" jumps to the search box. */
export function DeviceFiltersBar({ filters, onChange }: Props) {
  const facets = useQuery(deviceFacetsQueryOptions());
  const groups = useQuery(deviceGroupChoicesQueryOptions());
  const groupChoices = groups.data?.items ?? [];
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) {
        event.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const select = (key: 'model' | 'firmware' | 'tag', label: string, options: string[] = []) => (
    <label className="field field--inline">
      <span>{label}</span>
      <select
        value={filters[key] ?? ''}
        onChange={(e) => onChange({ [key]: e.target.value || undefined })}
      >
        <option value="">All</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="filters" role="search">
      <DebouncedTextField
        label="Search"
        value={filters.q}
        onChange={(q) => onChange({ q })}
        placeholder="Device ID or name  ( / )"
        inputRef={searchRef}
        grow
      />
      {select('model', 'Model', facets.data?.models)}
      {select('firmware', 'Firmware', facets.data?.firmwareVersions)}
      {select('tag', 'Tag', facets.data?.tags)}
      <label className="field field--inline">
        <span>Group</span>
        <select
          value={filters.groupId ?? ''}
          onChange={(e) => onChange({ groupId: e.target.value || undefined })}
        >
          <option value="">All devices</option>
          {/* A link may name a group beyond the first page of choices: keep it choosable. */}
          {filters.groupId && !groupChoices.some((g) => g.id === filters.groupId) && (
            <option value={filters.groupId}>
              {groups.isPending ? 'Loading…' : 'The group in the link'}
            </option>
          )}
          {groupChoices.map((group) => (
            <option key={group.id} value={group.id}>
              {group.name} ({group.kind}, {group.deviceCount})
            </option>
          ))}
        </select>
      </label>
      <label className="field field--inline">
        <span>Entitlement</span>
        <select
          value={filters.entitlement ?? ''}
          onChange={(e) =>
            onChange({ entitlement: (e.target.value || undefined) as DeviceFilters['entitlement'] })
          }
        >
          <option value="">All</option>
          <option value="active">Has an active entitlement</option>
          <option value="none">No active entitlement</option>
        </select>
      </label>
    </div>
  );
}
