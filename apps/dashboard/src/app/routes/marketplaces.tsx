import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { EmptyState, ErrorState, Spinner } from '../../components/states';
import { PageHeader } from '../../components/page-header';
import { marketplacesQueryOptions } from '../../features/marketplaces/api/queries';

export const handle = { title: 'Marketplaces' };

export const loader = (queryClient: QueryClient) => async () => {
  await queryClient.ensureQueryData(marketplacesQueryOptions());
  return null;
};

export function Component() {
  const marketplaces = useQuery(marketplacesQueryOptions());
  return (
    <>
      <PageHeader
        title="Marketplaces"
        description="The marketplace instances your organisation sells in."
      />
      {marketplaces.isPending ? (
        <Spinner />
      ) : marketplaces.isError ? (
        <ErrorState error={marketplaces.error} onRetry={() => marketplaces.refetch()} />
      ) : marketplaces.data.items.length === 0 ? (
        <EmptyState title="No marketplaces yet">
          <p>Your organisation is not part of any marketplace instance.</p>
        </EmptyState>
      ) : (
        <ul className="card-grid">
          {marketplaces.data.items.map((instance) => (
            <li key={instance.id} className="card">
              <h2>
                <Link to={`/marketplaces/${instance.id}`}>{instance.name}</Link>
              </h2>
              <p className="muted">
                Currency {instance.currency.toUpperCase()} · platform fee{' '}
                {(instance.platformFeeBps / 100).toFixed(1)} %
              </p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
