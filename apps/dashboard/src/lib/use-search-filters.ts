import { useCallback, useRef } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A page's filters kept in the URL's query string, so that a link or a reload keeps them.
 * Changes replace the history entry: filtering is not navigating.
 */
export function useSearchFilters<F extends Record<string, string | undefined>>(
  fromSearch: (search: URLSearchParams) => F,
) {
  const [search, setSearch] = useSearchParams();
  /**
   * The URL as it stood when this page last changed it, and what it asked for. The URL changes
   * only once the page's loader has answered, so a second change made meanwhile (a range, then a
   * mode) builds on the first one instead of on the URL as it still stands, which would undo it.
   */
  const asked = useRef<{ from: string; to: string } | null>(null);

  const update = useCallback(
    (change: (params: URLSearchParams) => void) =>
      setSearch(
        (previous) => {
          const now = previous.toString();
          const params = new URLSearchParams(asked.current?.from === now ? asked.current.to : now);
          change(params);
          asked.current = { from: now, to: params.toString() };
          return params;
        },
        { replace: true },
      ),
    [setSearch],
  );
  const setFilters = useCallback(
    (change: Partial<F>) =>
      update((params) => {
        for (const [key, value] of Object.entries(change)) {
          if (value) params.set(key, value);
          else params.delete(key);
        }
      }),
    [update],
  );
  const clearFilters = useCallback(
    () =>
      update((params) => {
        for (const key of [...params.keys()]) params.delete(key);
      }),
    [update],
  );
  const filters = fromSearch(search);
  return {
    filters,
    setFilters,
    clearFilters,
    hasFilters: Object.values(filters).some(Boolean),
  };
}
