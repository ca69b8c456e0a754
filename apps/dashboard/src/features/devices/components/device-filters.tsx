import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { deviceFacetsQueryOptions, type DeviceFilters } from '../api/queries';

type Props = {
  filters: DeviceFilters;
  onChange: (change: Partial<DeviceFilters>) => void;
};

const SEARCH_DEBOUNCE_MS = 300;

/** Search is debounced; the selects apply at once. "/" jumps to the search box. */
export function DeviceFiltersBar({ filters, onChange }: Props) {
  const facets = useQuery(deviceFacetsQueryOptions());
  const [text, setText] = useState(filters.q ?? '');
  const [syncedQ, setSyncedQ] = useState(filters.q);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const searchRef = useRef<HTMLInputElement>(null);

  // The URL changed from elsewhere (clear filters, back button): show what it says.
  if (filters.q !== syncedQ) {
    setSyncedQ(filters.q);
    if ((filters.q ?? '') !== text.trim()) setText(filters.q ?? '');
  }

  const onSearchInput = (value: string) => {
    setText(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(
      () => onChange({ q: value.trim() || undefined }),
      SEARCH_DEBOUNCE_MS,
    );
  };

  useEffect(() => () => clearTimeout(timer.current), []);

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
      <label className="field field--inline field--grow">
        <span>Search</span>
        <input
          ref={searchRef}
          type="search"
          placeholder="Device ID or name  ( / )"
          value={text}
          onChange={(e) => onSearchInput(e.target.value)}
        />
      </label>
      {select('model', 'Model', facets.data?.models)}
      {select('firmware', 'Firmware', facets.data?.firmwareVersions)}
      {select('tag', 'Tag', facets.data?.tags)}
    </div>
  );
}
