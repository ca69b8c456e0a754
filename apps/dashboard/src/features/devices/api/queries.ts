import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { deviceGroupIdSchema, type DevicesQuery } from '@repo/schemas';
import { api } from '../../../lib/api';

export type DeviceFilters = Pick<
  DevicesQuery,
  'q' | 'model' | 'firmware' | 'tag' | 'entitlement' | 'groupId'
>;

export const deviceKeys = {
  all: ['devices'] as const,
  lists: () => [...deviceKeys.all, 'list'] as const,
  list: (filters: DeviceFilters) => [...deviceKeys.lists(), filters] as const,
  facets: () => [...deviceKeys.all, 'facets'] as const,
  detail: (deviceId: string) => [...deviceKeys.all, 'detail', deviceId] as const,
};

export const DEVICES_PAGE_SIZE = 25;

export const devicesInfiniteQueryOptions = (filters: DeviceFilters) =>
  infiniteQueryOptions({
    queryKey: deviceKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      api.devices.list({ ...filters, cursor: pageParam, limit: DEVICES_PAGE_SIZE }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
  });

export const deviceFacetsQueryOptions = () =>
  queryOptions({
    queryKey: deviceKeys.facets(),
    queryFn: () => api.devices.facets(),
    staleTime: 5 * 60_000,
  });

/** While an install is on its way, the device page follows it. */
export const DEVICE_ACTIVE_REFRESH_MS = 2_000;

export const deviceQueryOptions = (deviceId: string) =>
  queryOptions({
    queryKey: deviceKeys.detail(deviceId),
    queryFn: () => api.devices.get(deviceId),
    refetchInterval: (query) =>
      query.state.data?.items.some((item) => item.activeInstall) ? DEVICE_ACTIVE_REFRESH_MS : false,
  });

/** Filters as they stand in the URL, so that a link or a reload keeps them. */
export function deviceFiltersFromSearch(search: URLSearchParams): DeviceFilters {
  const read = (key: string) => search.get(key)?.trim() || undefined;
  const entitlement = read('entitlement');
  const groupId = deviceGroupIdSchema.safeParse(read('groupId'));
  return {
    q: read('q'),
    model: read('model'),
    firmware: read('firmware'),
    tag: read('tag'),
    entitlement: entitlement === 'active' || entitlement === 'none' ? entitlement : undefined,
    groupId: groupId.success ? groupId.data : undefined,
  };
}
