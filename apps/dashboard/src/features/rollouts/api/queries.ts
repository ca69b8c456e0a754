import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query';
import {
  rolloutStatusSchema,
  type RolloutDeviceState,
  type RolloutPreviewRequest,
  type RolloutStatus,
  type RolloutsPage,
  type RolloutsQuery,
} from '@repo/schemas';
import { api } from '../../../lib/api';

export type RolloutFilters = Pick<RolloutsQuery, 'status' | 'itemId'>;
export type RolloutDeviceFilters = { state?: RolloutDeviceState; phase?: number };

export const rolloutKeys = {
  all: ['rollouts'] as const,
  lists: () => [...rolloutKeys.all, 'list'] as const,
  list: (filters: RolloutFilters) => [...rolloutKeys.lists(), filters] as const,
  details: () => [...rolloutKeys.all, 'detail'] as const,
  detail: (rolloutId: string) => [...rolloutKeys.details(), rolloutId] as const,
  devices: (rolloutId: string) => [...rolloutKeys.detail(rolloutId), 'devices'] as const,
  deviceList: (rolloutId: string, filters: RolloutDeviceFilters) =>
    [...rolloutKeys.devices(rolloutId), filters] as const,
  previews: () => [...rolloutKeys.all, 'preview'] as const,
  preview: (request: RolloutPreviewRequest) => [...rolloutKeys.previews(), request] as const,
};

export const ROLLOUTS_PAGE_SIZE = 25;
export const ROLLOUT_DEVICES_PAGE_SIZE = 25;
/** A running rollout is followed closely, a paused one (whose sent installs still end) at ease. */
export const RUNNING_REFRESH_MS = 2_000;
export const PAUSED_REFRESH_MS = 5_000;

/** How often a rollout in this status changes by itself; never once it has ended. */
export function refreshInterval(status: RolloutStatus | undefined): number | false {
  if (status === 'running') return RUNNING_REFRESH_MS;
  if (status === 'paused') return PAUSED_REFRESH_MS;
  return false;
}

const fastest = (pages: RolloutsPage[] = []) => {
  const intervals = pages
    .flatMap((page) => page.items)
    .map((rollout) => refreshInterval(rollout.status))
    .filter((ms): ms is number => ms !== false);
  return intervals.length > 0 ? Math.min(...intervals) : false;
};

export const rolloutsInfiniteQueryOptions = (filters: RolloutFilters) =>
  infiniteQueryOptions({
    queryKey: rolloutKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      api.rollouts.list({ ...filters, cursor: pageParam, limit: ROLLOUTS_PAGE_SIZE }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
    refetchInterval: (query) => fastest(query.state.data?.pages),
  });

export const rolloutQueryOptions = (rolloutId: string) =>
  queryOptions({
    queryKey: rolloutKeys.detail(rolloutId),
    queryFn: ({ signal }) => api.rollouts.get(rolloutId, signal),
    refetchInterval: (query) => refreshInterval(query.state.data?.status),
  });

/** A rollout's devices in one state or phase, a page at a time, refreshed with the rollout. */
export const rolloutDevicesInfiniteQueryOptions = (
  rolloutId: string,
  filters: RolloutDeviceFilters,
  status: RolloutStatus | undefined,
) =>
  infiniteQueryOptions({
    queryKey: rolloutKeys.deviceList(rolloutId, filters),
    queryFn: ({ pageParam, signal }) =>
      api.rollouts.devices(
        rolloutId,
        { ...filters, cursor: pageParam, limit: ROLLOUT_DEVICES_PAGE_SIZE },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
    refetchInterval: refreshInterval(status),
  });

/** What a rollout would do; the last answer stays on screen while the next one loads. */
export const rolloutPreviewQueryOptions = (request: RolloutPreviewRequest) =>
  queryOptions({
    queryKey: rolloutKeys.preview(request),
    queryFn: ({ signal }) => api.rollouts.preview(request, signal),
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });

/** Filters as they stand in the URL, so that a link or a reload keeps them. */
export function rolloutFiltersFromSearch(search: URLSearchParams): RolloutFilters {
  const read = (key: string) => search.get(key)?.trim() || undefined;
  const status = read('status');
  return {
    status: rolloutStatusSchema.options.find((s) => s === status),
    itemId: read('itemId'),
  };
}
