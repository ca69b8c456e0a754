import type { QueryClient } from '@tanstack/react-query';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { LoaderFunctionArgs } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { useSearchFilters } from '../../lib/use-search-filters';
import {
  overviewQueryOptions,
  overviewSearchFromParams,
  resolveRange,
} from '../../features/overview/api/queries';
import { FailureReasonsChart } from '../../features/overview/components/failure-reasons-chart';
import { InstallOutcomesChart } from '../../features/overview/components/install-outcomes-chart';
import { OverviewFilters } from '../../features/overview/components/overview-filters';
import { PurchasesByItemChart } from '../../features/overview/components/purchases-by-item-chart';
import { SalesChart } from '../../features/overview/components/sales-chart';
import { formatDay } from '../../features/overview/format';
import { plural } from '../../lib/format';

export const handle = { title: 'Overview' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ request }: LoaderFunctionArgs) => {
    const search = overviewSearchFromParams(new URL(request.url).searchParams);
    const range = resolveRange(search);
    // Prefetch, not ensure: a failure shows in the page, beside the filters that may fix it.
    if (!range.problem)
      await queryClient.prefetchQuery(overviewQueryOptions(range.from, range.to, search.mode));
    return null;
  };

export function Component() {
  const { filters: search, setFilters } = useSearchFilters(overviewSearchFromParams);
  const range = resolveRange(search);
  const overview = useQuery({
    ...overviewQueryOptions(range.from, range.to, search.mode),
    enabled: !range.problem,
    // Another range keeps the charts in place until its numbers arrive.
    placeholderData: keepPreviousData,
  });
  const data = overview.data;
  const days = Math.round((Date.parse(range.to) - Date.parse(range.from)) / 86_400_000) + 1;
  const currency =
    data?.currencies.find((c) => c === search.currency) ?? data?.currencies[0] ?? undefined;
  const quiet =
    data &&
    data.sales.length === 0 &&
    data.installs.days.every((d) => d.succeeded + d.failed === 0);

  return (
    <>
      <PageHeader
        title="Overview"
        description="Sales, refunds and installs across your fleet, by UTC day."
      />
      <OverviewFilters search={search} range={range} onChange={setFilters} />
      {range.problem ? (
        <p className="form-error" role="alert">
          {range.problem}
        </p>
      ) : (
        <p className="muted" aria-live="polite">
          {formatDay(range.from)} to {formatDay(range.to)} (UTC), {plural(days, 'day')}
          {search.mode ? `, ${search.mode} mode only` : ', live and test mode'}
          {overview.isPlaceholderData ? ' · updating…' : ''}
        </p>
      )}
      {range.problem ? null : overview.isPending ? (
        <Spinner label="Loading the overview…" />
      ) : overview.isError ? (
        <ErrorState
          title="The overview could not be loaded"
          error={overview.error}
          onRetry={() => overview.refetch()}
        />
      ) : quiet ? (
        <EmptyState title="Nothing happened in this range">
          <p>No purchases, refunds or finished installs between these days. Try a longer range.</p>
        </EmptyState>
      ) : (
        <div className="overview-grid">
          {currency ? (
            <SalesChart
              overview={overview.data}
              currency={currency}
              itemId={search.item}
              onCurrencyChange={(c) => setFilters({ currency: c })}
              onItemChange={(item) => setFilters({ item })}
            />
          ) : (
            <section className="panel" aria-labelledby="sales-heading">
              <h2 id="sales-heading">Sales and refunds</h2>
              <p className="muted">No purchase or refund in this range.</p>
            </section>
          )}
          <PurchasesByItemChart overview={overview.data} />
          <InstallOutcomesChart overview={overview.data} />
          <FailureReasonsChart overview={overview.data} />
        </div>
      )}
    </>
  );
}
