import type { QueryClient } from '@tanstack/react-query';
import { useInfiniteQuery } from '@tanstack/react-query';
import type { LoaderFunctionArgs } from 'react-router';
import { LoadMoreButton } from '../../components/load-more';
import { PageHeader } from '../../components/page-header';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { api } from '../../lib/api';
import { useSearchFilters } from '../../lib/use-search-filters';
import {
  auditFiltersFromSearch,
  auditInfiniteQueryOptions,
} from '../../features/audit/api/queries';
import { AuditFiltersBar } from '../../features/audit/components/audit-filters';
import { AuditTable } from '../../features/audit/components/audit-table';
import { requireAdmin } from './developers';

export const handle = { title: 'Audit log' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ request }: LoaderFunctionArgs) => {
    await requireAdmin(queryClient);
    const filters = auditFiltersFromSearch(new URL(request.url).searchParams);
    // Prefetch, not ensure: a failed list shows its error in the page, beside the filters.
    await queryClient.prefetchInfiniteQuery(auditInfiniteQueryOptions(filters));
    return null;
  };

export function Component() {
  const { filters, setFilters, clearFilters, hasFilters } =
    useSearchFilters(auditFiltersFromSearch);
  const audit = useInfiniteQuery(auditInfiniteQueryOptions(filters));
  const shown = audit.data?.pages.flatMap((page) => page.items) ?? [];
  const total = audit.data?.pages[0]?.total ?? 0;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what to which object, and when: every change made in your organisation."
        actions={
          <a className="button" href={api.audit.exportUrl(filters)} download>
            Export CSV
          </a>
        }
      />
      <AuditFiltersBar filters={filters} onChange={setFilters} />
      {audit.isPending ? (
        <Spinner label="Loading the audit log…" />
      ) : audit.isError ? (
        <ErrorState error={audit.error} onRetry={() => audit.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title={hasFilters ? 'No entries match these filters' : 'Nothing recorded yet'}>
          {hasFilters ? (
            <button type="button" className="button" onClick={clearFilters}>
              Clear filters
            </button>
          ) : (
            <p>Sign-ins, checkouts, refunds, installs and key changes are recorded here.</p>
          )}
        </EmptyState>
      ) : (
        <>
          <p className="muted" aria-live="polite">
            Showing {shown.length.toLocaleString('en')} of {total.toLocaleString('en')}{' '}
            {total === 1 ? 'entry' : 'entries'}, newest first
            {audit.isFetching && !audit.isFetchingNextPage ? ' · updating…' : ''}
          </p>
          <AuditTable entries={shown} />
          <LoadMoreButton query={audit} label="Show more entries" />
        </>
      )}
    </>
  );
}
