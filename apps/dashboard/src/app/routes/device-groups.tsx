import type { QueryClient } from '@tanstack/react-query';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, type LoaderFunctionArgs } from 'react-router';
import { DebouncedTextField } from '../../components/debounced-text-field';
import { LoadMoreButton } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { useMe } from '../../features/auth/api/queries';
import { deviceGroupsInfiniteQueryOptions } from '../../features/device-groups/api/queries';
import { DeviceGroupsTable } from '../../features/device-groups/components/device-groups-table';
import { canEditDeviceGroups } from '../../features/device-groups/permissions';
import { releasesQueryOptions } from '../../features/installs/api/queries';
import { useItemName } from '../../features/installs/use-item-name';
import { useSearchFilters } from '../../lib/use-search-filters';

export const handle = { title: 'Device groups' };

const groupSearchFromParams = (search: URLSearchParams) => ({
  q: search.get('q')?.trim() || undefined,
});

export const loader =
  (queryClient: QueryClient) =>
  async ({ request }: LoaderFunctionArgs) => {
    const { q } = groupSearchFromParams(new URL(request.url).searchParams);
    await Promise.all([
      queryClient.prefetchInfiniteQuery(deviceGroupsInfiniteQueryOptions(q)),
      queryClient.prefetchQuery(releasesQueryOptions()),
    ]);
    return null;
  };

export function Component() {
  const { filters, setFilters, clearFilters, hasFilters } = useSearchFilters(groupSearchFromParams);
  const groups = useInfiniteQuery(deviceGroupsInfiniteQueryOptions(filters.q));
  const canEdit = canEditDeviceGroups(useMe().data?.user.role);
  const itemName = useItemName();
  const shown = groups.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader
        title="Device groups"
        description="Fixed lists of devices, and saved filters whose devices are whichever match when the group is used: in the device list, a bulk install or a rollout."
        actions={
          canEdit && (
            <Link to="/device-groups/new" className="button button--primary">
              New group
            </Link>
          )
        }
      />
      <div className="filters" role="search" aria-label="Find a device group">
        <DebouncedTextField
          label="Name"
          value={filters.q}
          onChange={(q) => setFilters({ q })}
          placeholder="Part of the name"
          grow
        />
      </div>
      {groups.isPending ? (
        <Spinner label="Loading device groups…" />
      ) : groups.isError ? (
        <ErrorState error={groups.error} onRetry={() => groups.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title={hasFilters ? 'No group has that name' : 'No device groups yet'}>
          {hasFilters ? (
            <button type="button" className="button" onClick={clearFilters}>
              Clear the search
            </button>
          ) : (
            <p>
              {canEdit
                ? 'Create one from a filter, or select devices on the Devices page and save them as a group.'
                : 'An administrator or operator of your organisation can create them.'}
            </p>
          )}
        </EmptyState>
      ) : (
        <>
          <DeviceGroupsTable groups={shown} canEdit={canEdit} itemName={itemName} />
          <LoadMoreButton query={groups} label="Show more groups" />
        </>
      )}
    </>
  );
}
