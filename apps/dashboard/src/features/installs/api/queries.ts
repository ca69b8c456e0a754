import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query';
import { isInstallActive } from '@repo/domain';
import {
  installStatusSchema,
  type InstallJob,
  type InstallJobsPage,
  type InstallsQuery,
  type Release,
} from '@repo/schemas';
import { api } from '../../../lib/api';

export type InstallFilters = Pick<InstallsQuery, 'status' | 'deviceId' | 'itemId'>;

export const installKeys = {
  all: ['installs'] as const,
  lists: () => [...installKeys.all, 'list'] as const,
  list: (filters: InstallFilters) => [...installKeys.lists(), filters] as const,
  events: (jobId: string, asOf: string) => [...installKeys.all, 'events', jobId, asOf] as const,
  releases: () => ['releases'] as const,
};

export const INSTALLS_PAGE_SIZE = 25;
/** While anything is on its way to a device the list follows it closely, otherwise at ease. */
export const ACTIVE_REFRESH_MS = 2_000;
export const IDLE_REFRESH_MS = 10_000;

const hasActive = (pages: InstallJobsPage[] = []) =>
  pages.some((page) => page.items.some((job) => isInstallActive(job.status)));

export const installsInfiniteQueryOptions = (filters: InstallFilters) =>
  infiniteQueryOptions({
    queryKey: installKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      api.installs.list({ ...filters, cursor: pageParam, limit: INSTALLS_PAGE_SIZE }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => lastPage.nextCursor ?? undefined,
    refetchInterval: (query) =>
      hasActive(query.state.data?.pages) ? ACTIVE_REFRESH_MS : IDLE_REFRESH_MS,
  });

/**
 * A job's history as of its last change: the pages that show the job already follow it, and
 * each change they see asks for the steps since, however many passed in between.
 */
export const installEventsQueryOptions = (job: Pick<InstallJob, 'id' | 'updatedAt'>) =>
  queryOptions({
    queryKey: installKeys.events(job.id, job.updatedAt),
    queryFn: ({ signal }) => api.installs.events(job.id, signal),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });

export const releasesQueryOptions = () =>
  queryOptions({
    queryKey: installKeys.releases(),
    queryFn: () => api.releases.list(),
    staleTime: 5 * 60_000,
  });

/** The items that have releases, by name: what an install, a rollout or a filter can name. */
export function itemsOfReleases(releases: readonly Release[]): { id: string; name: string }[] {
  return [...new Map(releases.map((r) => [r.itemId, r.itemName]))]
    .map(([id, name]) => ({ id, name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Filters as they stand in the URL, so that a link or a reload keeps them. */
export function installFiltersFromSearch(search: URLSearchParams): InstallFilters {
  const read = (key: string) => search.get(key)?.trim() || undefined;
  const status = read('status');
  return {
    status: installStatusSchema.options.find((s) => s === status),
    deviceId: read('deviceId'),
    itemId: read('itemId'),
  };
}
