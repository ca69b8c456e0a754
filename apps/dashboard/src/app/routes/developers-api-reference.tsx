import type { QueryClient } from '@tanstack/react-query';
import { PageHeader } from '../../components/page-header';
import { openApiQueryOptions } from '../../features/developers/api/queries';
import { ApiReference } from '../../features/developers/components/api-reference';
import { requireAdmin } from './developers';

export const handle = { title: 'API reference' };

export const loader = (queryClient: QueryClient) => async () => {
  await requireAdmin(queryClient);
  await queryClient.prefetchQuery(openApiQueryOptions());
  return null;
};

export function Component() {
  return (
    <>
      <PageHeader
        title="Storefront API reference"
        description="Generated from the same schemas that check every request."
      />
      <ApiReference />
    </>
  );
}
