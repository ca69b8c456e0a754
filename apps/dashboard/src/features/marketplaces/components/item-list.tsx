import type { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { MarketplaceItem } from '@repo/schemas';
import { EmptyState, ErrorState, Spinner } from '../../../components/states';
import { marketplaceItemsQueryOptions } from '../api/queries';
import { ItemCard } from './item-card';

export function ItemList({
  instanceId,
  listedOnly,
  actions,
}: {
  instanceId: string;
  listedOnly: boolean;
  /** What a card offers beside its description, e.g. adding it to the basket. */
  actions?: (item: MarketplaceItem) => ReactNode;
}) {
  const items = useQuery(marketplaceItemsQueryOptions(instanceId, listedOnly));
  if (items.isPending) return <Spinner label="Loading products…" />;
  if (items.isError) return <ErrorState error={items.error} onRetry={() => items.refetch()} />;
  if (items.data.items.length === 0) {
    return (
      <EmptyState title={listedOnly ? 'Nothing is listed yet' : 'No products yet'}>
        <p>Products you list in this marketplace appear here.</p>
      </EmptyState>
    );
  }
  return (
    <ul className="card-grid" aria-label="Products">
      {items.data.items.map((item) => (
        <li key={item.id}>
          <ItemCard item={item} showListing={!listedOnly}>
            {actions?.(item)}
          </ItemCard>
        </li>
      ))}
    </ul>
  );
}
