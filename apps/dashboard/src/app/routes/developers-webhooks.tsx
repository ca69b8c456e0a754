import type { QueryClient } from '@tanstack/react-query';
import { PageHeader } from '../../components/page-header';
import { webhookEndpointsQueryOptions } from '../../features/developers/api/queries';
import { WebhookEndpointsPage } from '../../features/developers/components/webhook-endpoints-page';
import { requireAdmin } from './developers';

export const handle = { title: 'Webhooks' };

export const loader = (queryClient: QueryClient) => async () => {
  await requireAdmin(queryClient);
  await queryClient.prefetchQuery(webhookEndpointsQueryOptions());
  return null;
};

export function Component() {
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Your server hears about purchases and installs as they happen."
      />
      <WebhookEndpointsPage />
    </>
  );
}
