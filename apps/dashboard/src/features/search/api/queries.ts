import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api } from '../../../lib/api';

export const searchKeys = {
  all: ['search'] as const,
  results: (query: string) => [...searchKeys.all, query] as const,
};

/**
 * What the search box finds for a query. While the next query is on its way the previous results
 * stay, so the list does not blink at every key.
 */
export const searchQueryOptions = (query: string) =>
  queryOptions({
    queryKey: searchKeys.results(query),
    queryFn: ({ signal }) => api.search(query, signal),
    enabled: query.length > 0,
    placeholderData: keepPreviousData,
  });
