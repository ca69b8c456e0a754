import type { QueryClient } from '@tanstack/react-query';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, type LoaderFunctionArgs } from 'react-router';
import { rolloutStatusSchema } from '@repo/schemas';
import { LoadMoreButton } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { useMe } from '../../features/auth/api/queries';
import { itemsOfReleases, releasesQueryOptions } from '../../features/installs/api/queries';
import {
  rolloutFiltersFromSearch,
  rolloutsInfiniteQueryOptions,
  type RolloutFilters,
} from '../../features/rollouts/api/queries';
import { RolloutsTable } from '../../features/rollouts/components/rollouts-table';
import { ROLLOUT_STATUS_LABELS } from '../../features/rollouts/labels';
import { canManageRollouts } from '../../features/rollouts/permissions';
import { useSearchFilters } from '../../lib/use-search-filters';

export const handle = { title: 'Rollouts' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ request }: LoaderFunctionArgs) => {
    const filters = rolloutFiltersFromSearch(new URL(request.url).searchParams);
    await Promise.all([
      queryClient.prefetchInfiniteQuery(rolloutsInfiniteQueryOptions(filters)),
      queryClient.prefetchQuery(releasesQueryOptions()),
    ]);
    return null;
  };

export function Component() {
  const { filters, setFilters, clearFilters, hasFilters } =
    useSearchFilters(rolloutFiltersFromSearch);
  const rollouts = useInfiniteQuery(rolloutsInfiniteQueryOptions(filters));
  const releases = useQuery(releasesQueryOptions());
  const canManage = canManageRollouts(useMe().data?.user.role);
  const items = itemsOfReleases(releases.data?.items ?? []);
  const shown = rollouts.data?.pages.flatMap((page) => page.items) ?? [];
  const total = rollouts.data?.pages[0]?.total ?? 0;

  return (
    <>
      <PageHeader
        title="Rollouts"
        description="Releases put on your devices phase by phase, pausing by themselves when too many installs fail. This page updates by itself."
        actions={
          canManage && (
            <Link to="/rollouts/new" className="button button--primary">
              New rollout
            </Link>
          )
        }
      />
      <div className="filters" role="search" aria-label="Filter the rollouts">
        <label className="field field--inline">
          <span>Status</span>
          <select
            value={filters.status ?? ''}
            onChange={(e) =>
              setFilters({ status: (e.target.value || undefined) as RolloutFilters['status'] })
            }
          >
            <option value="">All</option>
            {rolloutStatusSchema.options.map((status) => (
              <option key={status} value={status}>
                {ROLLOUT_STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </label>
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
      {rollouts.isPending ? (
        <Spinner label="Loading rollouts…" />
      ) : rollouts.isError ? (
        <ErrorState error={rollouts.error} onRetry={() => rollouts.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title={hasFilters ? 'No rollouts match these filters' : 'No rollouts yet'}>
          {hasFilters ? (
            <button type="button" className="button" onClick={clearFilters}>
              Clear filters
            </button>
          ) : (
            <p>
              {canManage
                ? 'Start one to put a release on many devices, a phase at a time.'
                : 'An administrator or operator of your organisation can start one.'}
            </p>
          )}
        </EmptyState>
      ) : (
        <>
          <p className="muted" aria-live="polite">
            Showing {shown.length} of {total} rollout{total === 1 ? '' : 's'}, newest first
          </p>
          <RolloutsTable rollouts={shown} />
          <LoadMoreButton query={rollouts} label="Show more rollouts" />
        </>
      )}
    </>
  );
}
