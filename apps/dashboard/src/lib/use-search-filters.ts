import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A page's filters kept in the URL's query string, so that a link or a reload keeps them.
 * Changes replace the history entry: filtering is not navigating.
 */
export function useSearchFilters<F extends Record<string, string | undefined>>(
  fromSearch: (search: URLSearchParams) => F,
) {
  const [search, setSearch] = useSearchParams();
  // Functional update: a debounced field may land after another filter changed.
  const setFilters = useCallback(
    (change: Partial<F>) =>
      setSearch(
        (previous) => {
          const params = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(change)) {
            if (value) params.set(key, value);
            else params.delete(key);
          }
          return params;
        },
        { replace: true },
      ),
    [setSearch],
  );
  const clearFilters = useCallback(
    () => setSearch(new URLSearchParams(), { replace: true }),
    [setSearch],
  );
  const filters = fromSearch(search);
  return {
    filters,
    setFilters,
    clearFilters,
    hasFilters: Object.values(filters).some(Boolean),
  };
}
