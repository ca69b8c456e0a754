import type { QueryClient } from '@tanstack/react-query';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { LoaderFunctionArgs } from 'react-router';
import { installStatusSchema } from '@repo/schemas';
import { DebouncedTextField } from '../../components/debounced-text-field';
import { LoadMoreButton } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { useMe } from '../../features/auth/api/queries';
import {
  installFiltersFromSearch,
  installsInfiniteQueryOptions,
  itemsOfReleases,
  releasesQueryOptions,
  type InstallFilters,
} from '../../features/installs/api/queries';
import { InstallsTable } from '../../features/installs/components/installs-table';
import { canManageInstalls } from '../../features/installs/permissions';
import { useSearchFilters } from '../../lib/use-search-filters';

export const handle = { title: 'Installs' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ request }: LoaderFunctionArgs) => {
    const filters = installFiltersFromSearch(new URL(request.url).searchParams);
    await Promise.all([
      queryClient.prefetchInfiniteQuery(installsInfiniteQueryOptions(filters)),
      queryClient.prefetchQuery(releasesQueryOptions()),
    ]);
    return null;
  };

export function Component() {
  const { filters, setFilters, clearFilters, hasFilters } =
    useSearchFilters(installFiltersFromSearch);
  const installs = useInfiniteQuery(installsInfiniteQueryOptions(filters));
  const releases = useQuery(releasesQueryOptions());
  const canManage = canManageInstalls(useMe().data?.user.role);
  const items = itemsOfReleases(releases.data?.items ?? []);
  const shown = installs.data?.pages.flatMap((page) => page.items) ?? [];
  const total = installs.data?.pages[0]?.total ?? 0;

  return (
    <>
      <PageHeader
        title="Installs"
        description="Releases queued for, and installed on, your devices. This page updates by itself."
      />
      <div className="filters" role="search">
        <label className="field field--inline">
          <span>Status</span>
          <select
            value={filters.status ?? ''}
            onChange={(e) =>
              setFilters({ status: (e.target.value || undefined) as InstallFilters['status'] })
            }
          >
            <option value="">All</option>
            {installStatusSchema.options.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </label>
        <DebouncedTextField
          label="Device ID"
          value={filters.deviceId}
          onChange={(deviceId) => setFilters({ deviceId })}
          placeholder="Exact device ID"
        />
        <label className="field field--inline">
          <span>Item</span>
          <select
            value={filters.itemId ?? ''}
            onChange={(e) => setFilters({ itemId: e.target.value || undefined })}
          >
            <option value="">All</option>
            {items.map((item) => (
              <option key={item.id} value={item.id}>
                {item.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {installs.isPending ? (
        <Spinner label="Loading installs…" />
      ) : installs.isError ? (
        <ErrorState error={installs.error} onRetry={() => installs.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title={hasFilters ? 'No installs match these filters' : 'No installs yet'}>
          {hasFilters ? (
            <button type="button" className="button" onClick={clearFilters}>
              Clear filters
            </button>
          ) : (
            <p>Open a device with a purchase to queue a release on it.</p>
          )}
        </EmptyState>
      ) : (
        <>
          <p className="muted" aria-live="polite">
            Showing {shown.length} of {total} install{total === 1 ? '' : 's'}, newest first
          </p>
          <InstallsTable jobs={shown} canManage={canManage} caption="Installs" />
          <LoadMoreButton query={installs} label="Show more installs" />
        </>
      )}
    </>
  );
}
