import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api';

export const authKeys = {
  all: ['auth'] as const,
  me: () => [...authKeys.all, 'me'] as const,
};

export const meQueryOptions = () =>
  queryOptions({
    queryKey: authKeys.me(),
    queryFn: () => api.auth.me(),
    staleTime: 5 * 60_000,
    retry: false,
  });

export const useMe = () => useQuery(meQueryOptions());
