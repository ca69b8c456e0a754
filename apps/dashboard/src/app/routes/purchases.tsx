import type { QueryClient } from '@tanstack/react-query';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSearchParams, type LoaderFunctionArgs } from 'react-router';
import { LoadMoreButton } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { api } from '../../lib/api';
import {
  purchaseFiltersFromSearch,
  purchasesInfiniteQueryOptions,
  type PurchaseFilters,
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
  const [search, setSearch] = useSearchParams();
  const filters = purchaseFiltersFromSearch(search);
  const purchases = useInfiniteQuery(purchasesInfiniteQueryOptions(filters));

  // Functional update: a debounced device ID may land after another filter changed.
  const setFilters = (change: Partial<PurchaseFilters>) =>
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
