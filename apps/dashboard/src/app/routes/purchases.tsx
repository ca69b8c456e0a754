import type { QueryClient } from '@tanstack/react-query';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { LoaderFunctionArgs } from 'react-router';
import { LoadMoreButton } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { api } from '../../lib/api';
import { useSearchFilters } from '../../lib/use-search-filters';
import {
  purchaseFiltersFromSearch,
  purchasesInfiniteQueryOptions,
} from '../../features/purchases/api/queries';
import { PurchaseFiltersBar } from '../../features/purchases/components/purchase-filters';
import { PurchasesTable } from '../../features/purchases/components/purchases-table';

export const handle = { title: 'Purchases' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ request }: LoaderFunctionArgs) => {
    const filters = purchaseFiltersFromSearch(new URL(request.url).searchParams);
    // Prefetch, not ensure: a failed list shows its error in the page, beside the filters.
    await queryClient.prefetchInfiniteQuery(purchasesInfiniteQueryOptions(filters));
    return null;
  };

export function Component() {
  const { filters, setFilters, clearFilters, hasFilters } =
    useSearchFilters(purchaseFiltersFromSearch);
  const purchases = useInfiniteQuery(purchasesInfiniteQueryOptions(filters));
  const shown = purchases.data?.pages.flatMap((page) => page.items) ?? [];
  const total = purchases.data?.pages[0]?.total ?? 0;

  return (
    <>
      <PageHeader
        title="Purchases"
        description="Every purchase made for your devices, searchable by device and product."
        actions={
          <a className="button" href={api.purchases.exportUrl(filters)} download>
            Export CSV
          </a>
        }
      />
      <PurchaseFiltersBar filters={filters} onChange={setFilters} />
      {purchases.isPending ? (
        <Spinner label="Loading purchases…" />
      ) : purchases.isError ? (
        <ErrorState error={purchases.error} onRetry={() => purchases.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title={hasFilters ? 'No purchases match these filters' : 'No purchases yet'}>
          {hasFilters ? (
            <button type="button" className="button" onClick={clearFilters}>
              Clear filters
            </button>
          ) : (
            <p>Purchases appear here once a checkout from the Store Preview is paid.</p>
          )}
        </EmptyState>
      ) : (
        <>
          <p className="muted" aria-live="polite">
            Showing {shown.length.toLocaleString('en')} of {total.toLocaleString('en')} purchase
            {total === 1 ? '' : 's'}
            {purchases.isFetching && !purchases.isFetchingNextPage ? ' · updating…' : ''}
          </p>
          <PurchasesTable purchases={shown} />
          <LoadMoreButton query={purchases} label="Show more purchases" />
        </>
      )}
    </>
  );
}
