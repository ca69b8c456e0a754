import { LoadMoreButton } from '../../components/load-more';
import type { QueryClient } from '@tanstack/react-query';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSearchParams, type LoaderFunctionArgs } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import {
  deviceFacetsQueryOptions,
  deviceFiltersFromSearch,
  devicesInfiniteQueryOptions,
  type DeviceFilters,
} from '../../features/devices/api/queries';
import { DeviceFiltersBar } from '../../features/devices/components/device-filters';
import { DevicesTable } from '../../features/devices/components/devices-table';

export const handle = { title: 'Devices' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ request }: LoaderFunctionArgs) => {
    const filters = deviceFiltersFromSearch(new URL(request.url).searchParams);
    // Prefetch, not ensure: a failed list shows its error in the page, beside the filters.
    await Promise.all([
      queryClient.prefetchInfiniteQuery(devicesInfiniteQueryOptions(filters)),
      queryClient.prefetchQuery(deviceFacetsQueryOptions()),
    ]);
    return null;
  };

export function Component() {
  const [search, setSearch] = useSearchParams();
  const filters = deviceFiltersFromSearch(search);
  const devices = useInfiniteQuery(devicesInfiniteQueryOptions(filters));

  // Functional update: a debounced search may land after another filter changed.
  const setFilters = (change: Partial<DeviceFilters>) =>
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
    );
  const clearFilters = () => setSearch(new URLSearchParams(), { replace: true });
  const hasFilters = Object.values(filters).some(Boolean);
  const shown = devices.data?.pages.flatMap((page) => page.items) ?? [];
  const total = devices.data?.pages[0]?.total ?? 0;

  return (
    <>
      <PageHeader title="Devices" description="Your organisation's fleet." />
      <DeviceFiltersBar filters={filters} onChange={setFilters} />
      {devices.isPending ? (
        <Spinner label="Loading devices…" />
      ) : devices.isError ? (
        <ErrorState error={devices.error} onRetry={() => devices.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title={hasFilters ? 'No devices match these filters' : 'No devices yet'}>
          {hasFilters && (
            <button type="button" className="button" onClick={clearFilters}>
              Clear filters
            </button>
          )}
        </EmptyState>
      ) : (
        <>
          <p className="muted" aria-live="polite">
            Showing {shown.length} of {total} device{total === 1 ? '' : 's'}
            {devices.isFetching && !devices.isFetchingNextPage ? ' · updating…' : ''}
          </p>
          <DevicesTable devices={shown} />
          <LoadMoreButton query={devices} label="Show more devices" />
        </>
      )}
    </>
  );
}
