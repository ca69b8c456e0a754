import type { QueryClient } from '@tanstack/react-query';
import { PageHeader } from '../../components/page-header';
import { apiKeysQueryOptions } from '../../features/developers/api/queries';
import { ApiKeysPage } from '../../features/developers/components/api-keys-page';
import { requireAdmin } from './developers';

export const handle = { title: 'API keys' };

export const loader = (queryClient: QueryClient) => async () => {
  await requireAdmin(queryClient);
  await queryClient.prefetchQuery(apiKeysQueryOptions());
  return null;
};

export function Component() {
  return (
    <>
      <PageHeader
        title="API keys"
        description="Let your own site's server sell through the storefront API. Each key belongs to one mode."
      />
      <ApiKeysPage />
    </>
  );
}
