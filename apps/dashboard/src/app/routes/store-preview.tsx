import type { QueryClient } from '@tanstack/react-query';
import { useParams, type LoaderFunctionArgs } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { marketplaceItemsQueryOptions } from '../../features/marketplaces/api/queries';
import { ItemList } from '../../features/marketplaces/components/item-list';

export const handle = { title: 'Store Preview' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ params }: LoaderFunctionArgs) => {
    await queryClient.prefetchQuery(marketplaceItemsQueryOptions(params.instanceId!, true));
    return null;
  };

export function Component() {
  const { instanceId } = useParams();
  return (
    <>
      <PageHeader
        title="Store Preview"
        description="Your store exactly as a customer sees it: listed products only."
      />
      <ItemList instanceId={instanceId!} listedOnly={true} />
    </>
  );
}
