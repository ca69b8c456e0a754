import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { data, Link, useParams, type LoaderFunctionArgs } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { useMe } from '../../features/auth/api/queries';
import { marketplacesQueryOptions } from '../../features/marketplaces/api/queries';

export const handle = { title: 'Overview' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ params }: LoaderFunctionArgs) => {
    const { items } = await queryClient.ensureQueryData(marketplacesQueryOptions());
    if (!items.some((m) => m.id === params.instanceId))
      throw data('Marketplace not found', { status: 404 });
    return null;
  };

export function Component() {
  const { instanceId } = useParams();
  const { data: marketplaces } = useQuery(marketplacesQueryOptions());
  const { data: me } = useMe();
  const instance = marketplaces?.items.find((m) => m.id === instanceId);
  if (!instance || !me) return null;
  return (
    <>
      <PageHeader
        title={instance.name}
        description={`You sell here as ${me.organisation.name}. Prices are in ${instance.currency.toUpperCase()}; the marketplace keeps ${(instance.platformFeeBps / 100).toFixed(1)} % as a platform fee.`}
      />
      <ul className="card-grid">
        <li className="card">
          <h2>
            <Link to="store">Store</Link>
          </h2>
          <p className="muted">Every product you list here, listed or not.</p>
        </li>
        <li className="card">
          <h2>
            <Link to="preview">Store Preview</Link>
          </h2>
          <p className="muted">Your store as a customer sees it.</p>
        </li>
        <li className="card">
          <h2>
            <Link to="/devices">Devices</Link>
          </h2>
          <p className="muted">Your fleet, searchable by ID, name, model and tag.</p>
        </li>
      </ul>
    </>
  );
}
