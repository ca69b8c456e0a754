import { useState } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import type { LoaderFunctionArgs } from 'react-router';
import { LoadMoreButton } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { useMe } from '../../features/auth/api/queries';
import { deviceGroupChoicesQueryOptions } from '../../features/device-groups/api/queries';
import { SaveAsGroupPanel } from '../../features/device-groups/components/save-as-group-panel';
import {
  deviceFacetsQueryOptions,
  deviceFiltersFromSearch,
  devicesInfiniteQueryOptions,
} from '../../features/devices/api/queries';
import { DeviceFiltersBar } from '../../features/devices/components/device-filters';
import { DevicesTable } from '../../features/devices/components/devices-table';
import { BulkInstallPanel } from '../../features/installs/components/bulk-install-panel';
import { canManageInstalls } from '../../features/installs/permissions';
import { api } from '../../lib/api';
import { useSearchFilters } from '../../lib/use-search-filters';

export const handle = { title: 'Devices' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ request }: LoaderFunctionArgs) => {
    const filters = deviceFiltersFromSearch(new URL(request.url).searchParams);
    // Prefetch, not ensure: a failed list shows its error in the page, beside the filters.
    await Promise.all([
      queryClient.prefetchInfiniteQuery(devicesInfiniteQueryOptions(filters)),
      queryClient.prefetchQuery(deviceFacetsQueryOptions()),
      queryClient.prefetchQuery(deviceGroupChoicesQueryOptions()),
    ]);
    return null;
  };

export function Component() {
  const { filters, setFilters, clearFilters, hasFilters } =
    useSearchFilters(deviceFiltersFromSearch);
  const devices = useInfiniteQuery(devicesInfiniteQueryOptions(filters));
  const canManage = canManageInstalls(useMe().data?.user.role);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const shown = devices.data?.pages.flatMap((page) => page.items) ?? [];
  const total = devices.data?.pages[0]?.total ?? 0;

  // Every device that matches, the whole group included, not only the page shown.
  const selectAll = useMutation({
    mutationFn: () => api.devices.ids(filters),
    onSuccess: (result) => select(result.ids, true),
  });

  const select = (deviceIds: string[], on: boolean) =>
    setSelected((previous) => {
      const next = new Set(previous);
      for (const id of deviceIds) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });

  return (
    <>
      <PageHeader title="Devices" description="Your organisation's fleet." />
      <DeviceFiltersBar filters={filters} onChange={setFilters} />
      {canManage && selected.size > 0 && (
        <>
          <BulkInstallPanel deviceIds={[...selected]} onClear={() => setSelected(new Set())} />
          <SaveAsGroupPanel deviceIds={[...selected]} />
        </>
      )}
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
          <div className="picker-toolbar">
            <p className="muted" aria-live="polite">
              Showing {shown.length} of {total} device{total === 1 ? '' : 's'}
              {devices.isFetching && !devices.isFetchingNextPage ? ' · updating…' : ''}
            </p>
            {canManage && total > shown.length && (
              <button
                type="button"
                className="button button--small"
                disabled={selectAll.isPending}
                onClick={() => selectAll.mutate()}
              >
                {selectAll.isPending ? 'Selecting…' : `Select all ${total} matching`}
              </button>
            )}
            {selectAll.isError && (
              <span className="form-error" role="alert">
                The matching devices could not be selected: {selectAll.error.message}
              </span>
            )}
            {selectAll.data?.truncated && (
              <span className="form-error" role="status">
                Only the first {selectAll.data.ids.length} were selected: that is the most one
                action takes.
              </span>
            )}
          </div>
          <DevicesTable
            devices={shown}
            selection={
              canManage
                ? {
                    selected,
                    onToggle: (id, on) => select([id], on),
                    onToggleAll: select,
                  }
                : undefined
            }
          />
          <LoadMoreButton query={devices} label="Show more devices" />
        </>
      )}
    </>
  );
}
