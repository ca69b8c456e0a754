import { queryOptions } from '@tanstack/react-query';
import { api } from '../../../lib/api';

export const marketplaceKeys = {
  all: ['marketplaces'] as const,
  list: () => [...marketplaceKeys.all, 'list'] as const,
  items: (instanceId: string, listedOnly: boolean) =>
    [...marketplaceKeys.all, instanceId, 'items', { listedOnly }] as const,
};

export const marketplacesQueryOptions = () =>
  queryOptions({
    queryKey: marketplaceKeys.list(),
    queryFn: () => api.marketplaces.list(),
    staleTime: 5 * 60_000,
  });

/** All the provider's items (Store), or only the listed ones a customer sees (Store Preview). */
export const marketplaceItemsQueryOptions = (instanceId: string, listedOnly: boolean) =>
  queryOptions({
    queryKey: marketplaceKeys.items(instanceId, listedOnly),
    queryFn: () => api.marketplaces.items(instanceId, listedOnly ? { listed: true } : {}),
  });
