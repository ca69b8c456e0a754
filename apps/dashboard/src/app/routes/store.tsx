import type { QueryClient } from '@tanstack/react-query';
import { useParams, type LoaderFunctionArgs } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { marketplaceItemsQueryOptions } from '../../features/marketplaces/api/queries';
import { ItemList } from '../../features/marketplaces/components/item-list';

export const handle = { title: 'Store' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ params }: LoaderFunctionArgs) => {
    await queryClient.prefetchQuery(marketplaceItemsQueryOptions(params.instanceId!, false));
    return null;
  };

export function Component() {
  const { instanceId } = useParams();
  return (
    <>
      <PageHeader
        title="Store"
        description="Every product you offer in this marketplace. Unlisted products are hidden from customers and cannot be bought."
      />
      <ItemList instanceId={instanceId!} listedOnly={false} />
    </>
  );
}
